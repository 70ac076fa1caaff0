import { expect, it } from "vitest";

it("the pages' time helpers make no Intl formatter on load, and show times as the server writes them", async () => {
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
    const { inputToIso, inputValue } = await import("../client/lib/local-time.ts");
    expect(made).toBe(0);
    // Outside a page there is no zone meta: the default zone, Asia/Shanghai.
    expect(formatTime("2026-01-01T00:00:00Z")).toBe("2026-01-01 08:00");
    expect(formatTime(null)).toBe("—");
    expect(inputValue(Date.parse("2026-01-02T00:00:00Z"))).toBe("2026-01-02T08:00");
    expect(inputToIso("2026-01-02T08:00")).toBe("2026-01-02T00:00:00.000Z");
    expect(inputToIso("2026-01-02")).toBeNull();
    expect(made).toBeLessThanOrEqual(2);
  } finally {
    Intl.DateTimeFormat = original;
  }
});
