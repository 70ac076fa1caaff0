import { beforeEach, describe, expect, it } from "vitest";
import { parseBound } from "../src/lib/time.ts";
import {
  makeEvaluation,
  makeInspection,
  makeWorld,
  NEGATIVE,
  postEvaluation,
  type World,
} from "./evaluation-fixtures.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let w: World;
let admin: Session;
let supervisor: Session;
let deptAdminA: Session;
let officerA: Session;

const TZ = "Asia/Shanghai";

/** Start of the month `offset` months from this one, in Asia/Shanghai, plus `days` days and an hour. */
function inMonth(offset: number, days = 0): number {
  const [y, m] = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit" })
    .format(Date.now())
    .split("-")
    .map(Number) as [number, number];
  const month = m - 1 + offset;
  const year = y + Math.floor(month / 12);
  const mm = (((month % 12) + 12) % 12) + 1;
  return parseBound(`${year}-${String(mm).padStart(2, "0")}-01`, TZ)! + days * 86_400_000 + 3_600_000;
}

beforeEach(async () => {
  t = await makeTestApp();
  w = await makeWorld(t);
  await t.user("admin", "admin");
  await t.user("jiandu", "supervisor");
  await t.user("bumen-a", "dept_admin", w.deptA);
  await t.user("zhifa-a", "officer", w.deptA);
  admin = await t.login("admin");
  supervisor = await t.login("jiandu");
  deptAdminA = await t.login("bumen-a");
  officerA = await t.login("zhifa-a");
});

describe("GET /api/evaluations/:id", () => {
  it("shows an individual evaluation to the justice bureau only", async () => {
    const { code } = await makeInspection(t, w);
    const { id } = await (await postEvaluation(t, code, { version: 1, data: NEGATIVE })).json();
    for (const session of [deptAdminA, officerA]) {
      const res = await t.call(session, "GET", `/api/evaluations/${id}`);
      expect(res.status).toBe(403);
      expect(JSON.stringify(await res.json())).not.toContain("表示一下");
    }
    expect((await t.call(null, "GET", `/api/evaluations/${id}`)).status).toBe(401);
    for (const session of [admin, supervisor]) {
      const res = await t.call(session, "GET", `/api/evaluations/${id}`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ id, score: 25, version: 1 });
      expect(body.alertId).toEqual(expect.any(String));
      expect(body.answers.find((a: { name: string }) => a.name === "misconduct_details").text).toContain(
        "表示一下",
      );
    }
    expect((await t.call(admin, "GET", "/api/evaluations/nosuchevaluation")).status).toBe(404);
  });

  it("lets a supervisor read the evaluation through its alert", async () => {
    const { code } = await makeInspection(t, w);
    const { id } = await (await postEvaluation(t, code, { version: 1, data: NEGATIVE })).json();
    const { items } = await (await t.call(supervisor, "GET", "/api/alerts")).json();
    const alert = await (await t.call(supervisor, "GET", `/api/alerts/${items[0].id}`)).json();
    expect(alert.evaluation.id).toBe(id);
    expect(alert.evaluation.answers.length).toBeGreaterThan(10);
  });
});

describe("GET /api/evaluations/summary", () => {
  beforeEach(async () => {
    // Department A: six evaluations last month (two negative), two the month before, one this month.
    for (let i = 0; i < 6; i++) {
      await makeEvaluation(t, w, {
        submittedAt: inMonth(-1, i),
        score: i < 2 ? 25 : 100,
        negative: i < 2 ? ["demanded_gifts"] : [],
      });
    }
    await makeEvaluation(t, w, { submittedAt: inMonth(-2, 1), score: 0, negative: ["rude_conduct"] });
    await makeEvaluation(t, w, { submittedAt: inMonth(-2, 2), score: 50 });
    await makeEvaluation(t, w, { submittedAt: inMonth(0), score: 0, negative: ["rude_conduct"] });
    // Department B: one evaluation last month.
    await makeEvaluation(t, w, { submittedAt: inMonth(-1, 3), score: 100, departmentIds: [w.deptB] });
  });

  it("gives the justice bureau exact aggregates for any department and period", async () => {
    const all = await t.call(supervisor, "GET", "/api/evaluations/summary");
    expect(all.status).toBe(200);
    expect(await all.json()).toMatchObject({ count: 10, negativeCount: 4, negativeRate: 0.4, suppressed: 0 });
    const a = await (await t.call(admin, "GET", `/api/evaluations/summary?departmentId=${w.deptA}`)).json();
    expect(a).toMatchObject({ count: 9, negativeCount: 4 });
    expect(a.questions).toEqual([
      { name: "demanded_gifts", title: "demanded_gifts?", negativeCount: 2 },
      { name: "rude_conduct", title: "rude_conduct?", negativeCount: 2 },
    ]);
    const b = await (
      await t.call(supervisor, "GET", `/api/evaluations/summary?departmentId=${w.deptB}`)
    ).json();
    expect(b).toMatchObject({ count: 1, averageScore: 100 });
  });

  it("gives a department administrator their own department's whole past months of five or more", async () => {
    const res = await t.call(deptAdminA, "GET", "/api/evaluations/summary");
    expect(res.status).toBe(200);
    const body = await res.json();
    // Last month only: the month before has two (suppressed), this month is not over.
    expect(body).toMatchObject({
      departmentId: w.deptA,
      count: 6,
      negativeCount: 2,
      averageScore: 75,
      suppressed: 2,
      minGroupSize: 5,
    });
    expect(body.questions).toEqual([{ name: "demanded_gifts", title: "demanded_gifts?", negativeCount: 2 }]);
    // A narrow period is widened to whole months, so it cannot single out an evaluation.
    const day = new Date(inMonth(-1, 2)).toISOString().slice(0, 10);
    const narrow = await (
      await t.call(deptAdminA, "GET", `/api/evaluations/summary?from=${day}&to=${day}`)
    ).json();
    expect(narrow.count).toBe(6);
  });

  it("refuses other departments' aggregates to a department administrator, and all of them to officers", async () => {
    const other = await t.call(deptAdminA, "GET", `/api/evaluations/summary?departmentId=${w.deptB}`);
    expect(other.status).toBe(403);
    expect((await t.call(officerA, "GET", "/api/evaluations/summary")).status).toBe(403);
    expect((await t.call(null, "GET", "/api/evaluations/summary")).status).toBe(401);
  });

  it("refuses malformed dates with 400", async () => {
    expect((await t.call(admin, "GET", "/api/evaluations/summary?from=yesterday")).status).toBe(400);
  });
});
