import { z } from "@hono/zod-openapi";
import { ALERT_KINDS, ALERT_STATUSES } from "../db/schema.ts";

const Person = z.object({ id: z.string(), displayName: z.string() });

export const AlertItemSchema = z
  .object({
    id: z.string(),
    kind: z.enum(ALERT_KINDS),
    kindLabel: z.string(),
    status: z.enum(ALERT_STATUSES),
    statusLabel: z.string(),
    summary: z.string(),
    inspectionId: z.string().nullable(),
    evaluationId: z.string().nullable(),
    complaintId: z.string().nullable(),
    department: z.object({ id: z.string(), name: z.string() }),
    enterprise: z.object({ name: z.string() }),
    assignedTo: Person.nullable(),
    outcome: z.string().nullable(),
    score: z.number().nullable(),
    createdAt: z.string(),
    firstHandledAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    handling: z.object({ toFirstHandlingMs: z.number().nullable(), toCloseMs: z.number().nullable() }),
  })
  .openapi("AlertSummary");

export const AlertDetailSchema = AlertItemSchema.extend({
  closedBy: Person.nullable(),
  evaluation: z.record(z.string(), z.unknown()).nullable(),
  complaint: z.record(z.string(), z.unknown()).nullable(),
  inspection: z.record(z.string(), z.unknown()).nullable(),
  events: z.array(
    z.object({
      id: z.string(),
      at: z.string(),
      kind: z.enum(["created", "assigned", "note", "closed"]),
      note: z.string(),
      actor: Person.nullable(),
    }),
  ),
}).openapi("Alert");

export const AlertListQuery = z.object({
  status: z.enum(["open", "assigned", "closed", "active"]).optional(),
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const AlertIdParam = z.object({ id: z.string().min(1).max(64) });
export const AssignBody = z.object({ userId: z.string().min(1).max(64) });
export const NoteBody = z.object({ note: z.string().trim().min(1, "请填写跟进情况").max(2000) });
export const CloseBody = z.object({ outcome: z.string().trim().min(1, "办结必须填写处理结果").max(2000) });
