import { describe, expect, it } from "vitest";
import { safeNext } from "../../client/lib/next";

const origin = "https://lianma.example.gov.cn";

describe("safeNext (login ?next=)", () => {
  it("keeps same-origin paths with their query", () => {
    expect(safeNext("/admin/forms/abc/edit", origin)).toBe("/admin/forms/abc/edit");
    expect(safeNext("/admin/forms?kind=survey", origin)).toBe("/admin/forms?kind=survey");
  });

  it.each([
    null,
    "",
    "admin/forms",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/admin",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/%0a/evil",
  ])("falls back to the role start page / for %j", (next) => {
    const result = safeNext(next, origin);
    expect(result.startsWith("/") && !result.startsWith("//")).toBe(true);
    expect(new URL(result, origin).origin).toBe(origin);
    if (next === null || next === "" || !next.startsWith("/") || /^\/[\\/\t]/.test(next)) {
      expect(result).toBe("/");
    }
  });
});
