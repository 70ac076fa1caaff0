import { z } from "@hono/zod-openapi";
import { CASE_CONCLUSIONS, CASE_LEVELS, CASE_SOURCE_KINDS, CASE_STATUSES } from "../db/schema.ts";

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "日期格式应为 YYYY-MM-DD");
const Text = (max: number) => z.string().trim().max(max);

/** Dashboard warnings a case may start from; `ref` names the inspection (or enterprise) it is about. */
export const WARNING_KINDS = [
  "high_frequency",
  "late_filing",
  "unregistered_visit",
  "overdue_correction",
] as const;

export const CaseSourceInput = z.object({
  kind: z.enum(CASE_SOURCE_KINDS),
  /** alert id, complaint id, review item id, or `<warning kind>:<inspection or enterprise id>`. */
  ref: z.string().trim().min(1).max(200),
});

export const OpenCaseBody = z.object({
  departmentId: z.string().min(1).max(64),
  title: Text(200).min(1, "请填写案件名称"),
  facts: Text(5000).default(""),
  situations: z.array(z.string().trim().min(1).max(50)).min(1, "请至少选择一种情形").max(20),
  officerIds: z.array(z.string().min(1).max(64)).max(50).default([]),
  level: z.enum(CASE_LEVELS),
  answerDue: Day,
  sources: z.array(CaseSourceInput).max(20).default([]),
});

export const AnswerBody = z.object({
  report: Text(20000).min(1, "请填写自查报告"),
  attachmentIds: z.array(z.string().min(1).max(64)).max(20).default([]),
});
export const ReturnBody = z.object({ reason: Text(2000).min(1, "退回须写明理由") });
export const AcceptBody = z.object({ note: Text(2000).default("") });

/** Loose on purpose: a conclusion missing its own fields is a 422 from src/cases/rules.ts, not a 400. */
export const CloseBody = z.object({
  conclusion: z.enum(CASE_CONCLUSIONS),
  note: Text(2000).optional(),
  requirement: Text(5000).optional(),
  interview: z
    .object({
      date: z.string().max(10).optional(),
      attendees: Text(500).optional(),
      minutes: Text(20000).optional(),
    })
    .optional(),
  notice: z.object({ text: Text(20000).optional(), publishable: z.boolean().optional() }).optional(),
  transfer: z.object({ organ: Text(200).optional(), record: Text(5000).optional() }).optional(),
  accountability: z
    .object({
      subject: Text(200).optional(),
      situation: Text(2000).optional(),
      method: Text(50).optional(),
      officerIds: z.array(z.string().min(1).max(64)).max(50).optional(),
    })
    .optional(),
});

export const CaseIdParam = z.object({ id: z.string().min(1).max(64) });
export const AttachmentParams = CaseIdParam.extend({ attachmentId: z.string().min(1).max(64) });

export const CaseListQuery = z.object({
  status: z.enum([...CASE_STATUSES, "active", "overdue"]).optional(),
  departmentId: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

const Named = z.object({ id: z.string(), name: z.string() });

export const CaseItemSchema = z
  .object({
    id: z.string(),
    number: z.string(),
    title: z.string(),
    department: Named,
    level: z.enum(CASE_LEVELS),
    levelLabel: z.string(),
    situations: z.array(z.string()),
    status: z.enum(CASE_STATUSES),
    statusLabel: z.string(),
    answerDue: z.string(),
    overdue: z.boolean(),
    conclusion: z.enum(CASE_CONCLUSIONS).nullable(),
    conclusionLabel: z.string().nullable(),
    openedAt: z.string(),
    closedAt: z.string().nullable(),
  })
  .openapi("CaseSummary");

export const CaseDetailSchema = CaseItemSchema.extend({
  facts: z.string(),
  officers: z.array(Named.extend({ status: z.string() })),
  /** For the department: kinds only, never who complained or evaluated. */
  sources: z.array(
    z.object({
      kind: z.enum(CASE_SOURCE_KINDS),
      kindLabel: z.string(),
      ref: z.string().optional(),
      summary: z.string().optional(),
    }),
  ),
  conclusionDetail: z.record(z.string(), z.unknown()).nullable(),
  answers: z.array(
    z.object({
      at: z.string(),
      report: z.string(),
      attachments: z.array(z.object({ id: z.string(), url: z.string(), contentType: z.string() })),
    }),
  ),
  events: z.array(
    z.object({
      seq: z.number(),
      at: z.string(),
      kind: z.string(),
      note: z.string(),
      actor: z.string().nullable(),
    }),
  ),
  sentAt: z.string().nullable(),
  answeredAt: z.string().nullable(),
  acceptedAt: z.string().nullable(),
}).openapi("Case");

export const CaseOptionsSchema = z.object({
  situations: z.array(z.string()),
  levels: z.array(z.object({ value: z.enum(CASE_LEVELS), label: z.string() })),
  conclusions: z.array(z.object({ value: z.enum(CASE_CONCLUSIONS), label: z.string() })),
  accountabilityMethods: z.array(z.string()),
  warningKinds: z.array(z.string()),
});
