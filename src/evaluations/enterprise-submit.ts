import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { inspections } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { notFound } from "../lib/errors.ts";
import { submitEvaluation, type EvaluationBody } from "./submit.ts";

/**
 * The portal's way in: the signed-in enterprise evaluates one of its own inspections by id, without the
 * code. Another enterprise's inspection answers 404, the same as a missing one.
 */
export async function submitEnterpriseEvaluation(
  c: Context<AppEnv>,
  inspectionId: string,
  body: EvaluationBody,
): Promise<string> {
  const enterprise = c.var.enterprise;
  const [row] = await c.var.db.select().from(inspections).where(eq(inspections.id, inspectionId)).limit(1);
  if (!row || !enterprise || row.enterpriseId !== enterprise.id) throw notFound("检查");
  return submitEvaluation(c, row, body);
}
