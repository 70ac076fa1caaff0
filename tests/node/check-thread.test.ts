/**
 * The Node server's check thread (src/responses/check-thread.ts) answers exactly what checking on
 * the event loop answers (checks.ts): the validator's result, the body hash and the stored JSON, for
 * compiled and fallback forms alike, in batches, when its cache evicts a schema, and after it dies.
 */
import { afterEach, expect, it } from "vitest";
import { ValidatorCache } from "../../src/forms/validator-cache.ts";
import { CheckThread } from "../../src/responses/check-thread.ts";
import { checkResponse, type CheckRequest } from "../../src/responses/checks.ts";
import { SAMPLE_SCHEMA } from "../helpers.ts";

let thread: CheckThread | undefined;
afterEach(async () => {
  await thread?.close();
  thread = undefined;
});

/** A form the compiler refuses (calculated values): checked by survey-core on either side. */
const FALLBACK_SCHEMA = { ...SAMPLE_SCHEMA, calculatedValues: [{ name: "one", expression: "1" }] };

const ANSWERS: Record<string, unknown>[] = [
  { name: "张三", rating: "good" },
  { name: "李四", rating: "bad", why: "态度差" },
  { name: "李四", rating: "bad" },
  { rating: "good" },
  { name: "x".repeat(21), rating: "good" },
  { name: "王五", rating: "maybe" },
  { name: 42, rating: "good" },
  { z: 1, a: [1, { b: 2 }], name: "赵六", rating: "good" },
];

function request(formId: string, schema: unknown, data: Record<string, unknown>, version = 1): CheckRequest {
  const body = { id: "00000000-0000-4000-8000-000000000000", version, data };
  return {
    key: `${formId}:${version}`,
    schema: JSON.stringify(schema),
    formId,
    version,
    data,
    text: JSON.stringify(body),
  };
}

function onLoop(req: CheckRequest) {
  const { text: _text, ...rest } = req;
  return checkResponse(new ValidatorCache(10), rest);
}

it("answers as checking on the event loop does, for compiled and fallback forms", async () => {
  thread = await CheckThread.start({ cacheSize: 10, fallback: new ValidatorCache(10) });
  const requests = ANSWERS.flatMap((data) => [
    request("compiled", SAMPLE_SCHEMA, data),
    request("fallback", FALLBACK_SCHEMA, data),
  ]);
  // All at once: they cross to the thread as one message.
  const answers = await Promise.all(requests.map((r) => thread!.check(r)));
  expect(answers).toEqual(requests.map(onLoop));
  expect(answers.filter((a) => a.result.ok)).toHaveLength(6);
  const stats = await thread.stats();
  expect(stats.running).toBe(true);
  expect(stats.checkedOnLoop).toBe(0);
  expect(stats.validators).toMatchObject({ size: 2, compiled: 1, fallback: 1 });
});

it("sends a schema again when the thread has evicted it", async () => {
  thread = await CheckThread.start({ cacheSize: 1, fallback: new ValidatorCache(1) });
  for (let round = 0; round < 6; round++) {
    // Two form versions through a cache of one: each check evicts the other's validator.
    for (const formId of ["a", "b"]) {
      const req = request(formId, SAMPLE_SCHEMA, ANSWERS[round]!);
      expect(await thread.check(req)).toEqual(onLoop(req));
    }
  }
  expect((await thread.stats()).validators.misses).toBe(12);
});

it("checks on the event loop while the thread is down, and restarts it", async () => {
  thread = await CheckThread.start({ cacheSize: 10, fallback: new ValidatorCache(10) });
  const reqs = ANSWERS.map((data) => request("f", SAMPLE_SCHEMA, data));
  const pending = reqs.map((r) => thread!.check(r));
  // Kill the thread with checks in flight (the tests' only way in: the field is private).
  await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
  expect(await Promise.all(pending)).toEqual(reqs.map(onLoop));
  expect(await thread.check(reqs[1]!)).toEqual(onLoop(reqs[1]!));
  let stats = await thread.stats();
  expect(stats.running).toBe(false);
  expect(stats.checkedOnLoop).toBeGreaterThan(0);

  // A second later the next check starts a new thread; checks go there once it is ready.
  await new Promise((r) => setTimeout(r, 1100));
  await thread.check(reqs[0]!);
  for (let i = 0; i < 50 && !(await thread.stats()).running; i++)
    await new Promise((r) => setTimeout(r, 100));
  stats = await thread.stats();
  expect(stats).toMatchObject({ running: true, restarts: 1 });
  expect(await thread.check(reqs[2]!)).toEqual(onLoop(reqs[2]!));
});
