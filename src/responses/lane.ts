// The submission lane: POST /api/public/forms/{id}/responses, the hot path, is answered by an app of
// its own, which the entry points (src/app.ts `App.fetch`) send such requests to before the main
// app. It skips the main app's router (hundreds of entries, one trie walk per request), the session,
// CSRF and audit-seal middlewares (the submission is anonymous and writes no audit line) and the
// zod-openapi validator middlewares, and runs the same front, body checks and error answers. The
// endpoint's OpenAPI entry stays with the main app (public-routes.ts).
import { Hono } from "hono";
import { actAnonymously } from "../auth/session.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { answerError, front, unknownPath } from "../front.ts";
import { jsonGuard, limitBody } from "../lib/security.ts";
import { SUBMISSION_PATH, submitResponse } from "./public-routes.ts";

export function submissionLane(deps: AppDeps): Hono<AppEnv> {
  const lane = new Hono<AppEnv>();
  for (const middleware of front(deps)) lane.use(middleware);
  lane.use(async (c, next) => {
    actAnonymously(c);
    await next();
  });
  // No upload route lies under the lane's path, so it needs none of the feature upload rules.
  lane.use(limitBody(deps.config.bodyLimitBytes));
  lane.use(jsonGuard(deps.config.jsonMaxDepth));
  lane.post(SUBMISSION_PATH, submitResponse());
  lane.notFound(unknownPath);
  lane.onError(answerError);
  return lane;
}
