/**
 * 复查 (issue 15): an officer files a re-inspection of corrective actions of one inspection. It goes
 * through the one filing use case, exempt from the duplicate window and the yearly cap, linked to the
 * original; its checklist holds only the re-inspected points (checklists/generate.ts), and its submit
 * settles them (checklists/findings.ts).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { inArray, sql } from "drizzle-orm";
import { currentUser, requireUser } from "../auth/session.ts";
import { correctiveActions } from "../db/schema.ts";
import { conditionalAudit } from "../inspections/filing.ts";
import { fileInspection, loadFilingFacts } from "../inspections/filing-use-case.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";

const REINSPECTABLE = ["open", "returned", "evidence_submitted"] as const;
const isoTime = z.string().datetime({ offset: true, message: "请使用 ISO 8601 时间" });
const ids = z.array(z.string().min(1).max(64)).max(50);

const ReinspectionBody = z
  .object({
    actionIds: ids.min(1, "请选择要复查的整改事项"),
    officerIds: ids.min(1),
    plannedStart: isoTime,
    plannedEnd: isoTime,
    notes: z.string().max(4000).optional(),
    lateReason: z.string().trim().max(1000).optional(),
  })
  .openapi("ReinspectionRequest");

const file = createRoute({
  method: "post",
  path: "/reinspections",
  description:
    "执法人员、部门管理员。经同一备案流程生成 `reinspection`（复查）类备案，不受重复时间窗口和年度上限约束；照常审批。其检查单只含复查的检查点；提交即了结（合格 → accepted，不合格 → superseded 并生成新的整改）。422 `actions_of_several_inspections`；其他部门的整改 → 404；已认可或已在复查中 → 409 `action_not_reinspectable`。",
  tags: ["actions"],
  summary: "从同一次检查的整改事项发起复查（不受重复检查窗口和年度次数限制）",
  middleware: [requireUser("officer", "dept_admin")] as const,
  request: jsonBody(ReinspectionBody),
  responses: {
    201: jsonResponse(
      "已备案复查",
      z.object({ id: z.string(), status: z.string(), reinspectionOf: z.string() }),
    ),
    ...errors(400, 401, 403, 404, 409, 422),
  },
});

export function reinspectionRoutes() {
  const app = newRouter();

  app.openapi(file, async (c) => {
    const user = currentUser(c);
    const body = c.req.valid("json");
    const { config } = c.var.deps;
    if (!user.departmentId) throw new ApiError(403, "forbidden", "只有部门的执法人员可以发起复查");
    const actionIds = [...new Set(body.actionIds)];
    const actions = await c.var.db
      .select()
      .from(correctiveActions)
      .where(inArray(correctiveActions.id, actionIds));
    // Another department's action is as unknown as a missing one.
    if (actions.length !== actionIds.length || actions.some((a) => a.departmentId !== user.departmentId))
      throw notFound("整改事项");
    const inspectionIds = new Set(actions.map((a) => a.inspectionId));
    if (inspectionIds.size > 1)
      throw new ApiError(422, "actions_of_several_inspections", "一次复查只能针对同一次检查的整改事项");
    const notOpen = actions.filter((a) => !(REINSPECTABLE as readonly string[]).includes(a.status));
    if (notOpen.length)
      throw new ApiError(
        409,
        "action_not_reinspectable",
        "所选整改事项已验收或已在复查中",
        notOpen.map((a) => a.id),
      );
    const original = actions[0]!.inspectionId;
    const now = Date.now();
    const facts = await loadFilingFacts(
      c.var.db,
      {
        enterpriseId: actions[0]!.enterpriseId,
        departmentIds: [user.departmentId],
        officerIds: [...new Set(body.officerIds)],
        itemIds: [...new Set(actions.map((a) => a.itemId))],
        type: "reinspection",
        plannedStart: Date.parse(body.plannedStart),
        plannedEnd: Date.parse(body.plannedEnd),
        lateReason: body.lateReason,
        now,
      },
      { timeZone: config.timeZone, lateFilingMaxDays: config.inspections.lateFilingMaxDays },
    );
    const idList = sql.join(
      actionIds.map((id) => sql`${id}`),
      sql`, `,
    );
    // The actions are still unclaimed when the filing is written: two 复查 of one action cannot both pass.
    const stillOpen = sql`(SELECT count(*) FROM corrective_actions WHERE id IN (${idList})
      AND status IN ('open','returned','evidence_submitted') AND reinspection_id IS NULL) = ${actionIds.length}`;
    const audit = { actorId: user.id, actorName: user.username, ip: c.var.clientIp, detail: {} };
    const result = await fileInspection(
      c.var.db,
      { ...facts, reinspectionOf: original },
      {
        config: config.inspections,
        filedBy: user.id,
        audit: { ...audit, detail: { reinspectionOf: original, actionIds } },
        notes: body.notes,
        reinspectionOf: original,
        also: stillOpen,
        then: (id, inserted) => [
          c.var.db.run(sql`UPDATE corrective_actions SET status = 'reinspection', reinspection_id = ${id},
          updated_at = ${now} WHERE id IN (${idList}) AND ${inserted}`),
          conditionalAudit(
            c.var.db,
            {
              ...audit,
              action: "action.reinspection",
              detail: { reinspectionId: id, actionIds, after: { status: "reinspection" } },
            },
            original,
            now,
            inserted,
          ),
        ],
      },
    );
    switch (result.kind) {
      case "filed":
        return c.json({ id: result.id, status: "filed", reinspectionOf: original }, 201);
      case "violation":
        throw new ApiError(422, result.violation.code, result.violation.message, result.violation.details);
      default:
        throw new ApiError(409, "action_not_reinspectable", "整改事项状态已变化，请刷新后重试");
    }
  });

  return app;
}
