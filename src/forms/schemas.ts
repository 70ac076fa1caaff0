import { z } from "@hono/zod-openapi";
import { FORM_KINDS, FORM_STATUSES } from "../db/schema.ts";
import { iso } from "../lib/router.ts";
import type { FormRow } from "./access.ts";

export const FormKindSchema = z.enum(FORM_KINDS);
export const FormStatusSchema = z.enum(FORM_STATUSES);
/** A SurveyJS form definition; its content is checked by findSchemaProblems, not by zod. */
export const SurveySchemaJson = z.record(z.string(), z.unknown()).openapi("SurveyJson");

export const FormSummarySchema = z
  .object({
    id: z.string(),
    title: z.string(),
    kind: FormKindSchema,
    status: FormStatusSchema,
    departmentId: z.string().nullable(),
    latestVersion: z.number().int().nullable(),
    publishedVersion: z.number().int().nullable(),
    responseCount: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("FormSummary");

export const FormSchema = FormSummarySchema.extend({
  description: z.string(),
  schema: SurveySchemaJson,
}).openapi("Form");

export const VersionSchema = z
  .object({ version: z.number().int(), schema: SurveySchemaJson, publishedAt: z.string() })
  .openapi("FormVersion");

export const FormIdParam = z.object({ id: z.string().min(1).max(64) });

export function toSummary(f: FormRow, responseCount: number) {
  return {
    id: f.id,
    title: f.title,
    kind: f.kind,
    status: f.status,
    departmentId: f.departmentId,
    latestVersion: f.latestVersion,
    publishedVersion: f.publishedVersion,
    responseCount,
    createdAt: iso(f.createdAt)!,
    updatedAt: iso(f.updatedAt)!,
  };
}

export function toForm(f: FormRow, responseCount: number) {
  return { ...toSummary(f, responseCount), description: f.description, schema: JSON.parse(f.draftSchema) };
}
