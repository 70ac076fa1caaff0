import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { alertEvents, alerts, auditLog } from "../src/db/schema.ts";
import {
  makeInspection,
  makeWorld,
  NEGATIVE,
  POSITIVE,
  postEvaluation,
  type World,
} from "./evaluation-fixtures.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let w: World;
let supervisor: Session;
let supervisorId: string;
let admin: Session;
let deptAdmin: Session;
let officer: Session;

beforeEach(async () => {
  t = await makeTestApp();
  w = await makeWorld(t);
  supervisorId = await t.user("jiandu", "supervisor");
  await t.user("admin", "admin");
  await t.user("bumen", "dept_admin", w.deptA);
  await t.user("zhifa", "officer", w.deptA);
  supervisor = await t.login("jiandu");
  admin = await t.login("admin");
  deptAdmin = await t.login("bumen");
  officer = await t.login("zhifa");
});

/** Submits a negative evaluation for a fresh registered inspection; returns the alert's id. */
async function raiseAlert(): Promise<string> {
  const { code } = await makeInspection(t, w);
  expect((await postEvaluation(t, code, { version: 1, data: NEGATIVE })).status).toBe(201);
  const rows = await t.db.select().from(alerts);
  return rows.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))[0]!.id;
}

describe("alerts access", () => {
  it("is for the justice bureau only: department users 403, anonymous 401", async () => {
    const id = await raiseAlert();
    for (const session of [deptAdmin, officer]) {
      expect((await t.call(session, "GET", "/api/alerts")).status).toBe(403);
      expect((await t.call(session, "GET", `/api/alerts/${id}`)).status).toBe(403);
      expect((await t.call(session, "GET", "/api/alerts/stream")).status).toBe(403);
      expect((await t.call(session, "POST", `/api/alerts/${id}/close`, { outcome: "x" })).status).toBe(403);
    }
    expect((await t.call(null, "GET", "/api/alerts")).status).toBe(401);
    const [row] = await t.db.select().from(alerts);
    expect(row!.status).toBe("open");
  });
});

describe("GET /api/alerts", () => {
  it("lists open alerts first, newest first, with handling times", async () => {
    const first = await raiseAlert();
    const second = await raiseAlert();
    const third = await raiseAlert();
    expect(
      (await t.call(supervisor, "POST", `/api/alerts/${third}/close`, { outcome: "已核实" })).status,
    ).toBe(200);
    const res = await t.call(supervisor, "GET", "/api/alerts");
    expect(res.status).toBe(200);
    const { items, nextCursor } = await res.json();
    expect(items.map((a: { id: string }) => a.id)).toEqual([second, first, third]);
    expect(nextCursor).toBeNull();
    expect(items[0]).toMatchObject({
      status: "open",
      statusLabel: "待处理",
      department: { id: w.deptA, name: "济南市市场监督管理局" },
      enterprise: { name: "济南示例食品有限公司" },
      score: 25,
      handling: { toFirstHandlingMs: null, toCloseMs: null },
    });
    expect(items[2].handling.toCloseMs).toBeGreaterThanOrEqual(0);
  });

  it("filters by status from an allowlist and pages with a cursor", async () => {
    for (let i = 0; i < 3; i++) await raiseAlert();
    const page1 = await (await t.call(admin, "GET", "/api/alerts?status=open&limit=2")).json();
    expect(page1.items).toHaveLength(2);
    const page2 = await (
      await t.call(admin, "GET", `/api/alerts?status=open&limit=2&cursor=${page1.nextCursor}`)
    ).json();
    expect(page2.items).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
    const ids = [...page1.items, ...page2.items].map((a: { id: string }) => a.id);
    expect(new Set(ids).size).toBe(3);
    expect((await t.call(admin, "GET", "/api/alerts?status=deleted")).status).toBe(400);
    expect((await t.call(admin, "GET", "/api/alerts?cursor=nonsense")).status).toBe(400);
    expect((await (await t.call(admin, "GET", "/api/alerts?status=closed")).json()).items).toHaveLength(0);
  });
});

describe("GET /api/alerts/:id", () => {
  it("shows the evaluation's answers, the inspection, its departments, officers and the history", async () => {
    const id = await raiseAlert();
    const res = await t.call(supervisor, "GET", `/api/alerts/${id}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    const gifts = body.evaluation.answers.find((a: { name: string }) => a.name === "demanded_gifts");
    expect(gifts).toMatchObject({ title: "是否存在吃拿卡要、索要财物？", text: "是", negative: true });
    const details = body.evaluation.answers.find((a: { name: string }) => a.name === "misconduct_details");
    expect(details.text).toContain("表示一下");
    expect(body.inspection).toMatchObject({
      enterprise: { name: "济南示例食品有限公司", creditCode: "91370100MA3C0000X1" },
      departments: [{ id: w.deptA, name: "济南市市场监督管理局" }],
      items: [{ code: "SC-001", name: "食品经营许可情况检查" }],
    });
    expect(body.inspection.officers.map((o: { name: string }) => o.name)).toContain("张明");
    expect(body.events).toEqual([expect.objectContaining({ kind: "created", actor: null })]);
    expect((await t.call(supervisor, "GET", "/api/alerts/nosuchalert0000")).status).toBe(404);
  });
});

describe("handling an alert", () => {
  it("assigns, notes and closes with events, audit lines and handling times", async () => {
    const id = await raiseAlert();
    const assign = await t.call(supervisor, "POST", `/api/alerts/${id}/assign`, { userId: supervisorId });
    expect(assign.status).toBe(200);
    const assigned = await assign.json();
    expect(assigned).toMatchObject({
      status: "assigned",
      assignedTo: { id: supervisorId, displayName: "jiandu" },
    });
    expect(assigned.firstHandledAt).not.toBeNull();
    expect(assigned.handling.toFirstHandlingMs).toBeGreaterThanOrEqual(0);
    expect(assigned.handling.toCloseMs).toBeNull();

    const note = await t.call(supervisor, "POST", `/api/alerts/${id}/notes`, {
      note: "已电话联系企业\r\n核实中",
    });
    expect(note.status).toBe(200);
    expect((await note.json()).firstHandledAt).toBe(assigned.firstHandledAt);

    const noOutcome = await t.call(supervisor, "POST", `/api/alerts/${id}/close`, { outcome: "  " });
    expect(noOutcome.status).toBe(400);
    expect((await t.call(supervisor, "POST", `/api/alerts/${id}/close`, {})).status).toBe(400);

    const close = await t.call(supervisor, "POST", `/api/alerts/${id}/close`, {
      outcome: "情况属实，已移交纪检部门",
    });
    expect(close.status).toBe(200);
    const closed = await close.json();
    expect(closed).toMatchObject({
      status: "closed",
      outcome: "情况属实，已移交纪检部门",
      closedBy: { id: supervisorId },
      firstHandledAt: assigned.firstHandledAt,
    });
    expect(closed.handling.toCloseMs).toBeGreaterThanOrEqual(closed.handling.toFirstHandlingMs);
    expect(closed.events.map((e: { kind: string }) => e.kind)).toEqual([
      "created",
      "assigned",
      "note",
      "closed",
    ]);
    expect(closed.events[2]).toMatchObject({ note: "已电话联系企业\r\n核实中", actor: { id: supervisorId } });

    const audit = await t.db.select().from(auditLog).where(eq(auditLog.targetId, id));
    expect(audit.map((a) => a.action).sort()).toEqual([
      "alert.assign",
      "alert.close",
      "alert.create",
      "alert.note",
    ]);
  });

  it("refuses steps on a closed alert with 409 and records nothing", async () => {
    const id = await raiseAlert();
    expect((await t.call(admin, "POST", `/api/alerts/${id}/close`, { outcome: "不属实" })).status).toBe(200);
    for (const [path, body] of [
      ["close", { outcome: "again" }],
      ["assign", { userId: supervisorId }],
      ["notes", { note: "late" }],
    ] as const) {
      const res = await t.call(admin, "POST", `/api/alerts/${id}/${path}`, body);
      expect(res.status).toBe(409);
      expect((await res.json()).error.code).toBe("invalid_state");
    }
    expect(await t.db.select().from(alertEvents).where(eq(alertEvents.alertId, id))).toHaveLength(2);
    expect((await t.db.select().from(auditLog).where(eq(auditLog.targetId, id))).length).toBe(2);
  });

  it("closes an unassigned alert, stamping the first handling too", async () => {
    const id = await raiseAlert();
    const closed = await (
      await t.call(supervisor, "POST", `/api/alerts/${id}/close`, { outcome: "已处理" })
    ).json();
    expect(closed.firstHandledAt).toBe(closed.closedAt);
  });

  it("assigns only to active supervisors and administrators", async () => {
    const id = await raiseAlert();
    const officerUser = await t.user("zhifa2", "officer", w.deptA);
    const res = await t.call(supervisor, "POST", `/api/alerts/${id}/assign`, { userId: officerUser });
    expect(res.status).toBe(422);
    expect(
      (await t.call(supervisor, "POST", "/api/alerts/nosuchalert0000/assign", { userId: supervisorId }))
        .status,
    ).toBe(404);
    const [row] = await t.db.select().from(alerts).where(eq(alerts.id, id));
    expect(row).toMatchObject({ status: "open", assignedTo: null, firstHandledAt: null });
  });
});

/** Reads SSE text from a response body until `pattern` shows up (or the time runs out). */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, pattern: RegExp, ms = 5000) {
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + ms;
  while (!pattern.test(text)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no ${pattern} in: ${text}`);
    const chunk = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timeout; got: ${text}`)), left)),
    ]);
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text;
}

describe("GET /api/alerts/stream", () => {
  it("sends an alert event when a negative evaluation arrives and when it is handled", async () => {
    const res = await t.call(supervisor, "GET", "/api/alerts/stream");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    expect(await readUntil(reader, /event: ready/)).toContain("retry: 3000");

    const { code } = await makeInspection(t, w);
    expect((await postEvaluation(t, code, { version: 1, data: POSITIVE })).status).toBe(201);
    const { code: badCode } = await makeInspection(t, w);
    expect((await postEvaluation(t, badCode, { version: 1, data: NEGATIVE })).status).toBe(201);

    const created = await readUntil(reader, /event: alert\ndata: .*\n\n/);
    const data = JSON.parse(created.match(/event: alert\ndata: (.*)\n/)![1]!);
    expect(data.kind).toBe("created");
    expect(data.alert).toMatchObject({ status: "open", department: { id: w.deptA } });
    expect(data.alert.summary).toContain("吃拿卡要");

    await t.call(admin, "POST", `/api/alerts/${data.alert.id}/assign`, { userId: supervisorId });
    const assigned = await readUntil(reader, /"kind":"assigned"/);
    expect(assigned).toContain('"status":"assigned"');
    await reader.cancel();
  });
});
