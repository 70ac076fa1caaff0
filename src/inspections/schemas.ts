import { z } from "@hono/zod-openapi";
import { INSPECTION_STATUSES, INSPECTION_TYPES } from "../db/schema.ts";

const ids = z.array(z.string().min(1).max(64)).max(50);
const isoTime = z.string().datetime({ offset: true, message: "必须是带时区的 ISO 时间" });

export const FilingBody = z
  .object({
    enterpriseId: z.string().min(1).max(64),
    type: z.enum(INSPECTION_TYPES),
    caseReason: z.string().trim().max(500).optional(),
    plannedStart: isoTime,
    plannedEnd: isoTime,
    /** Departments besides the filer's own that take part from the start (a joint filing). */
    departmentIds: ids.optional(),
    /** Officers and helpers; helpers are recognised from the officer directory. */
    officerIds: ids.min(1),
    itemIds: ids.min(1, "至少选择一项检查事项"),
    legalBasis: z.string().trim().max(4000).optional(),
    notes: z.string().max(4000).optional(),
    lateReason: z.string().trim().max(1000).optional(),
  })
  .openapi("FilingRequest");

export const JoinBody = z
  .object({ officerIds: ids.min(1), itemIds: ids.min(1, "至少选择一项检查事项") })
  .openapi("JoinRequest");

export const ReasonBody = z.object({ reason: z.string().trim().min(1, "必须填写理由").max(2000) });
export const NoteBody = z.object({ note: z.string().trim().max(2000).optional() });

export const InspectionIdParam = z.object({ id: z.string().min(1).max(64) });

export const InspectionListQuery = z.object({
  status: z.enum(INSPECTION_STATUSES).optional(),
  enterpriseId: z.string().max(64).optional(),
  mine: z.enum(["1", "0"]).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const InspectionSummary = z
  .object({
    id: z.string(),
    status: z.enum(INSPECTION_STATUSES),
    type: z.enum(INSPECTION_TYPES),
    enterprise: z.object({ id: z.string(), name: z.string(), creditCode: z.string() }),
    leadDepartmentId: z.string(),
    departments: z.array(z.object({ id: z.string(), name: z.string() })),
    plannedStart: z.string(),
    plannedEnd: z.string(),
    lateFiling: z.boolean(),
    joint: z.boolean(),
    filedAt: z.string(),
  })
  .openapi("InspectionSummary");

export const InspectionDetail = InspectionSummary.extend({
  caseReason: z.string().nullable(),
  lateReason: z.string().nullable(),
  legalBasis: z.string(),
  notes: z.string(),
  refusalReason: z.string().nullable(),
  cancelReason: z.string().nullable(),
  filedBy: z.string().nullable(),
  arrivalLocation: z.object({ lat: z.number(), lng: z.number(), accuracy: z.number().optional() }).nullable(),
  officers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      departmentId: z.string(),
      credentialNo: z.string().nullable(),
      isHelper: z.boolean(),
    }),
  ),
  items: z.array(
    z.object({
      id: z.string(),
      code: z.string(),
      name: z.string(),
      departmentId: z.string(),
      /** As filed (src/inspections/filed-items.ts); null: the inspection's `legalBasis` alone says it. */
      legalBasis: z.string().nullable(),
    }),
  ),
  times: z.object({
    decidedAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    registeredAt: z.string().nullable(),
    evaluatedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    arrivedAt: z.string().nullable(),
    enterpriseArrivalAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
  }),
}).openapi("Inspection");
