import { beforeEach, describe, expect, it } from "vitest";
import { factDrift } from "../src/dashboard/facts.ts";
import { makeInspection, makeWorld, NEGATIVE, postEvaluation, type World } from "./evaluation-fixtures.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let w: World;
let supervisor: Session;

beforeEach(async () => {
  t = await makeTestApp();
  w = await makeWorld(t);
  await t.user("jiandu", "supervisor");
  supervisor = await t.login("jiandu");
});

describe("dashboard after the real evaluation path", () => {
  it("counts an enterprise's negative evaluation and its alert as soon as it is submitted", async () => {
    const { code, id } = await makeInspection(t, w);
    const figures = async (path: string) =>
      (await t.call(supervisor, "GET", `/api/dashboard/${path}`)).json();
    expect((await figures("evaluations")).totals.evaluations).toBe(0);
    expect((await postEvaluation(t, code, { version: 1, data: NEGATIVE })).status).toBe(201);
    // NEGATIVE: overall 不满意 (score 25 on the 5-step scale) and gifts demanded.
    expect((await figures("evaluations")).totals).toEqual({
      evaluations: 1,
      averageScore: 25,
      negative: 1,
      negativeRate: 1,
    });
    expect((await figures("alerts")).totals).toMatchObject({ raised: 1, open: 1, closed: 0 });
    const questions = (await figures("problems")).questions.map((q: { name: string }) => q.name);
    expect(questions.sort()).toEqual(["demanded_gifts", "overall_satisfaction"]);
    const records = await figures("records?metric=negative");
    expect(records.items.map((r: { inspectionId: string }) => r.inspectionId)).toEqual([id]);
    expect(await factDrift(t.db)).toEqual({ facts: 0, items: 0, frequency: 0, weekly: 0, negative: 0 });
  });
});
