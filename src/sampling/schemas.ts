import { z } from "@hono/zod-openapi";
import { RISK_LEVELS, SAMPLING_FILING_OUTCOMES, SAMPLING_STATUSES } from "../db/schema.ts";
import { dayField } from "../directory/schemas.ts";

const id = z.string().min(1).max(64);
/** A ratio in percent with at most two decimals (stored as basis points). */
const percent = z
  .number()
  .min(0)
  .max(100)
  .refine((p) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-6, "比例最多保留两位小数");

/** The defaults of the plan: A 0 % unless triggered, B 3 %, C 10 %, D 30 %. */
export const DEFAULT_RATIOS = { A: 0, B: 3, C: 10, D: 30 };

export const TaskBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** Administrators only: the task's departments (the first leads). Department administrators: their own. */
    departmentIds: z.array(id).min(1).max(10).optional(),
    itemIds: z.array(id).min(1, "至少选择一项检查事项").max(50),
    periodFrom: dayField,
    periodTo: dayField,
    filters: z
      .object({
        districts: z.array(z.string().trim().min(1).max(64)).max(50).default([]),
        industries: z.array(z.string().trim().min(1).max(64)).max(50).default([]),
        riskLevels: z.array(z.enum(RISK_LEVELS)).max(3).default([]),
      })
      .default({ districts: [], industries: [], riskLevels: [] }),
    ratios: z.object({ A: percent, B: percent, C: percent, D: percent }).default(DEFAULT_RATIOS),
    triggeredCreditCodes: z.array(z.string().trim().min(1).max(40)).max(1000).default([]),
    inspectorsPerEnterprise: z.number().int().min(2, "每户至少两名执法人员").max(10).default(2),
  })
  .openapi("SamplingTaskRequest");

export const TaskIdParam = z.object({ id });

const GradeSummary = z.object({
  grade: z.enum(["A", "B", "C", "D"]),
  population: z.number(),
  triggered: z.number(),
  pool: z.number(),
  ratioBp: z.number(),
  drawn: z.number(),
});

export const OutcomeSchema = z.object({
  enterpriseId: z.string(),
  enterpriseName: z.string(),
  creditCode: z.string(),
  grade: z.string(),
  triggered: z.boolean(),
  staffed: z.boolean(),
  eligibleOfficers: z.number(),
  officers: z.array(z.object({ id: z.string(), name: z.string(), credentialNo: z.string() })),
  filing: z
    .object({
      outcome: z.enum(SAMPLING_FILING_OUTCOMES),
      inspectionId: z.string().nullable(),
      conflictInspectionId: z.string().nullable(),
      message: z.string(),
    })
    .nullable(),
});

export const TaskSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(SAMPLING_STATUSES),
    departments: z.array(z.object({ id: z.string(), name: z.string() })),
    items: z.array(z.object({ id: z.string(), code: z.string(), name: z.string() })),
    periodFrom: z.string(),
    periodTo: z.string(),
    filters: z.object({
      districts: z.array(z.string()),
      industries: z.array(z.string()),
      riskLevels: z.array(z.string()),
    }),
    ratios: z.object({ A: z.number(), B: z.number(), C: z.number(), D: z.number() }),
    triggeredCreditCodes: z.array(z.string()),
    inspectorsPerEnterprise: z.number(),
    snapshotHash: z.string().nullable(),
    commitment: z.string().nullable(),
    /** Null until the reveal. */
    seed: z.string().nullable(),
    grades: z.array(GradeSummary).nullable(),
    officerPool: z.number().nullable(),
    outcome: z.array(OutcomeSchema).nullable(),
    createdAt: z.string(),
    committedAt: z.string().nullable(),
    drawnAt: z.string().nullable(),
    revealedAt: z.string().nullable(),
    filedAt: z.string().nullable(),
  })
  .openapi("SamplingTask");

export const TaskSummarySchema = TaskSchema.pick({
  id: true,
  name: true,
  status: true,
  departments: true,
  periodFrom: true,
  periodTo: true,
  commitment: true,
  createdAt: true,
  committedAt: true,
  revealedAt: true,
  filedAt: true,
}).openapi("SamplingTaskSummary");

export const ConflictBody = z.object({
  officerId: id,
  enterpriseId: id,
  reason: z.string().trim().min(1, "必须填写回避原因").max(500),
});

export const ConflictSchema = z
  .object({
    id: z.string(),
    officer: z.object({ id: z.string(), name: z.string(), departmentId: z.string() }),
    enterprise: z.object({ id: z.string(), name: z.string(), creditCode: z.string() }),
    reason: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("SamplingConflict");
