import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Context } from "hono";
import { currentUser, requireUser } from "../auth/session.ts";
import {
  catalogItems,
  departments,
  enterprises,
  inspectionDepartments,
  inspections,
  officers,
} from "../db/schema.ts";
import type { AppEnv, SessionUser } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { newId, randomToken } from "../lib/ids.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { loadInspection, participatingDepartments } from "./access.ts";
import { filingStatements, firstInWindow, joinStatements, type AuditLine } from "./filing.ts";
import { checkFiling, effectiveYearlyCap, legalBasisFromItems, type FilingFacts } from "./rules.ts";
import { yearBounds } from "../lib/time.ts";
import { FilingBody, InspectionIdParam, JoinBody } from "./schemas.ts";

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
  tags: ["inspections"],
  middleware: [filers] as const,
  request: jsonBody(FilingBody),
  responses: {
    201: jsonResponse("已备案", z.object({ id: z.string(), status: z.string(), lateFiling: z.boolean() })),
    409: jsonResponse("与窗口期内的已有备案重复（不予通过），可申请加入该次联合检查", ConflictSchema),
    ...errors(400, 401, 403, 422),
  },
});

const join = createRoute({
  method: "post",
  path: "/{id}/join-request",
  tags: ["inspections"],
  middleware: [filers] as const,
  request: { params: InspectionIdParam, ...jsonBody(JoinBody) },
  responses: {
    200: jsonResponse("已加入联合检查", z.object({ id: z.string(), departments: z.array(z.string()) })),
    ...errors(400, 401, 403, 404, 409, 422),
  },
});

function filerDepartment(user: SessionUser): string {
  if (!user.departmentId) throw new ApiError(403, "forbidden", "只有部门的执法人员或部门管理员可以备案");
  return user.departmentId;
}

async function loadFacts(
  c: Context<AppEnv>,
  departmentIds: string[],
  officerIds: string[],
  itemIds: string[],
) {
  const db = c.var.db;
  const [depts, people, items] = await Promise.all([
    db.select().from(departments).where(inArray(departments.id, departmentIds)),
    db.select().from(officers).where(inArray(officers.id, officerIds)),
    db.select().from(catalogItems).where(inArray(catalogItems.id, itemIds)),
  ]);
  return { depts, people, items };
}

function auditLine(
  c: Context<AppEnv>,
  user: SessionUser,
  action: string,
  detail: Record<string, unknown>,
): AuditLine {
  return { actorId: user.id, actorName: user.username, ip: c.var.clientIp, action, detail };
}

/**
 * The filing that occupies the window, named in the refusal so the officer can join it instead —
 * unless the filer's own department already takes part in it (then it is a repeat, never joint).
 */
async function findConflict(
  c: Context<AppEnv>,
  enterpriseId: string,
  plannedStart: number,
  departmentId: string,
) {
  const windowDays = c.var.deps.config.inspections.duplicateWindowDays;
  const row = await firstInWindow(c.var.db, enterpriseId, plannedStart, windowDays);
  if (!row) return null;
  const names = await c.var.db
    .select({ id: departments.id, name: departments.name })
    .from(inspectionDepartments)
    .innerJoin(departments, eq(departments.id, inspectionDepartments.departmentId))
    .where(eq(inspectionDepartments.inspectionId, row.id));
  return {
    id: row.id,
    departments: names.map((n) => n.name),
    plannedStart: new Date(row.plannedStart).toISOString(),
    joinable: !names.some((n) => n.id === departmentId),
  };
}

export function filingRoutes() {
  const app = newRouter();

  app.openapi(file, async (c) => {
    const user = currentUser(c);
    const body = c.req.valid("json");
    const { config } = c.var.deps;
    const lead = filerDepartment(user);
    const departmentIds = [lead, ...new Set((body.departmentIds ?? []).filter((d) => d !== lead))];
    const officerIds = [...new Set(body.officerIds)];
    const itemIds = [...new Set(body.itemIds)];
    const plannedStart = Date.parse(body.plannedStart);
    const plannedEnd = Date.parse(body.plannedEnd);
    const now = Date.now();
    const { depts, people, items } = await loadFacts(c, departmentIds, officerIds, itemIds);
    const [enterprise] = await c.var.db
      .select({ id: enterprises.id })
      .from(enterprises)
      .where(eq(enterprises.id, body.enterpriseId));
    const facts: FilingFacts = {
      departments: departmentIds.map((id) => depts.find((d) => d.id === id)).filter((d) => d !== undefined),
      requestedDepartmentIds: departmentIds,
      officers: people,
      requestedOfficerIds: officerIds,
      items,
      requestedItemIds: itemIds,
      enterprise,
      type: body.type,
      caseReason: body.caseReason,
      plannedStart,
      plannedEnd,
      lateReason: body.lateReason,
      now,
      timeZone: config.timeZone,
      lateFilingMaxDays: config.inspections.lateFilingMaxDays,
    };
    const violation = checkFiling(facts);
    if (violation) throw new ApiError(422, violation.code, violation.message, violation.details);

    const id = newId();
    const caps = new Map(
      departmentIds.map((d) => [
        d,
        effectiveYearlyCap(
          config.inspections.yearlyCapPerDepartment,
          items.filter((i) => i.departmentId === d),
        ),
      ]),
    );
    const lateFiling = plannedStart < now;
    const results = await c.var.db.batch(
      filingStatements(
        c.var.db,
        {
          id,
          enterpriseId: body.enterpriseId,
          leadDepartmentId: lead,
          departmentIds,
          type: body.type,
          caseReason: body.type === "case" ? body.caseReason!.trim() : null,
          plannedStart,
          plannedEnd,
          legalBasis:
            body.legalBasis?.trim() ||
            legalBasisFromItems(itemIds.map((i) => items.find((x) => x.id === i)!)),
          notes: body.notes ?? "",
          lateFiling,
          lateReason: lateFiling ? body.lateReason!.trim() : null,
          filedBy: user.id,
          officers: people.map((o) => ({ id: o.id, isHelper: o.isHelper })),
          items: items.map((i) => ({ id: i.id, departmentId: i.departmentId })),
          codeNonce: randomToken(16),
          now,
        },
        {
          windowDays: config.inspections.duplicateWindowDays,
          year: yearBounds(plannedStart, config.timeZone),
          caps,
        },
        auditLine(c, user, "inspection.filed", {
          after: {
            status: "filed",
            type: body.type,
            enterpriseId: body.enterpriseId,
            departmentIds,
            lateFiling,
          },
        }),
      ) as unknown as Parameters<typeof c.var.db.batch>[0],
    );
    if ((results[0] as { rowsAffected: number }).rowsAffected === 1) {
      return c.json({ id, status: "filed", lateFiling }, 201);
    }
    return refuse(c, body.enterpriseId, plannedStart, lead);
  });

  app.openapi(join, async (c) => {
    const user = currentUser(c);
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { config } = c.var.deps;
    const department = filerDepartment(user);
    // Joining is how another department reaches a filing it cannot yet read.
    const [target] = await c.var.db.select().from(inspections).where(eq(inspections.id, id));
    if (!target) throw new ApiError(404, "not_found", "检查不存在");
    if ((await participatingDepartments(c, id)).includes(department)) {
      throw new ApiError(409, "already_joined", "本部门已参与该次检查");
    }
    if (!["filed", "approved"].includes(target.status)) {
      throw new ApiError(409, "invalid_state", "该次检查已开始或已结束，不能再加入");
    }
    const officerIds = [...new Set(body.officerIds)];
    const itemIds = [...new Set(body.itemIds)];
    const { depts, people, items } = await loadFacts(c, [department], officerIds, itemIds);
    const violation = checkFiling({
      departments: depts,
      requestedDepartmentIds: [department],
      officers: people,
      requestedOfficerIds: officerIds,
      items,
      requestedItemIds: itemIds,
      enterprise: { id: target.enterpriseId },
      type: target.type,
      caseReason: target.caseReason ?? undefined,
      plannedStart: target.plannedStart,
      plannedEnd: target.plannedEnd,
      lateReason: target.lateReason ?? "joined",
      // Joining adds to a visit already filed (and, if late, already within the 补办 period then).
      lateFilingMaxDays: Infinity,
      now: Date.now(),
      timeZone: config.timeZone,
    });
    // The two-inspector minimum applies to the whole visit, which already has it.
    if (violation && violation.code !== "too_few_officers") {
      throw new ApiError(422, violation.code, violation.message, violation.details);
    }
    const now = Date.now();
    const cap = effectiveYearlyCap(config.inspections.yearlyCapPerDepartment, items);
    const results = await c.var.db.batch(
      joinStatements(
        c.var.db,
        {
          inspectionId: id,
          enterpriseId: target.enterpriseId,
          departmentId: department,
          userId: user.id,
          officers: people.map((o) => ({ id: o.id, isHelper: o.isHelper })),
          items: itemIds
            .map((i) => items.find((x) => x.id === i)!)
            .map((i) => ({ id: i.id, departmentId: i.departmentId })),
          now,
          year: yearBounds(target.plannedStart, config.timeZone),
          cap,
          exempt: target.type === "case",
        },
        auditLine(c, user, "inspection.joined", { departmentId: department, officerIds, itemIds }),
      ) as unknown as Parameters<typeof c.var.db.batch>[0],
    );
    if ((results[0] as { rowsAffected: number }).rowsAffected !== 1) {
      const [after] = await c.var.db.select().from(inspections).where(eq(inspections.id, id));
      if (after && ["filed", "approved"].includes(after.status)) {
        throw new ApiError(422, "yearly_cap", "本部门本年度对该企业的检查次数已达上限");
      }
      throw new ApiError(409, "invalid_state", "该次检查已开始或已结束，不能再加入");
    }
    const row = await loadInspection(c, id, "read");
    return c.json({ id: row.id, departments: await participatingDepartments(c, id) }, 200);
  });

  return app;
}

/** Explains why the guarded insert admitted nothing: the window (409, naming the filing) or a cap. */
async function refuse(
  c: Context<AppEnv>,
  enterpriseId: string,
  plannedStart: number,
  departmentId: string,
): Promise<never> {
  const conflict = await findConflict(c, enterpriseId, plannedStart, departmentId);
  if (conflict) {
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
  throw new ApiError(422, "yearly_cap", "本部门本年度对该企业的检查次数已达上限");
}
