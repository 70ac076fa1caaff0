import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  auditLog,
  enterprises,
  inspectionOfficers,
  inspections,
  samplingFilings,
  samplingTasks,
} from "../src/db/schema.ts";
import { localDate } from "../src/lib/time.ts";
import { newId } from "../src/lib/ids.ts";
import { commitmentOf, verifyDrawFile, type VerificationFile } from "../src/sampling/draw.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import { catalogItem, departmentWithStaff, officer, window } from "./inspection-fixtures.ts";

const DAY = 86_400_000;
const day = (offset: number) => localDate(Date.now() + offset * DAY, "Asia/Shanghai");

let serial = 0;
async function graded(t: TestApp, grade: "A" | "B" | "C" | "D", district = "历下区") {
  const id = newId();
  const n = String(++serial).padStart(7, "0");
  const now = Date.now();
  await t.db.insert(enterprises).values({
    id,
    creditCode: `91370100MA${n}X`,
    name: `抽查样本${grade}${n}有限公司`,
    district,
    industry: "餐饮",
    creditGrade: grade,
    createdAt: now,
    updatedAt: now,
  });
  return { id, creditCode: `91370100MA${n}X` };
}

interface TaskJson {
  id: string;
  status: string;
  commitment: string | null;
  snapshotHash: string | null;
  officerPool: number | null;
  seed: string | null;
  grades: { grade: string; population: number; triggered: number; pool: number; drawn: number }[] | null;
  outcome:
    | {
        enterpriseId: string;
        creditCode: string;
        triggered: boolean;
        staffed: boolean;
        officers: { id: string; name: string; credentialNo: string }[];
        filing: { outcome: string; inspectionId: string | null; conflictInspectionId: string | null } | null;
      }[]
    | null;
}

let t: TestApp;
let scjg: Awaited<ReturnType<typeof departmentWithStaff>>;
let yjgl: Awaited<ReturnType<typeof departmentWithStaff>>;
let head: Session;
let otherHead: Session;
let officerSession: Session;
let extraOfficers: string[];
const population: Record<string, { id: string; creditCode: string }[]> = { A: [], B: [], C: [], D: [] };

beforeAll(async () => {
  t = await makeTestApp();
  scjg = await departmentWithStaff(t, "scjg");
  yjgl = await departmentWithStaff(t, "yjgl");
  extraOfficers = [];
  for (let i = 0; i < 4; i++) extraOfficers.push(await officer(t, scjg.departmentId, { name: `抽查员${i}` }));
  // Not in the pool: expires during the period, suspended.
  await officer(t, scjg.departmentId, { name: "将过期", expires: day(3) });
  await officer(t, scjg.departmentId, { name: "已暂停", status: "suspended" });
  for (const [grade, n] of [
    ["A", 3],
    ["B", 10],
    ["C", 10],
    ["D", 10],
  ] as const) {
    for (let i = 0; i < n; i++) population[grade]!.push(await graded(t, grade));
  }
  await graded(t, "D", "槐荫区"); // outside the district filter
  head = await t.login(scjg.head);
  otherHead = await t.login(yjgl.head);
  officerSession = await t.login(scjg.officerLogin);
});

function taskBody(extra: Record<string, unknown> = {}) {
  return {
    name: "2026年第一季度餐饮安全双随机抽查",
    itemIds: [scjg.itemId],
    periodFrom: day(5),
    periodTo: day(20),
    filters: { districts: ["历下区"] },
    ...extra,
  };
}

async function createTask(session: Session, extra: Record<string, unknown> = {}) {
  const res = await t.call(session, "POST", "/api/sampling/tasks", taskBody(extra));
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { task: TaskJson }).task;
}

/** One step; before a draw the commitment is made a day old, as SAMPLING_DRAW_DELAY_HOURS (24) requires. */
async function step(session: Session, id: string, name: string, ageCommitment = true) {
  if (name === "draw" && ageCommitment) {
    await t.db
      .update(samplingTasks)
      .set({ committedAt: sql`${samplingTasks.committedAt} - ${25 * 3_600_000}` })
      .where(eq(samplingTasks.id, id));
  }
  return t.call(session, "POST", `/api/sampling/tasks/${id}/${name}`);
}

async function runToPublished(session: Session, id: string) {
  for (const name of ["commit", "draw", "reveal"]) expect((await step(session, id, name)).status).toBe(200);
  const res = await t.call(session, "GET", `/api/sampling/tasks/${id}`);
  return ((await res.json()) as { task: TaskJson }).task;
}

describe("POST /api/sampling/tasks", () => {
  it("refuses officers: only administrators and department administrators create tasks", async () => {
    const res = await t.call(officerSession, "POST", "/api/sampling/tasks", taskBody());
    expect(res.status).toBe(403);
  });

  it("refuses another department's catalog item", async () => {
    const res = await t.call(head, "POST", "/api/sampling/tasks", taskBody({ itemIds: [yjgl.itemId] }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("item_outside_department");
  });

  it("refuses a department administrator naming another department", async () => {
    const res = await t.call(
      head,
      "POST",
      "/api/sampling/tasks",
      taskBody({ departmentIds: [yjgl.departmentId] }),
    );
    expect(res.status).toBe(403);
  });

  it("refuses a triggered enterprise outside the population", async () => {
    const res = await t.call(
      head,
      "POST",
      "/api/sampling/tasks",
      taskBody({ triggeredCreditCodes: ["91370100MA0000999X"] }),
    );
    expect(res.status).toBe(422);
  });

  it("refuses a period longer than 31 days and a single inspector", async () => {
    const long = await t.call(head, "POST", "/api/sampling/tasks", taskBody({ periodTo: day(60) }));
    expect(long.status).toBe(422);
    const one = await t.call(head, "POST", "/api/sampling/tasks", taskBody({ inspectorsPerEnterprise: 1 }));
    expect(one.status).toBe(400);
  });
});

describe("access to sampling tasks", () => {
  it("answers 404 to another department's administrator, for reading and for every step", async () => {
    const task = await createTask(head);
    expect((await t.call(otherHead, "GET", `/api/sampling/tasks/${task.id}`)).status).toBe(404);
    expect((await step(otherHead, task.id, "commit")).status).toBe(404);
    const list = (await (await t.call(otherHead, "GET", "/api/sampling/tasks")).json()) as {
      items: { id: string }[];
    };
    expect(list.items.map((i) => i.id)).not.toContain(task.id);
  });

  it("lets an officer of the department read but not commit", async () => {
    const task = await createTask(head);
    expect((await t.call(officerSession, "GET", `/api/sampling/tasks/${task.id}`)).status).toBe(200);
    expect((await step(officerSession, task.id, "commit")).status).toBe(403);
  });

  it("keeps draft tasks off the public page", async () => {
    const task = await createTask(head);
    expect((await t.call(null, "GET", `/api/public/sampling/${task.id}`)).status).toBe(404);
  });
});

describe("the verifiable draw", () => {
  it("draws only SAMPLING_DRAW_DELAY_HOURS (default 24) after the commitment was published (issue 18 #19)", async () => {
    const task = await createTask(head);
    expect((await step(head, task.id, "commit")).status).toBe(200);
    const early = await step(head, task.id, "draw", false);
    expect(early.status).toBe(409);
    const body = (await early.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("draw_too_early");
    expect(body.error.message).toContain("24 小时");
    const stillCommitted = await t.call(head, "GET", `/api/sampling/tasks/${task.id}`);
    expect(((await stillCommitted.json()) as { task: TaskJson }).task.status).toBe("committed");
    expect((await step(head, task.id, "draw")).status).toBe(200);
  });

  it("enforces commit → draw → reveal, hiding the seed until the reveal", async () => {
    const task = await createTask(head);
    expect((await step(head, task.id, "draw")).status).toBe(409);
    expect((await step(head, task.id, "reveal")).status).toBe(409);
    const committed = ((await (await step(head, task.id, "commit")).json()) as { task: TaskJson }).task;
    expect(committed.status).toBe("committed");
    expect(committed.commitment).toMatch(/^[0-9a-f]{64}$/);
    expect(committed.seed).toBeNull();
    expect((await step(head, task.id, "commit")).status).toBe(409);

    const publicBefore = (await (await t.call(null, "GET", `/api/public/sampling/${task.id}`)).json()) as {
      task: {
        commitment: string;
        seed: string | null;
        outcome: unknown;
        population: { grade: string; population: number }[];
      };
    };
    expect(publicBefore.task.commitment).toBe(committed.commitment);
    expect(publicBefore.task.seed).toBeNull();
    expect(publicBefore.task.outcome).toBeNull();
    expect(publicBefore.task.population.find((g) => g.grade === "B")?.population).toBe(10);
    expect((await t.call(null, "GET", `/api/public/sampling/${task.id}/verification.json`)).status).toBe(409);

    const drawn = ((await (await step(head, task.id, "draw")).json()) as { task: TaskJson }).task;
    expect(drawn.seed).toBeNull();
    expect(drawn.outcome!.length).toBeGreaterThan(0);
    expect((await t.call(null, "GET", `/api/public/sampling/${task.id}`)).status).toBe(200);

    const revealed = ((await (await step(head, task.id, "reveal")).json()) as { task: TaskJson }).task;
    expect(revealed.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(commitmentOf(revealed.seed!)).toBe(committed.commitment);

    const download = await t.call(null, "GET", `/api/public/sampling/${task.id}/verification.json`);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toContain("attachment");
    const file = (await download.json()) as VerificationFile;
    expect(verifyDrawFile(file)).toEqual({ ok: true, problems: [] });
    // Public business information only: no address, contact or legal representative in the file.
    for (const e of file.snapshot.enterprises) {
      expect(Object.keys(e).sort()).toEqual(["creditCode", "grade", "id", "name", "triggered"]);
    }
    expect(Object.keys(file.snapshot.officers[0]!).sort()).toEqual([
      "credentialNo",
      "departmentId",
      "id",
      "name",
    ]);
    const actions = await t.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.targetId, task.id));
    expect(actions.map((a) => a.action)).toEqual([
      "sampling.created",
      "sampling.committed",
      "sampling.drawn",
      "sampling.published",
    ]);
  });

  it("draws per grade with the default ratios, always including triggered enterprises", async () => {
    const triggered = population.A[0]!;
    const task = await runToPublished(
      head,
      (await createTask(head, { triggeredCreditCodes: [triggered.creditCode] })).id,
    );
    const byGrade = Object.fromEntries(task.grades!.map((g) => [g.grade, g]));
    expect(byGrade.A).toMatchObject({ population: 3, triggered: 1, pool: 2, drawn: 0 });
    expect(byGrade.B).toMatchObject({ population: 10, pool: 10, drawn: 1 }); // ceil(10 × 3 %)
    expect(byGrade.C).toMatchObject({ population: 10, drawn: 1 }); // ceil(10 × 10 %)
    expect(byGrade.D).toMatchObject({ population: 10, drawn: 3 }); // ceil(10 × 30 %), 槐荫区 filtered out
    expect(task.outcome!.length).toBe(1 + 1 + 1 + 3);
    expect(task.outcome![0]).toMatchObject({ creditCode: triggered.creditCode, triggered: true });
    // The pool: the department's six credentialed officers — not the helper, the one expiring during the
    // period, the suspended one, nor any other department's.
    expect(task.officerPool).toBe(6);
    const pool = new Set([...scjg.officerIds, ...extraOfficers]);
    for (const pick of task.outcome!) {
      for (const o of pick.officers) expect(pool.has(o.id)).toBe(true);
      expect(pick.officers).toHaveLength(2);
      for (const o of pick.officers) expect(o.credentialNo).toMatch(/^3701/);
    }
  });

  it("never assigns a registered conflict, nor the officers of the enterprise's last inspection", async () => {
    const target = population.B[1]!;
    const previous = population.C[1]!;
    const conflictOfficer = extraOfficers[0]!;
    const conflict = await t.call(head, "POST", "/api/sampling/conflicts", {
      officerId: conflictOfficer,
      enterpriseId: target.id,
      reason: "近亲属在该企业任职",
    });
    expect(conflict.status).toBe(201);
    const officerLogin = await t.login(scjg.officerLogin);
    const filed = await t.call(officerLogin, "POST", "/api/inspections", {
      enterpriseId: previous.id,
      type: "routine",
      ...window(90),
      officerIds: scjg.officerIds,
      itemIds: [scjg.itemId],
    });
    expect(filed.status).toBe(201);
    const task = await runToPublished(
      head,
      (
        await createTask(head, {
          triggeredCreditCodes: [target.creditCode, previous.creditCode],
          ratios: { A: 0, B: 0, C: 0, D: 0 },
        })
      ).id,
    );
    const pick = (id: string) => task.outcome!.find((o) => o.enterpriseId === id)!;
    expect(pick(target.id).officers.map((o) => o.id)).not.toContain(conflictOfficer);
    for (const id of scjg.officerIds) expect(pick(previous.id).officers.map((o) => o.id)).not.toContain(id);
  });

  it("reports an enterprise that cannot be staffed after avoidance", async () => {
    const target = population.D[2]!;
    // Six officers in the pool; inspectors per enterprise = 5; two conflicts leave four.
    for (const o of [extraOfficers[1]!, extraOfficers[2]!]) {
      const res = await t.call(head, "POST", "/api/sampling/conflicts", {
        officerId: o,
        enterpriseId: target.id,
        reason: "曾在该企业任职",
      });
      expect(res.status).toBe(201);
    }
    const task = await runToPublished(
      head,
      (
        await createTask(head, {
          triggeredCreditCodes: [target.creditCode],
          ratios: { A: 0, B: 0, C: 0, D: 0 },
          inspectorsPerEnterprise: 5,
        })
      ).id,
    );
    expect(task.outcome).toHaveLength(1);
    expect(task.outcome![0]).toMatchObject({ enterpriseId: target.id, staffed: false, officers: [] });
  });
});

describe("concurrent steps", () => {
  it("lets exactly one of two simultaneous commits through", async () => {
    const task = await createTask(head);
    const statuses = (await Promise.all([step(head, task.id, "commit"), step(head, task.id, "commit")])).map(
      (r) => r.status,
    );
    expect(statuses.sort()).toEqual([200, 409]);
    const lines = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, task.id), eq(auditLog.action, "sampling.committed")));
    expect(lines).toHaveLength(1);
  });

  it("files each drawn enterprise once when filing is requested twice at the same time", async () => {
    const picks = [population.D[7]!, population.D[8]!, population.D[9]!];
    const task = await runToPublished(
      head,
      (
        await createTask(head, {
          triggeredCreditCodes: picks.map((p) => p.creditCode),
          ratios: { A: 0, B: 0, C: 0, D: 0 },
        })
      ).id,
    );
    const results = await Promise.all([step(head, task.id, "file"), step(head, task.id, "file")]);
    for (const r of results) expect(r.status).toBe(200);
    for (const p of picks) {
      const filed = await t.db
        .select()
        .from(inspections)
        .where(and(eq(inspections.enterpriseId, p.id), eq(inspections.type, "random")));
      expect(filed).toHaveLength(1);
    }
    const rows = await t.db.select().from(samplingFilings).where(eq(samplingFilings.taskId, task.id));
    expect(rows.map((r) => r.outcome)).toEqual(["filed", "filed", "filed"]);
  });
});

describe("POST /api/sampling/tasks/:id/file", () => {
  it("files the drawn pairs as 双随机 inspections and reports each refusal by the duplicate window", async () => {
    const blocked = population.B[5]!;
    const free = population.C[6]!;
    const officerLogin = await t.login(scjg.officerLogin);
    const existing = await t.call(officerLogin, "POST", "/api/inspections", {
      enterpriseId: blocked.id,
      type: "routine",
      ...window(10),
      officerIds: scjg.officerIds,
      itemIds: [scjg.itemId],
    });
    expect(existing.status).toBe(201);
    const existingId = ((await existing.json()) as { id: string }).id;
    const task = await runToPublished(
      head,
      (
        await createTask(head, {
          triggeredCreditCodes: [blocked.creditCode, free.creditCode],
          ratios: { A: 0, B: 0, C: 0, D: 0 },
        })
      ).id,
    );
    expect((await t.call(officerLogin, "POST", `/api/sampling/tasks/${task.id}/file`)).status).toBe(403);
    const res = await step(head, task.id, "file");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { task: TaskJson; counts: Record<string, number> };
    expect(body.counts).toEqual({ duplicate_window: 1, filed: 1 });
    const of = (id: string) => body.task.outcome!.find((o) => o.enterpriseId === id)!;
    expect(of(blocked.id).filing).toMatchObject({
      outcome: "duplicate_window",
      conflictInspectionId: existingId,
    });
    const inspectionId = of(free.id).filing!.inspectionId!;
    const [row] = await t.db.select().from(inspections).where(eq(inspections.id, inspectionId));
    expect(row).toMatchObject({
      type: "random",
      enterpriseId: free.id,
      status: "filed",
      leadDepartmentId: scjg.departmentId,
    });
    const assigned = await t.db
      .select()
      .from(inspectionOfficers)
      .where(eq(inspectionOfficers.inspectionId, inspectionId));
    expect(assigned.map((a) => a.officerId).sort()).toEqual(
      of(free.id)
        .officers.map((o) => o.id)
        .sort(),
    );

    // Filing again adds nothing: each enterprise is recorded once.
    const again = (await (await step(head, task.id, "file")).json()) as { counts: Record<string, number> };
    expect(again.counts).toEqual({});
    const rows = await t.db.select().from(samplingFilings).where(eq(samplingFilings.taskId, task.id));
    expect(rows).toHaveLength(2);
    const publicView = (await (await t.call(null, "GET", `/api/public/sampling/${task.id}`)).json()) as {
      task: { outcome: { creditCode: string; filing: string | null; officers: Record<string, string>[] }[] };
    };
    expect(publicView.task.outcome.find((o) => o.creditCode === blocked.creditCode)?.filing).toBe(
      "duplicate_window",
    );
    expect(Object.keys(publicView.task.outcome[0]!.officers[0]!).sort()).toEqual(["credentialNo", "name"]);
    const audit = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "inspection.filed"), eq(auditLog.targetId, inspectionId)));
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ samplingTaskId: task.id });
    const filedLine = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "sampling.filed"), eq(auditLog.targetId, task.id)));
    expect(filedLine.length).toBe(2);
  });

  it("refuses to file before the draw", async () => {
    const task = await createTask(head);
    expect((await step(head, task.id, "file")).status).toBe(409);
    await step(head, task.id, "commit");
    expect((await step(head, task.id, "file")).status).toBe(409);
  });
});

describe("/api/sampling/conflicts", () => {
  it("keeps each department's register to itself", async () => {
    const target = population.A[2]!;
    const ownOfficer = await officer(t, yjgl.departmentId, { name: "应急回避员" });
    const created = await t.call(otherHead, "POST", "/api/sampling/conflicts", {
      officerId: ownOfficer,
      enterpriseId: target.id,
      reason: "持有该企业股份",
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { conflict: { id: string } }).conflict.id;
    // Another department's officer, or its record: 404.
    const foreign = await t.call(head, "POST", "/api/sampling/conflicts", {
      officerId: ownOfficer,
      enterpriseId: target.id,
      reason: "x",
    });
    expect(foreign.status).toBe(404);
    expect((await t.call(head, "PATCH", `/api/sampling/conflicts/${id}`, { reason: "y" })).status).toBe(404);
    expect((await t.call(head, "DELETE", `/api/sampling/conflicts/${id}`)).status).toBe(404);
    const duplicate = await t.call(otherHead, "POST", "/api/sampling/conflicts", {
      officerId: ownOfficer,
      enterpriseId: target.id,
      reason: "再次登记",
    });
    expect(duplicate.status).toBe(409);
    const patched = await t.call(otherHead, "PATCH", `/api/sampling/conflicts/${id}`, { reason: "配偶持股" });
    expect(patched.status).toBe(200);
    expect((await t.call(otherHead, "DELETE", `/api/sampling/conflicts/${id}`)).status).toBe(204);
    const list = (await (await t.call(otherHead, "GET", "/api/sampling/conflicts")).json()) as {
      items: unknown[];
    };
    expect(list.items).toHaveLength(0);
  });
});

it("keeps catalog items of retired status out", async () => {
  const retired = await catalogItem(t, scjg.departmentId, "SCJG-RET", { status: "retired" });
  const res = await t.call(head, "POST", "/api/sampling/tasks", taskBody({ itemIds: [retired] }));
  expect(res.status).toBe(422);
});
