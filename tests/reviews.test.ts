import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { cases, inspections, reviewItems, users } from "../src/db/schema.ts";
import { localDate } from "../src/lib/time.ts";
import { verifyReviewFile, type ReviewVerificationFile } from "../src/reviews/sample.ts";
import { makeInspection, makeWorld, type World } from "./evaluation-fixtures.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let w: World;
let supervisor: Session;
let supervisorId: string;
let head: Session;

const day = (offset: number) => localDate(Date.now() + offset * 86_400_000, "Asia/Shanghai");
const full = {
  subject_lawful: 20,
  basis_sufficient: 20,
  procedure_proper: 20,
  documents_complete: 20,
  rectification_tracked: 20,
};

beforeEach(async () => {
  t = await makeTestApp();
  w = await makeWorld(t);
  supervisorId = await t.user("jiandu", "supervisor");
  await t.user("bumen", "dept_admin", w.deptA);
  supervisor = await t.login("jiandu");
  head = await t.login("bumen");
  for (let i = 0; i < 6; i++) {
    const { id } = await makeInspection(t, w);
    await t.db
      .update(inspections)
      .set({ registeredAt: Date.now() - 3_600_000 })
      .where(eq(inspections.id, id));
  }
});

async function call(s: Session, method: string, path: string, body?: unknown) {
  const res = await t.call(s, method, path, body);
  return { status: res.status, body: await res.json() };
}

const taskBody = (extra: Record<string, unknown> = {}) => ({
  name: "2026年第四季度案卷评查",
  periodFrom: day(-30),
  periodTo: day(0),
  perDepartment: 4,
  threshold: 80,
  reviewerIds: [supervisorId],
  ...extra,
});

describe("案卷评查 tasks", () => {
  it("commits before the draw, samples N per department reproducibly, and publishes a verifiable file", async () => {
    const created = await call(supervisor, "POST", "/api/reviews", taskBody());
    expect(created.status).toBe(201);
    expect(created.body.seed).toBeNull();
    expect(created.body.items).toEqual([]);
    const id = created.body.id as string;
    const drawn = await call(supervisor, "POST", `/api/reviews/${id}/draw`);
    expect(drawn.status).toBe(200);
    expect(drawn.body.items).toHaveLength(4);
    expect(drawn.body.items.every((i: { departmentId: string }) => i.departmentId === w.deptA)).toBe(true);
    const file = drawn.body.verification as ReviewVerificationFile;
    expect(verifyReviewFile(file)).toEqual({ ok: true, problems: [] });
    expect([...file.result.picks[0]!.inspectionIds].sort()).toEqual(
      drawn.body.items.map((i: { inspectionId: string }) => i.inspectionId).sort(),
    );
    // Drawn twice: refused, and the sample stays the one the seed gives.
    const again = await call(supervisor, "POST", `/api/reviews/${id}/draw`);
    expect(again.status).toBe(409);
    expect((await call(supervisor, "GET", `/api/reviews/${id}`)).body.verification).toEqual(file);
  });

  it("scores with the review form; a finding below the threshold opens a case from the review", async () => {
    const id = (await call(supervisor, "POST", "/api/reviews", taskBody())).body.id as string;
    const items = (await call(supervisor, "POST", `/api/reviews/${id}/draw`)).body.items as { id: string }[];
    const good = await call(supervisor, "POST", `/api/reviews/items/${items[0]!.id}/score`, {
      answers: full,
    });
    expect(good.status).toBe(200);
    expect(good.body.items.find((i: { id: string }) => i.id === items[0]!.id)).toMatchObject({
      score: 100,
      maxScore: 100,
      caseId: null,
    });

    const weak = {
      ...full,
      procedure_proper: 5,
      documents_complete: 10,
      procedure_proper_note: "未亮码入企",
    };
    const low = await call(supervisor, "POST", `/api/reviews/items/${items[1]!.id}/score`, { answers: weak });
    expect(low.status).toBe(200);
    const [row] = await t.db.select().from(reviewItems).where(eq(reviewItems.id, items[1]!.id));
    expect(row!.score).toBe(75);
    expect(row!.caseId).toBeTruthy();
    const [opened] = await t.db.select().from(cases).where(eq(cases.id, row!.caseId!));
    expect(opened!.departmentId).toBe(w.deptA);
    expect(opened!.facts).toContain("未亮码入企");
    const detail = await call(supervisor, "GET", `/api/cases/${opened!.id}`);
    expect(detail.body.sources).toMatchObject([{ kind: "review", ref: items[1]!.id }]);

    expect(
      (await call(supervisor, "POST", `/api/reviews/items/${items[1]!.id}/score`, { answers: full })).status,
    ).toBe(409);
    const bad = await call(supervisor, "POST", `/api/reviews/items/${items[2]!.id}/score`, {
      answers: { ...full, subject_lawful: 25 },
    });
    expect(bad.status).toBe(422);
  });

  it("lists the tasks with the reviewers one may assign, and gives a file's form and its stored answers", async () => {
    const disabledId = await t.user("tingyong", "supervisor");
    await t.db.update(users).set({ disabled: true }).where(eq(users.id, disabledId));
    const id = (await call(supervisor, "POST", "/api/reviews", taskBody())).body.id as string;
    const list = await call(supervisor, "GET", "/api/reviews");
    expect(list.status).toBe(200);
    expect(list.body.items).toMatchObject([{ id, name: taskBody().name, status: "committed" }]);
    const reviewerIds = list.body.reviewers.map((r: { id: string }) => r.id);
    expect(reviewerIds).toContain(supervisorId);
    expect(reviewerIds).not.toContain(disabledId);
    expect((await call(head, "GET", "/api/reviews")).status).toBe(403);

    const items = (await call(supervisor, "POST", `/api/reviews/${id}/draw`)).body.items as { id: string }[];
    const open = await call(supervisor, "GET", `/api/reviews/items/${items[0]!.id}`);
    expect(open.status).toBe(200);
    expect(open.body.item).toMatchObject({ id: items[0]!.id, score: null, answers: null });
    expect(open.body.task).toEqual({ id, name: taskBody().name, threshold: 80 });
    const ratings = JSON.stringify(open.body.form.schema);
    for (const name of Object.keys(full)) expect(ratings).toContain(`"${name}"`);

    await call(supervisor, "POST", `/api/reviews/items/${items[0]!.id}/score`, { answers: full });
    const scored = await call(supervisor, "GET", `/api/reviews/items/${items[0]!.id}`);
    expect(scored.body.item).toMatchObject({ score: 100, answers: full });
    expect((await call(supervisor, "GET", "/api/reviews/items/nothing")).status).toBe(404);
  });

  it("refuses bad input and is the bureau's only", async () => {
    expect(
      (await call(supervisor, "POST", "/api/reviews", taskBody({ formId: "inspection-evaluation" }))).status,
    ).toBe(422);
    expect(
      (await call(supervisor, "POST", "/api/reviews", taskBody({ periodFrom: day(0), periodTo: day(-5) })))
        .status,
    ).toBe(422);
    expect(
      (await call(supervisor, "POST", "/api/reviews", taskBody({ reviewerIds: ["nobody"] }))).status,
    ).toBe(422);
    expect((await call(head, "POST", "/api/reviews", taskBody())).status).toBe(403);
  });
});
