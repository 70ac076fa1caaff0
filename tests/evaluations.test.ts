import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  alertEvents,
  alerts,
  auditLog,
  checklists,
  evaluations,
  inspections,
  outbox,
} from "../src/db/schema.ts";
import { signInspectionCode } from "../src/inspections/code.ts";
import { parseBound } from "../src/lib/time.ts";
import {
  DAY,
  makeInspection,
  makeWorld,
  NEGATIVE,
  POSITIVE,
  postEvaluation,
  TEST_SECRET,
  type World,
} from "./evaluation-fixtures.ts";
import { enterpriseCall, type EnterpriseSession } from "./enterprise-fixtures.ts";
import { makeTestApp, type TestApp } from "./helpers.ts";
import { WORKER_TARGET } from "./worker/target.ts";

let t: TestApp;
let w: World;

beforeEach(async () => {
  // A high anonymous limit, so the race test measures the unique index and not the rate limiter.
  t = await makeTestApp({ SUBMIT_RATE_PER_MINUTE: "100" });
  w = await makeWorld(t);
});

afterEach(() => vi.restoreAllMocks());

const getPage = (code: string, as?: EnterpriseSession) =>
  enterpriseCall(t, as ?? null, "GET", `/api/public/inspections/${code}`);

/** Changes the character at `index` of `text` to another one of the same alphabet. */
function flip(text: string, index: number): string {
  const ch = text[index]!;
  const other = ch === "a" ? "b" : /[0-9]/.test(ch) ? (ch === "1" ? "2" : "1") : "a";
  return text.slice(0, index) + other + text.slice(index + 1);
}

async function stored() {
  return {
    evaluations: (await t.db.select().from(evaluations)).length,
    alerts: (await t.db.select().from(alerts)).length,
  };
}

describe("GET /api/public/inspections/:code", () => {
  it("shows who inspects, why, the rights, this year's count, and no questionnaire before the visit", async () => {
    const { code } = await makeInspection(t, w, { status: "approved", plannedStart: Date.now() + DAY });
    const res = await getPage(code);
    expect(res.status).toBe(200);
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.json();
    expect(body).toMatchObject({
      status: "approved",
      type: "routine",
      typeLabel: "日常检查",
      enterprise: { name: "济南示例食品有限公司" },
      departments: [{ name: "济南市市场监督管理局", lead: true }],
      items: [
        {
          code: "SC-001",
          name: "食品经营许可情况检查",
          legalBasis: "《中华人民共和国食品安全法》第一百一十条",
        },
      ],
      evaluation: null,
      checklist: null,
      arrivedAt: null,
    });
    expect(Date.parse(body.evaluationOpensAt)).toBeGreaterThan(Date.now());
    const byName = Object.fromEntries(body.officers.map((o: { name: string }) => [o.name, o]));
    expect(byName["张明"]).toMatchObject({
      credentialNo: "37010001",
      credentialValid: true,
      isHelper: false,
    });
    expect(byName["王强"]).toMatchObject({ credentialNo: "37010003", credentialValid: false });
    expect(byName["赵辅"]).toEqual({
      name: "赵辅",
      department: "济南市市场监督管理局",
      role: "辅助人员",
      isHelper: true,
    });
    expect(body.officers.at(-1).name).toBe("赵辅");
    const rights = body.rights.map((r: { title: string; text: string }) => r.title + r.text).join("");
    for (const word of ["回避", "陈述", "申辩", "行政复议", "行政诉讼"]) expect(rights).toContain(word);
    expect(body.yearCount).toEqual({ year: new Date().getFullYear(), count: 1 });
  });

  it("counts this calendar year's filings in Asia/Shanghai, without drafts and refusals", async () => {
    const year = Number(
      new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai", year: "numeric" }).format(Date.now()),
    );
    const newYear = parseBound(`${year}-01-01`, "Asia/Shanghai")!;
    await makeInspection(t, w, { status: "closed", plannedStart: newYear + 30 * 60_000 }); // 00:30 on 1 January
    await makeInspection(t, w, { status: "closed", plannedStart: newYear - 30 * 60_000 }); // 23:30 the year before
    await makeInspection(t, w, { status: "refused", plannedStart: newYear + DAY });
    await makeInspection(t, w, { status: "draft", plannedStart: newYear + DAY });
    await makeInspection(t, w, { status: "filed", plannedStart: newYear + DAY });
    const { code } = await makeInspection(t, w, { status: "approved" });
    const body = await (await getPage(code)).json();
    expect(body.yearCount).toEqual({ year, count: 3 });
  });

  it("offers the live evaluation form once the visit started, and a thank-you after the evaluation", async () => {
    const { code } = await makeInspection(t, w, { status: "approved" });
    const before = await (await getPage(code)).json();
    expect(before.evaluation).toMatchObject({ formId: "inspection-evaluation", version: 1 });
    expect(before.evaluation.schema.pages.length).toBeGreaterThan(0);
    expect(before.viewer).toBe("anonymous");
    const signedIn = await (await getPage(code, w.enterprise)).json();
    expect(signedIn.viewer).toBe("enterprise");
    expect((await postEvaluation(t, code, { version: 1, data: POSITIVE })).status).toBe(201);
    const after = await (await getPage(code)).json();
    expect(after.status).toBe("approved");
    expect(after.evaluation).toEqual({ submitted: true });
  });

  it("shows the registered checklist result with corrective requirements and deadlines", async () => {
    const { id, code } = await makeInspection(t, w, { status: "registered" });
    const point = (name: string, title: string) => ({
      type: "radiogroup",
      name,
      title,
      lianmaRole: "checkpoint",
      choices: ["pass", "fail", "na"],
    });
    const schema = {
      pages: [
        {
          name: "item1",
          lianmaItemCode: "SC-001",
          lianmaItemName: "食品经营许可情况检查",
          lianmaLegalBasis: "《中华人民共和国食品安全法》第一百一十条",
          elements: [
            point("p1", "许可证在有效期内并公示"),
            point("p2", "从业人员持有健康证明"),
            { type: "comment", name: "p2_req", lianmaRole: "requirement", lianmaPoint: "p2" },
            { type: "text", name: "p2_due", lianmaRole: "deadline", lianmaPoint: "p2" },
          ],
        },
      ],
    };
    const data = { p1: "pass", p2: "fail", p2_req: "补办健康证明", p2_due: "2030-01-31", photo_secret: "x" };
    await t.db.insert(checklists).values({
      inspectionId: id,
      schema: JSON.stringify(schema),
      data: JSON.stringify(data),
      status: "submitted",
      generatedAt: Date.now(),
      submittedAt: Date.now(),
    });
    const body = await (await getPage(code)).json();
    expect(body.checklist.items).toEqual([
      {
        code: "SC-001",
        name: "食品经营许可情况检查",
        legalBasis: "《中华人民共和国食品安全法》第一百一十条",
        result: "mixed",
        failures: [{ point: "从业人员持有健康证明", requirement: "补办健康证明", deadline: "2030-01-31" }],
      },
    ]);
    expect(body.checklist.submittedAt).toEqual(expect.any(String));
  });

  it.each(["draft", "filed", "refused"] as const)("is 404 while the inspection is %s", async (status) => {
    const { code } = await makeInspection(t, w, { status });
    const res = await getPage(code);
    expect(res.status).toBe(404);
  });

  it("refuses tampered, swapped, expired and unsigned codes", async () => {
    const a = await makeInspection(t, w);
    const b = await makeInspection(t, w);
    const [id, exp, sig] = a.code.split(".") as [string, string, string];
    const cases: [string, string, number, string][] = [
      ["signature", `${id}.${exp}.${flip(sig, 3)}`, 401, "invalid_code"],
      ["expiry", `${id}.${flip(exp, exp.length - 1)}.${sig}`, 401, "invalid_code"],
      ["B's id in A's code", `${b.id}.${exp}.${sig}`, 401, "invalid_code"],
      ["unsigned", `${id}.${exp}`, 401, "invalid_code"],
      ["garbage", "hello", 401, "invalid_code"],
      ["expired", signInspectionCode(TEST_SECRET, a.id, Date.now() - 1000, a.nonce), 401, "expired_code"],
      [
        "other secret",
        signInspectionCode("another-secret".padEnd(40, "y"), a.id, Date.now() + DAY, a.nonce),
        401,
        "invalid_code",
      ],
    ];
    for (const [what, code, status, errorCode] of cases) {
      const res = await getPage(code);
      expect(res.status, what).toBe(status);
      expect((await res.json()).error.code, what).toBe(errorCode);
      expect(res.headers.get("referrer-policy"), what).toBe("no-referrer");
    }
  });

  it("answers a forged code the same whether its inspection id exists or not", async () => {
    const a = await makeInspection(t, w);
    const [id, exp, sig] = a.code.split(".") as [string, string, string];
    const known = await getPage(`${id}.${exp}.${flip(sig, 3)}`);
    const unknown = await getPage(`${flip(id, 0)}.${exp}.${flip(sig, 3)}`);
    const unknownWithGenuineSig = await getPage(`${flip(id, 0)}.${exp}.${sig}`);
    const answers = await Promise.all(
      [known, unknown, unknownWithGenuineSig].map(async (res) => ({
        status: res.status,
        body: await res.json(),
      })),
    );
    expect(answers[0]).toMatchObject({ status: 401, body: { error: { code: "invalid_code" } } });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });
});

describe("POST /api/public/inspections/:code/evaluation", () => {
  it("stores a positive evaluation with the enterprise and its client trace, stamps the inspection and raises no alert", async () => {
    const { id: inspectionId, code } = await makeInspection(t, w);
    const res = await postEvaluation(t, code, { version: 1, data: POSITIVE });
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const [row] = await t.db.select().from(evaluations).where(eq(evaluations.id, id));
    expect(row).toMatchObject({
      inspectionId,
      negative: false,
      score: 100,
      formId: "inspection-evaluation",
      version: 1,
      enterpriseId: w.enterpriseId,
      staffAddressMatch: false,
    });
    expect(row!.clientHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.clientHash).not.toContain("127.0.0.1");
    const [inspection] = await t.db.select().from(inspections).where(eq(inspections.id, inspectionId));
    // The evaluation runs beside the department's life cycle: the status stays where it was.
    expect(inspection!.status).toBe("registered");
    expect(inspection!.evaluatedAt).toBeGreaterThan(0);
    expect(await t.db.select().from(alerts)).toHaveLength(0);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, "inspection.evaluated"));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorName: "enterprise",
      actorId: null,
      ip: null,
      targetId: inspectionId,
    });
    expect(JSON.parse(audit[0]!.detail)).toEqual({ evaluationId: id, negative: false });
  });

  it("raises an alert with its created event and audit line for a negative evaluation, in the same commit", async () => {
    const { id: inspectionId, code } = await makeInspection(t, w);
    const res = await postEvaluation(t, code, { version: 1, data: NEGATIVE });
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const [evaluation] = await t.db.select().from(evaluations).where(eq(evaluations.id, id));
    expect(evaluation).toMatchObject({ negative: true, score: 25 });
    expect(JSON.parse(evaluation!.negativeAnswers).map((a: { name: string }) => a.name)).toEqual([
      "demanded_gifts",
      "overall_satisfaction",
    ]);
    const [alert] = await t.db.select().from(alerts);
    expect(alert).toMatchObject({ inspectionId, evaluationId: id, departmentId: w.deptA, status: "open" });
    expect(alert!.summary).toContain("是否存在吃拿卡要、索要财物？");
    expect(alert!.summary).toContain("总体满意度（不满意）");
    const events = await t.db.select().from(alertEvents).where(eq(alertEvents.alertId, alert!.id));
    expect(events.map((e) => e.kind)).toEqual(["created"]);
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "alert.create"))).toHaveLength(1);
    expect(alert!.kind).toBe("negative_evaluation");
    // No webhook configured: no outbox message.
    expect(await t.db.select().from(outbox)).toHaveLength(0);
  });

  it("queues a webhook message with the alert when a webhook is configured", async () => {
    t = await makeTestApp({
      ALERT_WEBHOOK_URL: "https://hooks.example/lianma",
      ALERT_WEBHOOK_SECRET: "s".repeat(32),
    });
    w = await makeWorld(t);
    const { code } = await makeInspection(t, w);
    expect((await postEvaluation(t, code, { version: 1, data: NEGATIVE })).status).toBe(201);
    const rows = await t.db.select().from(outbox);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ topic: "alert.created", attempts: 0, deliveredAt: null });
    const payload = JSON.parse(rows[0]!.payload);
    expect(payload.alert.summary).toContain("吃拿卡要");
    // Free text stays in the system.
    expect(rows[0]!.payload).not.toContain("表示一下");
  });

  it("accepts one evaluation per inspection: a second one is 409", async () => {
    const { code } = await makeInspection(t, w);
    expect((await postEvaluation(t, code, { version: 1, data: POSITIVE })).status).toBe(201);
    const again = await postEvaluation(t, code, { version: 1, data: NEGATIVE });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe("already_evaluated");
    expect(await stored()).toEqual({ evaluations: 1, alerts: 0 });
  });

  it("makes 50 parallel submissions into exactly one 201 and 49 × 409", async () => {
    const { code } = await makeInspection(t, w);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => postEvaluation(t, code, { version: 1, data: NEGATIVE })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const r of results.filter((r) => r.status === 409)) {
      expect((await r.json()).error.code).toBe("already_evaluated");
    }
    expect(await stored()).toEqual({ evaluations: 1, alerts: 1 });
    expect(await t.db.select().from(alertEvents)).toHaveLength(1);
    expect(
      await t.db.select().from(auditLog).where(eq(auditLog.action, "inspection.evaluated")),
    ).toHaveLength(1);
  });

  it("refuses an invalid evaluation with 400 and per-question details, storing nothing", async () => {
    const { id: inspectionId, code } = await makeInspection(t, w);
    const cases = [
      { ...POSITIVE, demanded_gifts: "maybe" },
      { ...POSITIVE, overall_satisfaction: undefined },
      { ...NEGATIVE, misconduct_details: undefined },
      { ...POSITIVE, extra: "x" },
    ];
    for (const data of cases) {
      const res = await postEvaluation(t, code, { version: 1, data });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.code).toBe("invalid_response");
      expect(body.error.details.length).toBeGreaterThan(0);
    }
    expect(await stored()).toEqual({ evaluations: 0, alerts: 0 });
    const [inspection] = await t.db.select().from(inspections).where(eq(inspections.id, inspectionId));
    expect(inspection!.status).toBe("registered");
  });

  it("refuses bad codes with 401 and stores nothing", async () => {
    const a = await makeInspection(t, w);
    const b = await makeInspection(t, w);
    const [id, exp, sig] = a.code.split(".") as [string, string, string];
    for (const [code, status] of [
      [`${id}.${exp}.${flip(sig, 0)}`, 401],
      [`${b.id}.${exp}.${sig}`, 401],
      [`${id}.${flip(exp, 0)}.${sig}`, 401],
      [`${flip(id, 5)}.${exp}.${sig}`, 401],
      [signInspectionCode(TEST_SECRET, a.id, Date.now() - 60_000, a.nonce), 401],
      [`${id}.${exp}`, 401],
    ] as const) {
      expect((await postEvaluation(t, code, { version: 1, data: NEGATIVE })).status).toBe(status);
    }
    expect(await stored()).toEqual({ evaluations: 0, alerts: 0 });
    const audit = await t.db.select().from(auditLog);
    expect(audit.filter((a) => a.action !== "form.publish")).toHaveLength(0);
  });

  it("takes no evaluation before the visit starts (409) nor for an inspection not yet approved (404)", async () => {
    const approved = await makeInspection(t, w, { status: "approved", plannedStart: Date.now() + DAY });
    const res = await postEvaluation(t, approved.code, { version: 1, data: POSITIVE });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("evaluation_not_open");
    const filed = await makeInspection(t, w, { status: "filed" });
    expect((await postEvaluation(t, filed.code, { version: 1, data: POSITIVE })).status).toBe(404);
    expect(await stored()).toEqual({ evaluations: 0, alerts: 0 });
  });

  it("refuses an unknown form version with 409 version_mismatch", async () => {
    const { code } = await makeInspection(t, w);
    const res = await postEvaluation(t, code, { version: 9, data: POSITIVE });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("version_mismatch");
  });
});

describe("rate limits on anonymous evaluations", () => {
  beforeEach(async () => {
    t = await makeTestApp({ SUBMIT_RATE_PER_MINUTE: "3" });
    w = await makeWorld(t);
  });

  it("limits one inspection's code across clients", async () => {
    const { code } = await makeInspection(t, w);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      t.setRemote(`10.0.0.${i}`);
      statuses.push((await postEvaluation(t, code, { version: 1, data: { bad: 1 } })).status);
    }
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
  });

  it("does not count forged codes against the genuine inspection", async () => {
    const { code } = await makeInspection(t, w);
    const [id, exp, sig] = code.split(".") as [string, string, string];
    for (let i = 0; i < 5; i++) {
      t.setRemote(`10.0.1.${i}`);
      expect(
        (await postEvaluation(t, `${id}.${exp}.${flip(sig, i)}`, { version: 1, data: POSITIVE })).status,
      ).toBe(401);
    }
    t.setRemote("10.0.2.1");
    expect((await postEvaluation(t, code, { version: 1, data: POSITIVE })).status).toBe(201);
  });

  it("limits one client across codes, and a spoofed X-Forwarded-For does not reset it", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { code } = await makeInspection(t, w);
      const res = await postEvaluation(
        t,
        code,
        { version: 1, data: { bad: 1 } },
        { "X-Forwarded-For": `192.0.2.${i}` },
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
    expect(await stored()).toEqual({ evaluations: 0, alerts: 0 });
  });
});

describe("logging on the public inspection routes", () => {
  // Spies on this process's console and database: in workerd (TEST_TARGET=worker) neither is the app's.
  it.skipIf(WORKER_TARGET)(
    "never writes the inspection code to the console when an error occurs",
    async () => {
      const { code } = await makeInspection(t, w);
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      const logs = vi.spyOn(console, "log").mockImplementation(() => {});
      const warns = vi.spyOn(console, "warn").mockImplementation(() => {});
      vi.spyOn(t.db, "batch").mockRejectedValue(new Error(`database unavailable`));
      const res = await postEvaluation(t, code, { version: 1, data: NEGATIVE });
      expect(res.status).toBe(500);
      expect(errors).toHaveBeenCalled();
      const output = [...errors.mock.calls, ...logs.mock.calls, ...warns.mock.calls]
        .flat()
        .map(String)
        .join("\n");
      expect(output).toContain("/api/public/inspections/:code/evaluation");
      expect(output).not.toContain(code);
      expect(output).not.toContain(code.split(".")[2]);
      expect(await stored()).toEqual({ evaluations: 0, alerts: 0 });
    },
  );
});
