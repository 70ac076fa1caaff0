import { z } from "@hono/zod-openapi";

export const CATALOG_STATUSES = ["active", "retired"] as const;
export const CatalogStatusSchema = z.enum(CATALOG_STATUSES);

export const CatalogItemSchema = z
  .object({
    id: z.string(),
    /** e.g. JN-SCJG-001 */
    code: z.string(),
    departmentId: z.string(),
    departmentName: z.string(),
    name: z.string(),
    /** 检查依据 */
    legalBasis: z.string(),
    /** 检查方式 */
    method: z.string(),
    /** Visits per enterprise per year for this item; null: the department default. */
    yearlyCap: z.number().int().nullable(),
    /** Corrective actions may be accepted on written evidence (书面核查) instead of a 复查. */
    writtenVerification: z.boolean(),
    checklistFormId: z.string().nullable(),
    checklistForm: z
      .object({ id: z.string(), title: z.string(), publishedVersion: z.number().int().nullable() })
      .nullable(),
    status: CatalogStatusSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("CatalogItem");

export const PublicCatalogSchema = z
  .object({
    /** The published list of inspecting bodies (行政检查主体清单). */
    departments: z.array(z.object({ code: z.string(), name: z.string(), district: z.string() })),
    /** Active items of listed departments (涉企检查事项清单). */
    items: z.array(
      z.object({
        code: z.string(),
        departmentCode: z.string(),
        departmentName: z.string(),
        name: z.string(),
        legalBasis: z.string(),
        method: z.string(),
      }),
    ),
  })
  .openapi("PublicCatalog");
