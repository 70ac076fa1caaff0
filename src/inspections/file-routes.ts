import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { currentUser, requireUser } from "../auth/session.ts";
import type { AppEnv, SessionUser } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { fileInspection, loadFilingFacts, type WindowConflict } from "./filing-use-case.ts";
import { FilingBody } from "./schemas.ts";

const filers = requireUser("officer", "dept_admin");

const ConflictSchema = z.object({
  error: z.object({
    code: z.literal("duplicate_window"),
    message: z.string(),
    conflict: z.object({
      id: z.string(),
      departments: z.array(z.string()),
      plannedStart: z.string(),
      /** False when the filer's own department already takes part: a repeat, not a joint inspection. */
      joinable: z.boolean(),
    }),
  }),
});

const file = createRoute({
  method: "post",
  path: "/",
  summary: "事前备案一次检查",
  description:
    "执法人员、部门管理员。时间窗口重复 → 409 `duplicate_window`，附 `conflict:{id, departments, plannedStart, joinable}`（只给名称，不授予任何权限）。其他规则 → 422：`unknown_enterprise`、`invalid_window`、`case_reason_required`、`department_not_listed`、`unknown_officer`、`officer_outside_department`、`credential_invalid`、`too_few_officers`、`too_few_department_officers`（联合检查：某部门少于 `JOINT_MIN_OFFICERS_PER_DEPARTMENT`）、`items_required`、`item_not_in_catalog`、`item_outside_department`、`late_reason_required`、`late_filing_too_late`（计划开始早于 `LATE_FILING_MAX_DAYS` 天前）、`yearly_cap`。其他 `departmentIds` 经其管理员批准后参与（`pendingDepartmentIds`）。规则：docs/INSPECTIONS.md。",
  tags: ["inspections"],
  middleware: [filers] as const,
  request: jsonBody(FilingBody),
  responses: {
    201: jsonResponse(
      "已备案；其他部门须经其部门管理员批准后才参与（pendingDepartmentIds）",
      z.object({
        id: z.string(),
        status: z.string(),
        lateFiling: z.boolean(),
        pendingDepartmentIds: z.array(z.string()),
      }),
    ),
    409: jsonResponse("与窗口期内的已有备案重复（不予通过），可申请加入该次联合检查", ConflictSchema),
    ...errors(400, 401, 403, 422),
  },
});

function filerDepartment(user: SessionUser): string {
  if (!user.departmentId) throw new ApiError(403, "forbidden", "只有部门的执法人员或部门管理员可以备案");
  return user.departmentId;
}

export function filingRoutes() {
  const app = newRouter();

  app.openapi(file, async (c) => {
    const user = currentUser(c);
    const body = c.req.valid("json");
    const { config } = c.var.deps;
    const lead = filerDepartment(user);
    const facts = await loadFilingFacts(
      c.var.db,
      {
        enterpriseId: body.enterpriseId,
        departmentIds: [lead, ...new Set((body.departmentIds ?? []).filter((d) => d !== lead))],
        officerIds: [...new Set(body.officerIds)],
        itemIds: [...new Set(body.itemIds)],
        type: body.type,
        caseReason: body.caseReason,
        plannedStart: Date.parse(body.plannedStart),
        plannedEnd: Date.parse(body.plannedEnd),
        lateReason: body.lateReason,
        now: Date.now(),
      },
      { timeZone: config.timeZone, lateFilingMaxDays: config.inspections.lateFilingMaxDays },
    );
    const result = await fileInspection(c.var.db, facts, {
      config: config.inspections,
      filedBy: user.id,
      audit: { actorId: user.id, actorName: user.username, ip: c.var.clientIp, detail: {} },
      legalBasis: body.legalBasis,
      notes: body.notes,
    });
    switch (result.kind) {
      case "filed":
        return c.json(
          {
            id: result.id,
            status: "filed",
            lateFiling: result.lateFiling,
            pendingDepartmentIds: result.pendingDepartmentIds,
          },
          201,
        );
      case "violation":
        throw new ApiError(422, result.violation.code, result.violation.message, result.violation.details);
      case "conflict":
        return refuseDuplicate(c, result.conflict, lead);
      case "cap":
        throw new ApiError(422, "yearly_cap", "本部门本年度对该企业的检查次数已达上限");
    }
  });

  return app;
}

/**
 * The refusal of a filing in another's window (409), naming the filing and its departments so the
 * officer can ask to join it instead — unless the filer's own department already takes part (then it
 * is a repeat, never a joint inspection).
 */
function refuseDuplicate(c: Context<AppEnv>, found: WindowConflict, departmentId: string): never {
  const conflict = {
    id: found.id,
    departments: found.departments.map((d) => d.name),
    plannedStart: new Date(found.plannedStart).toISOString(),
    joinable: !found.departments.some((d) => d.id === departmentId),
  };
  const days = c.var.deps.config.inspections.duplicateWindowDays;
  const offer = conflict.joinable
    ? "可申请加入该次检查，实行联合检查"
    : "本部门已参与该次检查，同一部门不得在窗口期内重复检查；如需增加事项，请联系该次检查的备案人";
  throw new ApiError(
    409,
    "duplicate_window",
    `不予通过：该企业在 ${days} 天窗口期内已有检查备案（${conflict.departments.join("、")}），${offer}`,
    undefined,
    { conflict },
  );
}
