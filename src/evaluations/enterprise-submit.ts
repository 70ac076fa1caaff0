import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";

/**
 * The signed-in enterprise's evaluation of one of its inspections (POST
 * /api/enterprise/inspections/:id/evaluation). The route checked the enterprise session and that the
 * inspection is the enterprise's; the submission logic is shared with the public code route.
 */
export async function submitEnterpriseEvaluation(
  _c: Context<AppEnv>,
  _inspectionId: string,
  _body: unknown,
): Promise<Response> {
  throw new ApiError(501, "not_implemented", "企业端评价尚未开放，请通过检查码页面评价");
}
