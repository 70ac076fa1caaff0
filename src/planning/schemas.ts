import { z } from "@hono/zod-openapi";
import { PLANNED_KINDS, PLANNED_STATUSES } from "../db/schema.ts";

const id = z.string().min(1).max(64);
const isoTime = z.string().datetime({ offset: true, message: "必须是带时区的 ISO 时间" });

/** A planned task as a department enters it; administrators name the department, others get their own. */
export const TaskBody = z
  .object({
    enterpriseId: id,
    departmentId: id.optional(),
    kind: z.enum(PLANNED_KINDS),
    plannedStart: isoTime,
    plannedEnd: isoTime,
    itemIds: z.array(id).min(1, "至少选择一项检查事项").max(50),
    notes: z.string().max(2000).optional(),
  })
  .openapi("PlannedTaskRequest");

export const TaskPatch = TaskBody.omit({ departmentId: true }).partial().openapi("PlannedTaskPatch");

export const TaskIdParam = z.object({ id });

export const TaskListQuery = z.object({
  from: isoTime.optional(),
  to: isoTime.optional(),
  department: id.optional(),
  enterpriseId: id.optional(),
  status: z.enum(PLANNED_STATUSES).optional(),
});

export const PeriodQuery = z.object({ from: isoTime.optional(), to: isoTime.optional() });

export const PlannedTask = z
  .object({
    id: z.string(),
    enterprise: z.object({ id: z.string(), name: z.string(), creditCode: z.string() }),
    department: z.object({ id: z.string(), name: z.string() }),
    kind: z.enum(PLANNED_KINDS),
    plannedStart: z.string(),
    plannedEnd: z.string(),
    notes: z.string(),
    status: z.enum(PLANNED_STATUSES),
    inspectionId: z.string().nullable(),
    items: z.array(z.object({ id: z.string(), code: z.string(), name: z.string(), legalBasis: z.string() })),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("PlannedTask");

const Saving = z.object({ tasks: z.number(), visits: z.number(), saved: z.number() });

export const MatchView = z
  .object({
    from: z.string(),
    to: z.string(),
    windowDays: z.number(),
    groups: z.array(
      z.object({
        enterprise: z.object({ id: z.string(), name: z.string(), creditCode: z.string() }),
        departments: z.array(z.object({ id: z.string(), name: z.string() })),
        tasks: z.array(PlannedTask),
        saved: z.number(),
        /** A window for the joint visit: the tasks' common window when they share one. */
        suggested: z.object({
          leadDepartmentId: z.string(),
          plannedStart: z.string(),
          plannedEnd: z.string(),
        }),
      }),
    ),
    /** Still to merge: every group one visit. */
    open: Saving,
    /** Already merged in the period: tasks and the joint visits they became. */
    merged: Saving,
    total: Saving,
  })
  .openapi("PlanningMatches");

export const MergeBody = z
  .object({
    taskIds: z.array(id).min(2, "至少合并两项计划任务").max(50),
    leadDepartmentId: id,
    officerIds: z.array(id).min(1).max(50),
    plannedStart: isoTime,
    plannedEnd: isoTime,
    notes: z.string().max(4000).optional(),
  })
  .openapi("PlanningMergeRequest");

export const MergeResult = z
  .object({
    id: z.string(),
    departments: z.array(z.string()),
    /** Departments whose administrator has yet to approve taking part (R18). */
    pendingDepartmentIds: z.array(z.string()),
    tasks: z.number(),
    saved: z.number(),
  })
  .openapi("PlanningMergeResult");
