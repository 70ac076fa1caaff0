import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { limitClient } from "../evaluations/code-access.ts";
import { renderInspectionPage } from "../evaluations/public-page.ts";
import { inspectionPageData, privateHeaders } from "../evaluations/public-routes.ts";
import { ApiError } from "../lib/errors.ts";

/**
 * `/i/:code` with the inspection's facts in the HTML. Any refusal of the code (invalid, expired, not
 * approved, rate-limited) gives the bare page, whose script asks the API and explains the refusal, so
 * the page says exactly what the API says.
 */
export async function inspectionPage(c: Context<AppEnv>, template: string): Promise<string> {
  privateHeaders(c);
  try {
    await limitClient(c, "view");
    const { view, pageText } = await inspectionPageData(c, c.req.param("code") ?? "");
    return renderInspectionPage(template, view, pageText(), c.var.deps.config.timeZone);
  } catch (error) {
    if (error instanceof ApiError) return template;
    throw error;
  }
}
