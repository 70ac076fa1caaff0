import { z } from "@hono/zod-openapi";
import { INSPECTION_STATUSES, INSPECTION_TYPES } from "../db/schema.ts";

/** The signed inspection code; its shape is checked by parseInspectionCode (401 when wrong). */
export const CodeParam = z.object({ code: z.string().min(1).max(300) });

export const EvaluationBody = z
  .object({
    version: z.number().int().min(1),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi("EvaluationSubmission");

const Officer = z.object({
  name: z.string(),
  department: z.string(),
  role: z.string(),
  isHelper: z.boolean(),
  credentialNo: z.string().nullable().optional(),
  credentialValid: z.boolean().optional(),
});

const ChecklistResult = z.object({
  items: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      legalBasis: z.string(),
      result: z.enum(["pass", "fail", "na", "mixed"]),
      failures: z.array(
        z.object({
          point: z.string(),
          requirement: z.string(),
          deadline: z.string(),
          /** 首违不罚：已按期整改 / 首违 / 再次违反, for points marked eligible (issue 15). */
          firstViolation: z.string().optional(),
        }),
      ),
    }),
  ),
  submittedAt: z.string().nullable(),
});

export const PublicInspection = z
  .object({
    status: z.enum(INSPECTION_STATUSES),
    statusLabel: z.string(),
    enterprise: z.object({ name: z.string() }),
    type: z.enum(INSPECTION_TYPES),
    typeLabel: z.string(),
    caseReason: z.string().nullable(),
    plannedStart: z.string(),
    plannedEnd: z.string(),
    legalBasis: z.string(),
    departments: z.array(z.object({ name: z.string(), lead: z.boolean() })),
    officers: z.array(Officer),
    /** legalBasis: as filed (null: the inspection's `legalBasis` alone says it). */
    items: z.array(z.object({ code: z.string(), name: z.string(), legalBasis: z.string().nullable() })),
    rights: z.array(z.object({ title: z.string(), text: z.string() })),
    yearCount: z.object({ year: z.number().int(), count: z.number().int() }),
    checklist: ChecklistResult.nullable(),
    evaluation: z
      .union([
        z.object({
          formId: z.string(),
          version: z.number().int(),
          schema: z.record(z.string(), z.unknown()),
          closesAt: z.string(),
        }),
        z.object({ submitted: z.literal(true) }),
      ])
      .nullable(),
    /** When the evaluation opens, while it is not open yet (null otherwise). */
    evaluationOpensAt: z.string().nullable(),
    arrivedAt: z.string().nullable(),
    enterpriseArrivalAt: z.string().nullable(),
    today: z.string(),
    viewer: z.enum(["anonymous", "staff", "enterprise", "other_enterprise"]),
  })
  .openapi("PublicInspection");

export const SummaryQuery = z.object({
  departmentId: z.string().min(1).max(64).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
});

export const EvaluationSummary = z
  .object({
    departmentId: z.string().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    count: z.number().int(),
    averageScore: z.number().nullable(),
    negativeCount: z.number().int(),
    negativeRate: z.number().nullable(),
    questions: z.array(z.object({ name: z.string(), title: z.string(), negativeCount: z.number().int() })),
    suppressed: z.number().int(),
    minGroupSize: z.number().int(),
  })
  .openapi("EvaluationSummary");

export const EvaluationDetail = z
  .object({
    id: z.string(),
    inspectionId: z.string(),
    alertId: z.string().nullable(),
    staffAddressMatch: z.boolean(),
    enterpriseSignedIn: z.boolean(),
    formId: z.string(),
    version: z.number().int(),
    submittedAt: z.string(),
    score: z.number().nullable(),
    negativeAnswers: z.array(
      z.object({ name: z.string(), title: z.string(), value: z.unknown(), text: z.string() }),
    ),
    answers: z.array(
      z.object({
        name: z.string(),
        title: z.string(),
        value: z.unknown(),
        text: z.string(),
        negative: z.boolean(),
      }),
    ),
  })
  .openapi("Evaluation");
