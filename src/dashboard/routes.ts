import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { Context } from "hono";
import { audit } from "../audit/audit.ts";
import { requireUser } from "../auth/session.ts";
import type { AppEnv } from "../env.ts";
import { localDate } from "../lib/time.ts";
import { forbidden } from "../lib/errors.ts";
import { errors, jsonResponse, newRouter } from "../lib/router.ts";
import { actionFigures } from "./actions.ts";
import { caseFigures } from "./cases.ts";
import { conductFigures } from "./conduct.ts";
import { dashboardWorkbook } from "./export.ts";
import { frequencyFigures, visitFigures } from "./overview.ts";
import { alertFigures, evaluationFigures, itemFigures, problemFigures } from "./quality.ts";
import { drillDown } from "./records.ts";
import {
  ActionsResponse,
  AlertResponse,
  CasesResponse,
  ConductResponse,
  DrillQuery,
  DrillResponse,
  EvaluationResponse,
  FiltersResponse,
  FrequencyResponse,
  ItemsResponse,
  ProblemsResponse,
  ScopeQuery,
  VisitResponse,
} from "./schemas.ts";
import { dashboardScope, defaultPeriod } from "./scope.ts";

/** The justice bureau (everything) and department administrators (their own department). */
const viewers = requireUser("admin", "supervisor", "dept_admin");

const get = <Q extends z.ZodObject, R extends z.ZodType>(path: string, summary: string, query: Q, body: R) =>
  createRoute({
    method: "get",
    path,
    tags: ["dashboard"],
    summary,
    description:
      "查询参数：`from`、`to`（YYYY-MM-DD，含首尾；默认今年）、`departmentId`、`district`。期间超过 `DASHBOARD_MAX_PERIOD_YEARS` → 400 `period_too_long`；`to` 早于 `from` 或不是日历日 → 400 `invalid_request`。系统管理员和监督人员：全部；部门管理员：只限本部门（其他 → 403；评价和投诉数字只统计已结束的整月、至少 5 条评价）；执法人员 403。评价、告警和投诉的明细只给司法局。口径：docs/DASHBOARD.md。",
    middleware: [viewers] as const,
    request: { query },
    responses: { 200: jsonResponse(summary, body), ...errors(400, 401, 403) },
  });

const filtersRoute = get("/filters", "看板筛选项（部门、区县、默认期间）", z.object({}), FiltersResponse);
const visitsRoute = get(
  "/visits",
  "备案、实施检查、联合/非现场/个案占比（按部门和区县）",
  ScopeQuery,
  VisitResponse,
);
const frequencyRoute = get("/frequency", "重复检查与高频检查预警（自然年）", ScopeQuery, FrequencyResponse);
const itemsRoute = get("/items", "检查事项不合格率", ScopeQuery, ItemsResponse);
const evaluationsRoute = get(
  "/evaluations",
  "企业评价：满意度得分与负面评价率",
  ScopeQuery,
  EvaluationResponse,
);
const problemsRoute = get(
  "/problems",
  "突出问题：不合格最多的事项、最常见的负面评价",
  ScopeQuery,
  ProblemsResponse,
);
const alertsRoute = get("/alerts", "告警：未办结、已办结、处理用时（仅司法局）", ScopeQuery, AlertResponse);
const casesRoute = get("/cases", "督办案件：立案、逾期答复、按结论办结（按部门）", ScopeQuery, CasesResponse);
const actionsRoute = get(
  "/actions",
  "整改：下达、按期整改、逾期、复查、首违占比（按部门、区县、事项）",
  ScopeQuery,
  ActionsResponse,
);
const conductRoute = get("/conduct", "投诉、逾期未登记、撤回备案、补办备案迟延", ScopeQuery, ConductResponse);
const recordsRoute = get("/records", "数字背后的记录（分页）", DrillQuery, DrillResponse);

const exportRoute = createRoute({
  method: "get",
  path: "/export.xlsx",
  description: "工作表：说明、部门、区县、检查事项、问题排行、高频预警、督办案件、整改；记审计。",
  tags: ["dashboard"],
  summary: "导出看板数据（法治督察、考核），Excel",
  middleware: [viewers] as const,
  request: { query: ScopeQuery },
  responses: {
    200: {
      description: "XLSX",
      content: { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: z.any() } },
    },
    ...errors(400, 401, 403),
  },
});

async function departmentNames(c: Context<AppEnv>) {
  const rows = await c.var.db.all<{ id: string; code: string; name: string; listed: number }>(
    sql`SELECT id, code, name, listed FROM departments ORDER BY code`,
  );
  return rows;
}

/** The supervision dashboard's API: figures, drill-down lists and the XLSX export (R12). */
export function dashboardRoutes() {
  const app = newRouter();

  app.openapi(filtersRoute, async (c) => {
    const s = dashboardScope(c, {});
    const departments = (await departmentNames(c)).filter(
      (d) => d.listed && (!s.departmentId || d.id === s.departmentId),
    );
    const districts = await c.var.db.all<{ district: string }>(
      sql`SELECT DISTINCT district FROM enterprises WHERE district <> '' ORDER BY district`,
    );
    return c.json(
      {
        period: defaultPeriod(s.now, s.timeZone),
        departments: departments.map(({ id, code, name }) => ({ id, code, name })),
        districts: districts.map((d) => d.district),
        departmentId: s.bureau ? null : s.departmentId,
        bureau: s.bureau,
        yearlyCap: s.yearlyCap,
      },
      200,
    );
  });

  app.openapi(visitsRoute, async (c) =>
    c.json(await visitFigures(c.var.db, dashboardScope(c, c.req.valid("query"))), 200),
  );

  app.openapi(frequencyRoute, async (c) =>
    c.json(await frequencyFigures(c.var.db, dashboardScope(c, c.req.valid("query"))), 200),
  );

  app.openapi(itemsRoute, async (c) =>
    c.json({ items: await itemFigures(c.var.db, dashboardScope(c, c.req.valid("query"))) }, 200),
  );

  app.openapi(evaluationsRoute, async (c) =>
    c.json(await evaluationFigures(c.var.db, dashboardScope(c, c.req.valid("query"))), 200),
  );

  app.openapi(problemsRoute, async (c) =>
    c.json(await problemFigures(c.var.db, dashboardScope(c, c.req.valid("query"))), 200),
  );

  app.openapi(alertsRoute, async (c) => {
    const s = dashboardScope(c, c.req.valid("query"));
    if (!s.bureau) throw forbidden("告警由司法局处理，部门管理员不可查看");
    return c.json(await alertFigures(c.var.db, s), 200);
  });

  app.openapi(conductRoute, async (c) =>
    c.json(await conductFigures(c.var.db, dashboardScope(c, c.req.valid("query"))), 200),
  );

  app.openapi(casesRoute, async (c) =>
    c.json(await caseFigures(c.var.db, dashboardScope(c, c.req.valid("query"))), 200),
  );

  app.openapi(actionsRoute, async (c) =>
    c.json(await actionFigures(c.var.db, dashboardScope(c, c.req.valid("query"))), 200),
  );

  app.openapi(recordsRoute, async (c) => {
    const q = c.req.valid("query");
    const s = dashboardScope(c, q);
    return c.json(await drillDown(c.var.db, s, q), 200);
  });

  app.openapi(exportRoute, async (c) => {
    const q = c.req.valid("query");
    const s = dashboardScope(c, q);
    const names = new Map((await departmentNames(c)).map((d) => [d.id, d.name]));
    const body = await dashboardWorkbook(c.var.db, s, names);
    await audit(c, {
      action: "dashboard.export_xlsx",
      targetType: "dashboard",
      detail: {
        from: new Date(s.from).toISOString(),
        to: new Date(s.to).toISOString(),
        departmentId: s.departmentId,
        district: s.district,
      },
    });
    const name = `dashboard-${localDate(s.from, s.timeZone)}-${localDate(s.to - 1, s.timeZone)}.xlsx`;
    return new Response(body, {
      status: 200,
      headers: {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": `attachment; filename="${name}"`,
        "Cache-Control": "no-store",
      },
    });
  });

  return app;
}
