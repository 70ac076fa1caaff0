import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Context } from "hono";
import { ALERT_TOPIC, eventsOf } from "../alerts/events.ts";
import { alertStatements } from "../alerts/create.ts";
import { alertItem } from "../alerts/views.ts";
import type { Db } from "../db/client.ts";
import { COMPLAINT_KINDS, complaints, departments } from "../db/schema.ts";
import { isUniqueViolation } from "../directory/unique.ts";
import type { AppEnv } from "../env.ts";
import { inspectionByCode } from "../evaluations/code-access.ts";
import { ApiError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { addDays, localDate, parseBound } from "../lib/time.ts";
import { COMPLAINT_KIND_LABELS, COMPLAINT_STATUS_LABELS } from "./labels.ts";
import { currentEnterprise, enterpriseActor, requireEnterprise } from "./session.ts";

/** How far back a visit may be complained about. */
const VISIT_LOOKBACK_DAYS = 366;
/** Complaints one enterprise may file per hour: enough for a real grievance, not for a flood. */
const COMPLAINTS_PER_HOUR = 10;
const HOUR = 3_600_000;
const LIST_LIMIT = 200;

const ComplaintBody = z
  .object({
    kind: z.enum(COMPLAINT_KINDS),
    departmentId: z.string().min(1).max(40),
    visitDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "日期格式应为 YYYY-MM-DD"),
    text: z.string().trim().min(1, "请填写投诉内容").max(2000, "投诉内容不能超过 2000 字"),
    inspectionCode: z.string().trim().max(400).optional(),
  })
  .strict()
  .openapi("EnterpriseComplaintBody");

export const ComplaintItem = z
  .object({
    id: z.string(),
    receiptNo: z.string(),
    kind: z.enum(COMPLAINT_KINDS),
    kindLabel: z.string(),
    departmentName: z.string(),
    visitDate: z.string(),
    inspectionId: z.string().nullable(),
    text: z.string(),
    status: z.string(),
    statusLabel: z.string(),
    outcome: z.string().nullable(),
    createdAt: z.string(),
    closedAt: z.string().nullable(),
  })
  .openapi("EnterpriseComplaint");

const file = createRoute({
  method: "post",
  path: "/complaints",
  description:
    "回执号为 `TS<yyyymmdd>-<6 位随机>`。422 `future_date`、`too_old`（超过一年前）、`invalid_date`、`unknown_department`、`wrong_inspection`（其他企业的检查码；伪造的码 401）。该部门对本企业没有计划时间覆盖当天的备案时，标记 `unfiledVisit`。一个批次写入：投诉、审计 `complaint.file`、给司法局的 `complaint` 类告警（webhook 从不带企业原文）。每家企业每小时 10 条（429）。部门用户从不看到投诉。",
  tags: ["enterprise"],
  summary: "企业投诉（含未备案入企），立即向司法局告警",
  middleware: [requireEnterprise()] as const,
  request: jsonBody(ComplaintBody),
  responses: {
    201: jsonResponse("已受理", z.object({ id: z.string(), receiptNo: z.string() })),
    ...errors(400, 401, 403, 422, 429),
  },
});

const list = createRoute({
  method: "get",
  path: "/complaints",
  description:
    "只有本企业的，从新到旧。告警被指派时投诉变为 `handling`，告警办结时变为 `closed` 并带其结果；处理记录和处理人从不显示。",
  tags: ["enterprise"],
  summary: "本企业的投诉及办理状态、结果",
  middleware: [requireEnterprise()] as const,
  responses: {
    200: jsonResponse("投诉，新的在前", z.object({ items: z.array(ComplaintItem) })),
    ...errors(401),
  },
});

const departmentList = createRoute({
  method: "get",
  path: "/departments",
  tags: ["enterprise"],
  summary: "行政检查主体清单上的部门（投诉表单用）",
  middleware: [requireEnterprise()] as const,
  responses: {
    200: jsonResponse("部门", z.object({ items: z.array(z.object({ id: z.string(), name: z.string() })) })),
    ...errors(401),
  },
});

/**
 * 未备案入企: true when no filing of that department (leading or joined) for that enterprise, other than
 * a draft, a refused or a withdrawn one, has a planned window touching that local day.
 */
export async function isUnfiledVisit(
  db: Db,
  enterpriseId: string,
  departmentId: string,
  day: string,
  timeZone: string,
): Promise<boolean> {
  const start = parseBound(day, timeZone)!;
  const end = parseBound(day, timeZone, true)!;
  const rows = await db.all<{ id: string }>(sql`SELECT i.id FROM inspections i
    JOIN inspection_departments d ON d.inspection_id = i.id AND d.department_id = ${departmentId}
    WHERE i.enterprise_id = ${enterpriseId} AND i.status NOT IN ('draft', 'refused', 'cancelled')
      AND i.planned_start < ${end} AND i.planned_end >= ${start} LIMIT 1`);
  return rows.length === 0;
}

/** A receipt readable over the phone: TS, the day, six random characters (settled by the unique index). */
function receiptNo(now: number, timeZone: string): string {
  return `TS${localDate(now, timeZone).replaceAll("-", "")}-${newId(6).toUpperCase()}`;
}

async function fileComplaint(c: Context<AppEnv>, body: z.infer<typeof ComplaintBody>) {
  const enterprise = currentEnterprise(c);
  const db = c.var.db;
  const config = c.var.deps.config;
  const tz = config.timeZone;
  const now = c.var.deps.now?.() ?? Date.now();
  const today = localDate(now, tz);
  const asDate = new Date(`${body.visitDate}T00:00:00Z`);
  if (Number.isNaN(asDate.getTime()) || asDate.toISOString().slice(0, 10) !== body.visitDate)
    throw new ApiError(422, "invalid_date", "检查日期无效");
  if (body.visitDate > today) throw new ApiError(422, "future_date", "检查日期不能晚于今天");
  if (body.visitDate < addDays(today, -VISIT_LOOKBACK_DAYS))
    throw new ApiError(422, "too_old", "只受理一年内的检查投诉");
  const hit = await c.var.deps.rateLimiter.hit(
    `submit:ent-complaint:${enterprise.id}`,
    COMPLAINTS_PER_HOUR,
    HOUR,
  );
  if (!hit.allowed) {
    c.header("Retry-After", String(Math.ceil(hit.retryAfterMs / 1000)));
    throw new ApiError(429, "rate_limited", "投诉提交过于频繁，请稍后再试");
  }
  const [dept] = await db
    .select({ id: departments.id, name: departments.name })
    .from(departments)
    .where(and(eq(departments.id, body.departmentId), eq(departments.listed, true)))
    .limit(1);
  if (!dept) throw new ApiError(422, "unknown_department", "请选择清单上的检查部门");
  let inspectionId: string | null = null;
  if (body.inspectionCode) {
    const row = await inspectionByCode(c, body.inspectionCode);
    // Another enterprise's code proves nothing about this one's visit; said like a wrong code.
    if (row.enterpriseId !== enterprise.id)
      throw new ApiError(422, "wrong_inspection", "检查码不属于本企业的检查");
    inspectionId = row.id;
  }
  const unfiledVisit = await isUnfiledVisit(db, enterprise.id, dept.id, body.visitDate, tz);
  const id = newId();
  const alertId = newId();
  const label = COMPLAINT_KIND_LABELS[body.kind];
  // The summary and the webhook name the kind and the date, never what the enterprise wrote.
  const summary = `企业投诉（${label}）：${body.visitDate} 的入企检查${unfiledVisit ? "，无对应备案" : ""}`;
  const stored = sql`EXISTS (SELECT 1 FROM complaints WHERE id = ${id})`;
  for (let attempt = 0; ; attempt++) {
    const receipt = receiptNo(now, tz);
    const statements = [
      db.insert(complaints).values({
        id,
        receiptNo: receipt,
        enterpriseId: enterprise.id,
        departmentId: dept.id,
        kind: body.kind,
        visitDate: body.visitDate,
        inspectionId,
        text: body.text,
        unfiledVisit,
        status: "received",
        createdAt: now,
      }),
      db.run(sql`INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, ip, detail)
        SELECT ${now}, NULL, ${enterpriseActor(enterprise)}, 'complaint.file', 'complaint', ${id},
          ${c.var.clientIp ?? null}, ${JSON.stringify({ receiptNo: receipt, kind: body.kind, departmentId: dept.id, visitDate: body.visitDate, inspectionId, unfiledVisit })}
        WHERE ${stored}`),
      ...alertStatements(
        db,
        {
          id: alertId,
          eventId: newId(),
          kind: "complaint",
          inspectionId,
          complaintId: id,
          departmentId: dept.id,
          summary,
          now,
          outboxId: config.inspections.webhookUrl ? newId() : undefined,
          webhookDetail: { complaintKind: body.kind, visitDate: body.visitDate, unfiledVisit },
        },
        stored,
      ),
    ];
    try {
      await db.batch(statements as unknown as Parameters<Db["batch"]>[0]);
    } catch (error) {
      if (isUniqueViolation(error) && attempt < 3) continue;
      throw error;
    }
    const alert = await alertItem(db, alertId);
    if (alert) eventsOf(c.var.deps).publish(ALERT_TOPIC, { kind: "created", alert });
    return { id, receiptNo: receipt };
  }
}

/** Complaints (R14): filed by the signed-in enterprise, read back only by it and the 司法局. */
export function enterpriseComplaintRoutes() {
  const app = newRouter();

  app.openapi(file, async (c) => c.json(await fileComplaint(c, c.req.valid("json")), 201));

  app.openapi(list, async (c) => {
    const enterprise = currentEnterprise(c);
    const rows = await c.var.db
      .select({ complaint: complaints, departmentName: departments.name })
      .from(complaints)
      .innerJoin(departments, eq(departments.id, complaints.departmentId))
      .where(eq(complaints.enterpriseId, enterprise.id))
      .orderBy(desc(complaints.createdAt), desc(complaints.id))
      .limit(LIST_LIMIT);
    // Status and outcome only: who handles it and the handling notes stay with the 司法局.
    const items = rows.map(({ complaint: r, departmentName }) => ({
      id: r.id,
      receiptNo: r.receiptNo,
      kind: r.kind,
      kindLabel: COMPLAINT_KIND_LABELS[r.kind],
      departmentName,
      visitDate: r.visitDate,
      inspectionId: r.inspectionId,
      text: r.text,
      status: r.status,
      statusLabel: COMPLAINT_STATUS_LABELS[r.status],
      outcome: r.status === "closed" ? r.outcome : null,
      createdAt: iso(r.createdAt)!,
      closedAt: iso(r.closedAt),
    }));
    return c.json({ items }, 200);
  });

  app.openapi(departmentList, async (c) => {
    const items = await c.var.db
      .select({ id: departments.id, name: departments.name })
      .from(departments)
      .where(eq(departments.listed, true))
      .orderBy(asc(departments.code));
    return c.json({ items }, 200);
  });

  return app;
}
