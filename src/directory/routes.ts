import { newRouter } from "../lib/router.ts";
import { departmentRoutes } from "./departments.ts";
import type { UploadRoute } from "../lib/security.ts";
import { ENTERPRISE_IMPORT_UPLOAD, enterpriseRoutes } from "./enterprises.ts";
import { officerRoutes } from "./officers.ts";
import { userRoutes } from "./users.ts";

/** The directory under /api: departments, users (logins), officers, enterprises and their imports. */
export function directoryRoutes() {
  const app = newRouter();
  app.route("/", departmentRoutes());
  app.route("/", userRoutes());
  app.route("/officers", officerRoutes());
  app.route("/enterprises", enterpriseRoutes());
  return app;
}

/** Directory routes whose body is a file (CSV/XLSX): let through the JSON guard, with their own size limit. */
export const DIRECTORY_UPLOADS: readonly UploadRoute[] = [ENTERPRISE_IMPORT_UPLOAD];
