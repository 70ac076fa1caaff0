import { z } from "@hono/zod-openapi";
import { METRICS } from "./records.ts";

const date = z.string().max(40).optional().openapi({ description: "YYYY-MM-DD（含）或带时区的 ISO 时间" });

export const ScopeQuery = z.object({
  from: date,
  to: date,
  departmentId: z.string().max(64).optional(),
  district: z.string().max(100).optional(),
});

export const DrillQuery = ScopeQuery.extend({
  metric: z.enum(METRICS),
  itemId: z.string().max(64).optional(),
  question: z.string().max(100).optional(),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const rateValue = z.number().nullable();
const keyed = <T extends z.ZodType>(figures: T) => z.array(z.object({ key: z.string(), figures }));

const VisitFigures = z.object({
  filings: z.number(),
  visits: z.number(),
  joint: z.number(),
  offSite: z.number(),
  cases: z.number(),
  late: z.number(),
  refused: z.number(),
  jointShare: rateValue,
  offSiteShare: rateValue,
  caseShare: rateValue,
});

export const VisitResponse = z
  .object({
    totals: VisitFigures,
    byDepartment: keyed(VisitFigures),
    byDistrict: keyed(VisitFigures),
  })
  .openapi("DashboardVisits");

const FrequencyFigures = z.object({ repeatVisits: z.number(), highFrequency: z.number() });
const Ref = z.object({ id: z.string(), name: z.string() });

export const FrequencyResponse = z
  .object({
    years: z.tuple([z.number(), z.number()]),
    yearlyCap: z.number(),
    totals: FrequencyFigures,
    byDepartment: keyed(FrequencyFigures),
    byDistrict: keyed(FrequencyFigures),
    warnings: z.array(
      z.object({
        departmentId: z.string(),
        enterprise: Ref,
        district: z.string(),
        year: z.number(),
        filings: z.number(),
        visits: z.number(),
      }),
    ),
  })
  .openapi("DashboardFrequency");

const ItemFigures = z.object({
  itemId: z.string(),
  code: z.string(),
  name: z.string(),
  departmentId: z.string(),
  checked: z.number(),
  failed: z.number(),
  failureRate: rateValue,
});

export const ItemsResponse = z.object({ items: z.array(ItemFigures) }).openapi("DashboardItems");

const EvaluationFigures = z.object({
  evaluations: z.number(),
  averageScore: z.number().nullable(),
  negative: z.number(),
  negativeRate: rateValue,
});

export const EvaluationResponse = z
  .object({
    totals: EvaluationFigures,
    byDepartment: keyed(EvaluationFigures),
    byDistrict: keyed(EvaluationFigures),
    months: z.array(z.object({ from: z.string(), to: z.string() })).nullable(),
  })
  .openapi("DashboardEvaluations");

export const ProblemsResponse = z
  .object({
    items: z.array(ItemFigures),
    questions: z.array(z.object({ name: z.string(), title: z.string(), negative: z.number() })),
  })
  .openapi("DashboardProblems");

const Hours = z.object({ median: z.number().nullable(), p90: z.number().nullable() });
const AlertFigures = z.object({
  raised: z.number(),
  open: z.number(),
  closed: z.number(),
  firstHandlingHours: Hours,
  closeHours: Hours,
});

export const AlertResponse = z
  .object({ totals: AlertFigures, byDepartment: keyed(AlertFigures), byDistrict: keyed(AlertFigures) })
  .openapi("DashboardAlerts");

const ConductFigures = z.object({
  complaints: z.number().nullable(),
  unfiledVisitComplaints: z.number().nullable(),
  unregisteredVisits: z.number(),
  cancelled: z.number(),
  lateFilings: z.number(),
  lateDays: z.object({
    median: z.number().nullable(),
    average: z.number().nullable(),
    max: z.number().nullable(),
  }),
  lateBuckets: z.object({ upTo1: z.number(), upTo3: z.number(), upTo10: z.number(), over10: z.number() }),
});

export const ConductResponse = z
  .object({
    /** The time complaints were counted over; null when they are not shown (see DASHBOARD.md). */
    complaintPeriod: z.object({ from: z.string(), to: z.string() }).nullable(),
    totals: ConductFigures,
    byDepartment: keyed(ConductFigures),
    byDistrict: keyed(ConductFigures),
  })
  .openapi("DashboardConduct");

const DrillItem = z.object({
  inspectionId: z.string(),
  department: Ref,
  enterprise: z.object({ id: z.string(), name: z.string(), creditCode: z.string() }),
  district: z.string(),
  plannedStart: z.string(),
  type: z.string(),
  typeLabel: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  joint: z.boolean(),
  offSite: z.boolean(),
  late: z.boolean(),
  filedAt: z.string(),
  /** 补办 only: days from the planned start to the filing. */
  lateDays: z.number().optional(),
  cancelled: z.object({ at: z.string().nullable(), reason: z.string() }).optional(),
  item: z.object({ code: z.string(), name: z.string() }).optional(),
  evaluation: z
    .object({ id: z.string().nullable(), score: z.number().nullable(), negative: z.boolean() })
    .optional(),
  alert: z
    .object({ id: z.string(), status: z.string(), createdAt: z.string(), closedAt: z.string().nullable() })
    .optional(),
  action: z
    .object({
      id: z.string(),
      status: z.string(),
      statusLabel: z.string(),
      deadline: z.string(),
      firstViolation: z.string().nullable(),
    })
    .optional(),
});

export const DrillResponse = z
  .object({
    metric: z.enum(METRICS),
    items: z.array(DrillItem),
    groups: z
      .array(
        z.object({
          department: Ref,
          enterprise: z.object({ id: z.string(), name: z.string(), creditCode: z.string() }),
          district: z.string(),
          year: z.number(),
          filings: z.number(),
          visits: z.number(),
        }),
      )
      .optional(),
    complaints: z
      .array(
        z.object({
          id: z.string(),
          receiptNo: z.string(),
          kind: z.string(),
          kindLabel: z.string(),
          department: Ref,
          enterprise: z.object({ id: z.string(), name: z.string(), creditCode: z.string() }),
          district: z.string(),
          visitDate: z.string(),
          inspectionId: z.string().nullable(),
          unfiledVisit: z.boolean(),
          status: z.string(),
          text: z.string(),
          createdAt: z.string(),
        }),
      )
      .optional(),
    nextCursor: z.string().nullable(),
  })
  .openapi("DashboardRecords");

export const FiltersResponse = z
  .object({
    period: z.object({ from: z.string(), to: z.string() }),
    departments: z.array(z.object({ id: z.string(), code: z.string(), name: z.string() })),
    districts: z.array(z.string()),
    /** Set for a department administrator: the department every figure is limited to. */
    departmentId: z.string().nullable(),
    bureau: z.boolean(),
    yearlyCap: z.number(),
  })
  .openapi("DashboardFilters");

const CaseFiguresSchema = z.object({
  opened: z.number(),
  major: z.number(),
  active: z.number(),
  overdue: z.number(),
  closed: z.number(),
  byConclusion: z.record(z.string(), z.number()),
  reviewed: z.number(),
  reviewAverage: z.number().nullable(),
});

export const CasesResponse = z
  .object({
    totals: CaseFiguresSchema,
    byDepartment: z.array(z.object({ key: z.string(), figures: CaseFiguresSchema })),
  })
  .openapi("DashboardCases");

const ActionFiguresSchema = z.object({
  opened: z.number(),
  onTime: z.number(),
  overdue: z.number(),
  eligible: z.number(),
  first: z.number(),
  firstShare: z.number().nullable(),
  reinspections: z.number(),
});

export const ActionsResponse = z
  .object({
    totals: ActionFiguresSchema,
    closedWithOpenActions: z.number(),
    byDepartment: z.array(z.object({ key: z.string(), figures: ActionFiguresSchema })),
    byDistrict: z.array(z.object({ key: z.string(), figures: ActionFiguresSchema })),
    byItem: z.array(
      z.object({ key: z.string(), code: z.string(), name: z.string(), figures: ActionFiguresSchema }),
    ),
  })
  .openapi("DashboardActions");
