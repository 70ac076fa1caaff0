import ExcelJS from "exceljs";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { alerts, auditLog, caseEvents, cases, complaints, officers } from "../src/db/schema.ts";
import { newId } from "../src/lib/ids.ts";
import { localDate } from "../src/lib/time.ts";
import { makeInspection, makeWorld, NEGATIVE, postEvaluation, type World } from "./evaluation-fixtures.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import { departmentWithStaff, enterprise, window } from "./inspection-fixtures.ts";

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);

let t: TestApp;
let w: World;
let supervisor: Session;
let admin: Session;
let head: Session;
let otherHead: Session;
let officerSession: Session;

beforeEach(async () => {
  t = await makeTestApp();
  w = await makeWorld(t);
  await t.user("jiandu", "supervisor");
  await t.user("admin", "admin");
  await t.user("bumen", "dept_admin", w.deptA);
  await t.user("bumen-b", "dept_admin", w.deptB);
  await t.user("zhifa", "officer", w.deptA);
  supervisor = await t.login("jiandu");
  admin = await t.login("admin");
  head = await t.login("bumen");
  otherHead = await t.login("bumen-b");
  officerSession = await t.login("zhifa");
});

const due = (days: number) => localDate(Date.now() + days * 86_400_000, "Asia/Shanghai");

async function raiseAlert(): Promise<string> {
  const { code } = await makeInspection(t, w);
  expect((await postEvaluation(t, code, { version: 1, data: NEGATIVE })).status).toBe(201);
  const rows = await t.db.select().from(alerts);
  return rows.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))[0]!.id;
}

const caseBody = (extra: Record<string, unknown> = {}) => ({
  departmentId: w.deptA,
  title: "企业反映检查人员态度粗暴",
  facts: "企业评价为不满意。",
  situations: ["作风粗暴"],
  officerIds: [w.officerIds[0]],
  level: "general",
  answerDue: due(10),
  ...extra,
});

async function open(body: Record<string, unknown>, s = supervisor) {
  const res = await t.call(s, "POST", "/api/cases", body);
  return { status: res.status, body: await res.json() };
}

async function step(s: Session, id: string, name: string, body: unknown = {}) {
  const res = await t.call(s, "POST", `/api/cases/${id}/${name}`, body);
  return { status: res.status, body: await res.json() };
}

describe("POST /api/cases", () => {
  it("opens a case from an alert with the year's next number, and one alert feeds one open case", async () => {
    const alertId = await raiseAlert();
    const first = await open(caseBody({ sources: [{ kind: "alert", ref: alertId }] }));
    expect(first.status).toBe(201);
    const year = localDate(Date.now(), "Asia/Shanghai").slice(0, 4);
    expect(first.body).toMatchObject({
      number: `济司督〔${year}〕第1号`,
      status: "opened",
      level: "general",
    });
    expect(first.body.sources[0]).toMatchObject({ kind: "alert", ref: alertId });
    const again = await open(caseBody({ sources: [{ kind: "alert", ref: alertId }] }));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("source_taken");
    expect(await t.db.select().from(cases)).toHaveLength(1);
    const manual = await open(caseBody());
    expect(manual.body.number).toBe(`济司督〔${year}〕第2号`);
  });

  it("gives concurrent openings distinct numbers", async () => {
    const all = await Promise.all(Array.from({ length: 8 }, () => open(caseBody())));
    expect(all.map((r) => r.status)).toEqual(Array(8).fill(201));
    const numbers = new Set(all.map((r) => r.body.number));
    expect(numbers.size).toBe(8);
  });

  it("refuses a 情形 outside the list, another department's officer or alert, with 422 and nothing stored", async () => {
    expect((await open(caseBody({ situations: ["迟到"] }))).body.error.code).toBe("invalid_situation");
    expect((await open(caseBody({ departmentId: w.deptB }))).body.error.code).toBe("invalid_officer");
    const alertId = await raiseAlert();
    const foreign = await open(
      caseBody({ departmentId: w.deptB, officerIds: [], sources: [{ kind: "alert", ref: alertId }] }),
    );
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.code).toBe("invalid_source");
    expect((await open(caseBody({ sources: [{ kind: "warning", ref: "nope:1" }] }))).status).toBe(422);
    expect((await open(caseBody({ level: "大" }))).status).toBe(400);
    expect(await t.db.select().from(cases)).toHaveLength(0);
  });

  it("is for the bureau only", async () => {
    expect((await open(caseBody(), head)).status).toBe(403);
    expect((await open(caseBody(), officerSession)).status).toBe(403);
    expect((await open(caseBody(), admin)).status).toBe(201);
  });
});

describe("case life cycle", () => {
  it("runs opened → sent → answered → returned → answered → accepted → closed with 约谈, each step audited", async () => {
    const alertId = await raiseAlert();
    const id = (await open(caseBody({ sources: [{ kind: "alert", ref: alertId }] }))).body.id as string;
    expect((await step(supervisor, id, "send")).body.status).toBe("sent");

    const upload = await t.app.request(`/api/cases/${id}/attachments`, {
      method: "POST",
      headers: { Cookie: head.cookie, "X-CSRF-Token": head.csrf, "Content-Type": "image/jpeg" },
      body: JPEG,
    });
    expect(upload.status).toBe(201);
    const attachment = (await upload.json()) as { id: string; url: string };
    const answered = await step(head, id, "answer", {
      report: "已组织自查，当事人已作检讨。",
      attachmentIds: [attachment.id],
    });
    expect(answered.status).toBe(200);
    expect(answered.body.status).toBe("answered");
    expect(answered.body.answers[0].attachments[0].id).toBe(attachment.id);
    const file = await t.call(head, "GET", attachment.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/jpeg");

    const returned = await step(supervisor, id, "return", { reason: "自查不深入，请补充谈话记录" });
    expect(returned.body.status).toBe("returned");
    expect((await step(head, id, "answer", { report: "补充了谈话记录。" })).body.status).toBe("answered");
    expect((await step(supervisor, id, "accept", {})).body.status).toBe("accepted");
    const closed = await step(supervisor, id, "close", {
      conclusion: "interview",
      interview: { date: due(0), attendees: "局长、当事人", minutes: "指出问题，提出要求。" },
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: "closed", conclusion: "interview", conclusionLabel: "约谈" });
    expect(closed.body.conclusionDetail).toMatchObject({ attendees: "局长、当事人" });
    expect(closed.body.answers).toHaveLength(2);

    const trail = await t.db.select().from(auditLog).where(eq(auditLog.targetId, id));
    expect(trail.map((a) => a.action)).toEqual([
      "case.open",
      "case.send",
      "case.attachment",
      "case.answer",
      "case.return",
      "case.answer",
      "case.accept",
      "case.close",
    ]);
    // Closed, the alert may feed a new case.
    expect((await open(caseBody({ sources: [{ kind: "alert", ref: alertId }] }))).status).toBe(201);
  });

  it("refuses steps out of order with 409 invalid_state", async () => {
    const id = (await open(caseBody())).body.id as string;
    const early = await step(head, id, "answer", { report: "x" });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("invalid_state");
    expect((await step(supervisor, id, "accept", {})).status).toBe(409);
    await step(supervisor, id, "send");
    expect((await step(supervisor, id, "send")).body.error.code).toBe("invalid_state");
    await step(head, id, "answer", { report: "已自查" });
    // An answer is reviewed before the case closes.
    expect((await step(supervisor, id, "close", { conclusion: "no_issue" })).body.error.code).toBe(
      "invalid_state",
    );
    const [row] = await t.db.select().from(cases).where(eq(cases.id, id));
    expect(row!.status).toBe("answered");
  });

  it("closes a 一般 case without an answer but refuses a 重大 one with 409", async () => {
    const general = (await open(caseBody())).body.id as string;
    expect((await step(supervisor, general, "close", { conclusion: "no_issue" })).status).toBe(200);
    const major = (await open(caseBody({ level: "major" }))).body.id as string;
    await step(supervisor, major, "send");
    const refused = await step(supervisor, major, "close", { conclusion: "no_issue" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("answer_required");
  });

  it("of two racing steps on the same version commits one", async () => {
    const id = (await open(caseBody())).body.id as string;
    const both = await Promise.all([step(supervisor, id, "send"), step(admin, id, "send")]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await t.db.select().from(caseEvents).where(eq(caseEvents.caseId, id))).toHaveLength(2);
  });

  it("refuses a conclusion missing its fields with 422 and leaves the case as it was", async () => {
    const id = (await open(caseBody())).body.id as string;
    const bare = await step(supervisor, id, "close", {
      conclusion: "accountability",
      accountability: { subject: "市场监管局" },
    });
    expect(bare.status).toBe(422);
    expect(bare.body.error.code).toBe("invalid_conclusion");
    expect(
      (await step(supervisor, id, "close", { conclusion: "interview", interview: { date: due(0) } })).status,
    ).toBe(422);
    expect((await step(supervisor, id, "close", { conclusion: "notice", notice: {} })).status).toBe(422);
    const [row] = await t.db.select().from(cases).where(eq(cases.id, id));
    expect(row!.status).toBe("opened");
  });

  it("flags an answer owed past its due day", async () => {
    const id = (await open(caseBody({ answerDue: due(-1) }))).body.id as string;
    expect((await (await t.call(supervisor, "GET", `/api/cases/${id}`)).json()).overdue).toBe(false);
    await step(supervisor, id, "send");
    const late = await (await t.call(supervisor, "GET", `/api/cases/${id}`)).json();
    expect(late.overdue).toBe(true);
    const list = await (await t.call(supervisor, "GET", "/api/cases?status=overdue")).json();
    expect(list.items.map((i: { id: string }) => i.id)).toEqual([id]);
  });
});

describe("追责 that suspends the credential", () => {
  it("sets the officer suspended in the same write, so a later filing naming them is refused", async () => {
    const market = await departmentWithStaff(t, "scjg");
    const firm = await enterprise(t);
    const id = (
      await open(caseBody({ departmentId: market.departmentId, officerIds: [market.officerIds[0]] }))
    ).body.id as string;
    const closed = await step(supervisor, id, "close", {
      conclusion: "accountability",
      accountability: {
        subject: "济南市司法局",
        situation: "检查中作风粗暴",
        method: "暂扣执法证",
        officerIds: [market.officerIds[0]],
      },
    });
    expect(closed.status).toBe(200);
    const [o] = await t.db.select().from(officers).where(eq(officers.id, market.officerIds[0]!));
    expect(o!.status).toBe("suspended");
    const credentialLine = await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, market.officerIds[0]!));
    expect(credentialLine.map((a) => a.action)).toEqual(["officer.credential"]);

    const s = await t.login(market.officerLogin);
    const res = await t.call(s, "POST", "/api/inspections", {
      enterpriseId: firm,
      type: "routine",
      ...window(10),
      officerIds: [...market.officerIds, market.helperId],
      itemIds: [market.itemId],
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("credential_invalid");
  });

  it("refuses 暂扣执法证 naming nobody, or someone not in the case", async () => {
    const id = (await open(caseBody())).body.id as string;
    const acc = { subject: "司法局", situation: "乱作为", method: "收回执法证" };
    expect(
      (await step(supervisor, id, "close", { conclusion: "accountability", accountability: acc })).status,
    ).toBe(422);
    const stranger = await step(supervisor, id, "close", {
      conclusion: "accountability",
      accountability: { ...acc, officerIds: [w.officerIds[1]] },
    });
    expect(stranger.status).toBe(422);
    const [o] = await t.db.select().from(officers).where(eq(officers.id, w.officerIds[1]!));
    expect(o!.status).toBe("active");
  });
});

describe("case access", () => {
  it("lets a department administrator see and answer only its own department's cases, without the sources", async () => {
    const complaintId = newId();
    await t.db.insert(complaints).values({
      id: complaintId,
      receiptNo: "TS-0001",
      enterpriseId: w.enterpriseId,
      departmentId: w.deptA,
      kind: "conduct",
      visitDate: due(-2),
      text: "检查人员索要好处（投诉人：济南示例食品有限公司）",
      createdAt: Date.now(),
    });
    const id = (await open(caseBody({ sources: [{ kind: "complaint", ref: complaintId }] }))).body
      .id as string;
    await step(supervisor, id, "send");

    const own = await t.call(head, "GET", `/api/cases/${id}`);
    expect(own.status).toBe(200);
    const text = await own.text();
    expect(JSON.parse(text).sources).toEqual([{ kind: "complaint", kindLabel: "企业投诉" }]);
    expect(text).not.toContain("济南示例食品");
    expect(text).not.toContain(complaintId);
    expect(text).not.toContain("TS-0001");
    const bureau = await (await t.call(supervisor, "GET", `/api/cases/${id}`)).json();
    expect(bureau.sources[0].summary).toContain("TS-0001");

    expect((await t.call(otherHead, "GET", `/api/cases/${id}`)).status).toBe(404);
    const foreign = await step(otherHead, id, "answer", { report: "x" });
    expect(foreign.status).toBe(404);
    expect((await (await t.call(otherHead, "GET", "/api/cases")).json()).items).toEqual([]);
    expect((await (await t.call(head, "GET", "/api/cases")).json()).items).toHaveLength(1);
    expect((await t.call(officerSession, "GET", `/api/cases/${id}`)).status).toBe(403);
    expect((await t.call(officerSession, "GET", "/api/cases")).status).toBe(403);
    // A department answers; the bureau does not answer for it, nor does the department review.
    expect((await step(supervisor, id, "answer", { report: "x" })).status).toBe(403);
    expect((await step(head, id, "send")).status).toBe(403);
  });

  it("refuses an attachment that is not an image with 415", async () => {
    const id = (await open(caseBody())).body.id as string;
    await step(supervisor, id, "send");
    const res = await t.app.request(`/api/cases/${id}/attachments`, {
      method: "POST",
      headers: { Cookie: head.cookie, "X-CSRF-Token": head.csrf, "Content-Type": "image/jpeg" },
      body: "<html><script>alert(1)</script></html>",
    });
    expect(res.status).toBe(415);
  });
});

describe("GET /api/dashboard/cases", () => {
  it("counts cases opened, overdue and closed by conclusion per department, in the API and the Excel sheet", async () => {
    const late = (await open(caseBody({ answerDue: due(-1) }))).body.id as string;
    await step(supervisor, late, "send");
    const done = (await open(caseBody())).body.id as string;
    await step(supervisor, done, "close", {
      conclusion: "interview",
      interview: { date: due(0), attendees: "局长", minutes: "约谈" },
    });
    await open(caseBody({ departmentId: w.deptB, officerIds: [], level: "major" }));
    const period = `from=${due(-3)}&to=${due(3)}`;
    const res = await t.call(supervisor, "GET", `/api/dashboard/cases?${period}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      totals: Record<string, unknown>;
      byDepartment: { key: string; figures: Record<string, unknown> }[];
    };
    expect(body.totals).toMatchObject({ opened: 3, major: 1, active: 2, overdue: 1, closed: 1 });
    const a = body.byDepartment.find((r) => r.key === w.deptA)!.figures;
    expect(a).toMatchObject({
      opened: 2,
      overdue: 1,
      closed: 1,
      byConclusion: { interview: 1, no_issue: 0 },
    });

    const own = await (await t.call(head, "GET", `/api/dashboard/cases?${period}`)).json();
    expect(own.totals).toMatchObject({ opened: 2 });
    expect((await t.call(head, "GET", `/api/dashboard/cases?${period}&departmentId=${w.deptB}`)).status).toBe(
      403,
    );

    const xlsx = await t.call(supervisor, "GET", `/api/dashboard/export.xlsx?${period}`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await xlsx.arrayBuffer());
    const sheet = book.getWorksheet("督办案件")!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const rowOf = (name: string) => {
      const found = sheet.getRows(2, sheet.rowCount - 1)!.find((r) => r.getCell(1).value === name)!;
      return Object.fromEntries(header.map((h, k) => [h, found.getCell(k + 1).value]));
    };
    expect(rowOf("济南市市场监督管理局")).toMatchObject({ 立案: 2, 答复逾期: 1, 办结: 1, 约谈: 1 });
    expect(rowOf("合计")).toMatchObject({ 立案: 3, 其中重大: 1 });
  });
});
