import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "../src/lib/errors.ts";
import { parseRequest } from "../src/lib/router.ts";
import { parseSubmission, SubmitBody } from "../src/responses/public-routes.ts";

/** What a parse gives: the value, or the 400's code and details. */
function outcome(parse: () => unknown) {
  try {
    return { ok: true, value: parse() };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return { ok: false, code: err.code, message: err.message, details: err.details };
  }
}

const version = fc.oneof(
  fc.integer({ min: -3, max: 5 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 1e300, -0, 1.5, 2.0000001),
  fc.double(),
  fc.constantFrom("1", null, true, [], {}),
);
const id = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.constantFrom(
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
    "00000000-0000-9000-8000-000000000000",
    "00000000-0000-4000-c000-000000000000",
    " 00000000-0000-4000-8000-000000000000",
    "00000000-0000-4000-8000-000000000000\n",
  ),
  fc.string(),
  fc.integer(),
  fc.constant(null),
);
const data = fc.oneof(
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }),
  fc.jsonValue(),
  fc.constant(undefined),
);
const body = fc.oneof(
  fc.record({ id, version, data }, { requiredKeys: [] }),
  fc.record({ id, version, data, extra: fc.jsonValue() }),
  fc.jsonValue(),
);

describe("parseSubmission", () => {
  it("answers exactly what zod's parse of SubmitBody answers, value or 400", () => {
    fc.assert(
      fc.property(body, (b) => {
        expect(outcome(() => parseSubmission(b))).toEqual(outcome(() => parseRequest(SubmitBody, b)));
      }),
      { numRuns: 20_000 },
    );
  });

  it("keeps the answers object itself and drops unknown keys", () => {
    const answers = { q1: "a" };
    const parsed = parseSubmission({
      id: "00000000-0000-4000-8000-000000000001",
      version: 2,
      data: answers,
      x: 1,
    });
    expect(parsed).toEqual({ id: "00000000-0000-4000-8000-000000000001", version: 2, data: answers });
    expect(parsed.data).toBe(answers);
  });
});
