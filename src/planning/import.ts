/** Import of many planned tasks at once from CSV/XLSX: all rows or none. */
import { createRoute, z } from "@hono/zod-openapi";
import { eq, inArray } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { runBatch } from "../db/client.ts";
import { catalogItems, departments, enterprises, plannedTaskItems, plannedTasks } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import {
  boundedRefusals,
  CSV_TYPE,
  readTable,
  tableImportRequest,
  XLSX_TYPE,
} from "../directory/table-file.ts";
import { ApiError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { parseBound } from "../lib/time.ts";
import type { UploadRoute } from "../lib/security.ts";
import { errors, jsonResponse, newRouter } from "../lib/router.ts";
import { planTaskImport, readTaskRows, type ImportLookups } from "./import-rows.ts";
import type { TaskRow } from "./store.ts";

/** The import takes the file itself as its body (registered with limitBody/jsonGuard in app.ts). */
export const PLANNING_IMPORT_UPLOAD: UploadRoute = {
  method: "POST",
  path: "/api/planning/tasks/import",
  contentTypes: [CSV_TYPE, XLSX_TYPE],
  maxBytes: 2 * 1024 * 1024,
};
/** More data rows than this in one file are refused; split the file. */
export const MAX_TASK_IMPORT_ROWS = 2_000;

const ImportReport = z
  .object({
    dryRun: z.boolean(),
    total: z.number().int(),
    valid: z.number().int(),
    imported: z.number().int(),
    ignoredColumns: z.array(z.string()),
    /** Rows refused; only the first IMPORT_REPORT_MAX_ROWS are listed in `refused`. */
    refusedTotal: z.number().int(),
    refused: z.array(
      z.object({ row: z.number().int(), creditCode: z.string(), errors: z.array(z.string()) }),
    ),
  })
  .openapi("PlannedTaskImportReport");

const importRoute = createRoute({
  method: "post",
  path: "/tasks/import",
  summary: "导入计划任务（CSV/XLSX，全部或全不）",
  tags: ["planning"],
  middleware: [requireUser("admin", "dept_admin")] as const,
  description:
    "请求体为文件本身（CSV 或 XLSX 第一个工作表），第一行为表头：统一社会信用代码、部门代码（管理员必填）、检查类型（日常/双随机/专项）、计划开始日期、计划结束日期、检查事项编码（多个以分号分隔）、备注。任何一行未通过校验则整个文件不导入。",
  request: tableImportRequest,
  responses: {
    200: jsonResponse("试运行：全部通过，未写入", ImportReport),
    201: jsonResponse("已全部导入", ImportReport),
    422: jsonResponse("有行未通过校验（未导入任何数据），或文件无法读取", ImportReport.partial()),
    ...errors(400, 401, 403, 413, 415),
  },
});

const fileError = (message: string) => new ApiError(422, "invalid_file", message);

/** The directory entries the rows name, looked up in three queries. */
async function lookups(
  c: Context<AppEnv>,
  rows: ReturnType<typeof readTaskRows>["rows"],
): Promise<ImportLookups> {
  const db = c.var.db;
  const user = currentUser(c);
  const codes = [...new Set(rows.map((r) => (r.fields.creditCode ?? "").toUpperCase()).filter(Boolean))];
  const [firms, depts, items] = await Promise.all([
    codes.length
      ? db
          .select({ id: enterprises.id, code: enterprises.creditCode })
          .from(enterprises)
          .where(inArray(enterprises.creditCode, codes))
      : [],
    db.select({ id: departments.id, code: departments.code, listed: departments.listed }).from(departments),
    // The catalog is small (hundreds of items): read the active ones whole.
    db
      .select({ id: catalogItems.id, code: catalogItems.code, departmentId: catalogItems.departmentId })
      .from(catalogItems)
      .where(eq(catalogItems.status, "active")),
  ]);
  const timeZone = c.var.deps.config.timeZone;
  return {
    enterprises: new Map(firms.map((f) => [f.code.toUpperCase(), f.id])),
    departments: new Map(depts.map((d) => [d.code.toUpperCase(), { id: d.id, listed: d.listed }])),
    items: new Map(items.map((i) => [i.code.toUpperCase(), { id: i.id, departmentId: i.departmentId }])),
    ownDepartmentId: user.role === "admin" ? null : user.departmentId,
    dayStart: (day) => parseBound(day, timeZone)!,
  };
}

/** POST /api/planning/tasks/import. */
export function importRoutes() {
  const app = newRouter();
  app.openapi(importRoute, async (c) => {
    const user = currentUser(c);
    if (user.role !== "admin" && !user.departmentId) throw new ApiError(403, "forbidden", "没有所属部门");
    const dryRun = ["1", "true"].includes(c.req.valid("query").dryRun ?? "");
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) throw fileError("上传的文件是空的");
    const { rows, ignored } = readTaskRows(
      await readTable(bytes, c.req.header("content-type") ?? "", c.var.deps.config.imports),
    );
    if (rows.length === 0) throw fileError("文件中没有数据行（第一行应为表头，从第二行起为计划任务）");
    if (rows.length > MAX_TASK_IMPORT_ROWS) {
      throw fileError(
        `一次最多导入 ${MAX_TASK_IMPORT_ROWS} 行，本文件有 ${rows.length} 行，请拆分后分批导入`,
      );
    }
    const plan = planTaskImport(rows, await lookups(c, rows));
    const report = {
      dryRun,
      total: rows.length,
      valid: plan.accepted.length,
      imported: 0,
      ...boundedRefusals(plan.refused, ignored, c.var.deps.config.imports),
    };
    if (plan.refused.length > 0) {
      const message = `${plan.refused.length} 行未通过校验，整个文件未导入；请修改后重新上传`;
      return c.json({ ...report, error: { code: "import_refused", message } }, 422);
    }
    if (dryRun) return c.json(report, 200);
    const now = Date.now();
    const db = c.var.db;
    const statements = plan.accepted.flatMap((t) => {
      const row: TaskRow = {
        id: newId(),
        enterpriseId: t.enterpriseId,
        departmentId: t.departmentId,
        kind: t.kind,
        plannedStart: t.plannedStart,
        plannedEnd: t.plannedEnd,
        notes: t.notes,
        status: "planned",
        inspectionId: null,
        createdBy: user.id,
        createdAt: now,
        updatedAt: now,
      };
      return [
        db.insert(plannedTasks).values(row),
        ...t.itemIds.map((itemId) => db.insert(plannedTaskItems).values({ taskId: row.id, itemId })),
        auditInsert(c, {
          action: "planning.task.create",
          targetType: "planned_task",
          targetId: row.id,
          detail: { after: { ...t, status: "planned" }, source: "import" },
        }),
      ];
    });
    await runBatch(db, statements);
    return c.json({ ...report, imported: plan.accepted.length }, 201);
  });
  return app;
}
