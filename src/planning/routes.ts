import { newRouter } from "../lib/router.ts";
import { importRoutes } from "./import.ts";
import { mergeRoutes } from "./merge.ts";
import { taskRoutes } from "./tasks.ts";

/** Planning of joint inspections (R11): planned tasks (and their import), the matching view and the merge. */
export function planningRoutes() {
  const app = newRouter();
  app.route("/", importRoutes());
  app.route("/", taskRoutes());
  app.route("/", mergeRoutes());
  return app;
}
