import { expect, it } from "vitest";

it("the pages' shared DOM helpers make no Intl formatter on load, only for the first time shown", async () => {
  // The first formatter loads the locale's data: ~200 ms of a slow phone's CPU on the public form
  // runner, which shows no time at all (issue 17).
  const original = Intl.DateTimeFormat;
  let made = 0;
  Intl.DateTimeFormat = new Proxy(original, {
    construct(target, args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      made++;
      return new target(...args);
    },
  });
  try {
    const { formatTime } = await import("../client/lib/dom.ts");
    expect(made).toBe(0);
    expect(formatTime("2026-01-01T00:00:00Z")).toBe("2026/01/01 08:00");
    expect(formatTime("2026-01-02T00:00:00Z")).toBe("2026/01/02 08:00");
    expect(made).toBe(1);
  } finally {
    Intl.DateTimeFormat = original;
  }
});
