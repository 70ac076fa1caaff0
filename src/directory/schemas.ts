import { z } from "@hono/zod-openapi";
import { CREDIT_GRADES, OFFICER_STATUSES, RISK_LEVELS } from "../db/schema.ts";
import { UserSchema } from "../auth/schemas.ts";

export const UserDetailSchema = UserSchema.extend({ disabled: z.boolean(), createdAt: z.string() }).openapi(
  "UserDetail",
);

export const DepartmentSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    /** On the published list of inspecting bodies (行政检查主体清单). */
    listed: z.boolean(),
    district: z.string(),
  })
  .openapi("Department");

export const IdParam = z.object({ id: z.string().min(1).max(64) });

/** A real calendar date written YYYY-MM-DD (2024-02-30 is refused). */
export const dayField = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "日期格式应为 YYYY-MM-DD")
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, "不是有效的日期");

// ---- Officers ----

export const OfficerStatusSchema = z.enum(OFFICER_STATUSES);

export const CredentialStateSchema = z
  .enum(["valid", "expired", "not_yet_valid", "none", "inactive"])
  .openapi({
    description:
      "valid 有效；expired 已过期；not_yet_valid 未生效；none 无执法证（辅助人员）；inactive 人员非在岗",
  });

export const OfficerSchema = z
  .object({
    id: z.string(),
    departmentId: z.string(),
    departmentName: z.string(),
    userId: z.string().nullable(),
    name: z.string(),
    isHelper: z.boolean(),
    credentialNo: z.string().nullable(),
    credentialIssuedOn: z.string().nullable(),
    credentialExpiresOn: z.string().nullable(),
    status: OfficerStatusSchema,
    /** Whether the credential counts on `checkedOn` (today in the server's zone, or the asked date). */
    credential: z.object({
      checkedOn: z.string(),
      state: CredentialStateSchema,
      valid: z.boolean(),
      /** Days from `checkedOn` to the expiry date (negative once expired); null without a credential. */
      expiresInDays: z.number().int().nullable(),
      /** Valid now but expiring within 30 days. */
      expiringSoon: z.boolean(),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Officer");

// ---- Enterprises ----

export const ENTERPRISE_LIMITS = {
  name: 200,
  address: 300,
  district: 50,
  industry: 100,
  legalRepresentative: 50,
  contact: 100,
} as const;

export const CreditGradeSchema = z.enum(CREDIT_GRADES);
export const RiskLevelSchema = z.enum(RISK_LEVELS);

export const EnterpriseSchema = z
  .object({
    id: z.string(),
    creditCode: z.string(),
    name: z.string(),
    address: z.string(),
    district: z.string(),
    industry: z.string(),
    legalRepresentative: z.string(),
    contact: z.string(),
    /** Mainland mobile number receiving the enterprise's sign-in codes (issue 13). */
    contactPhone: z.string().nullable(),
    creditGrade: CreditGradeSchema,
    riskLevel: RiskLevelSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Enterprise");

export const ImportReportSchema = z
  .object({
    dryRun: z.boolean(),
    /** Data rows read (blank rows not counted). */
    total: z.number().int(),
    /** Rows that passed every check. */
    valid: z.number().int(),
    /** Rows stored: all of them, or none when any row is refused or on a dry run. */
    imported: z.number().int(),
    /** Header columns that were not recognised and were ignored. */
    ignoredColumns: z.array(z.string()),
    /** Rows refused; only the first IMPORT_REPORT_MAX_ROWS are listed in `refused`. */
    refusedTotal: z.number().int(),
    refused: z.array(
      z.object({
        /** The spreadsheet row number (the header is row 1). */
        row: z.number().int(),
        creditCode: z.string(),
        errors: z.array(z.string()),
      }),
    ),
  })
  .openapi("ImportReport");
