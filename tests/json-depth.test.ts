import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonDepthExceeds } from "../src/lib/json-depth.ts";

/** The nesting depth of a parsed JSON value: 0 for a scalar, 1 for `[]` or `{}`. */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === "object")
    return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

// Strings full of brackets and escapes, which must not count, and values nested up to 12 deep.
const bracketText = fc.string({ unit: fc.constantFrom("{", "[", "}", "]", '"', "\\", "a", "é") });
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(bracketText, fc.integer(), fc.boolean(), fc.constant(null)),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(bracketText, tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("jsonDepthExceeds", () => {
  it("agrees with the depth of the parsed value, whatever the brackets inside strings", () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 12 }), (value, max) => {
        const text = JSON.stringify(value);
        expect(jsonDepthExceeds(text, max)).toBe(depthOf(value) > max);
      }),
      { numRuns: 5_000 },
    );
  });

  it("refuses a deep body and takes a wide one with more brackets than the limit", () => {
    expect(jsonDepthExceeds("[".repeat(65) + "]".repeat(65), 64)).toBe(true);
    expect(jsonDepthExceeds("[".repeat(64) + "]".repeat(64), 64)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify(Array.from({ length: 500 }, () => ({ a: [1] }))), 64)).toBe(false);
  });
});
