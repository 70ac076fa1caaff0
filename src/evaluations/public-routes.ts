import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import {
  checkedRow,
  codeInspectionId,
  inspectionByCode,
  limitClient,
  limitInspection,
} from "./code-access.ts";
import { type CachedView, PublicViewCache, viewExpiry, withViewer } from "./public-view-cache.ts";
import type { Db } from "../db/client.ts";
import { eq } from "drizzle-orm";
import { inspections, publicRevision } from "../db/schema.ts";
import { publicInspectionView } from "./public-view.ts";
import { SchemaText, stringifyWithSchema } from "../forms/published-cache.ts";
import type { InspectionRow } from "../inspections/access.ts";
import { CodeParam, EvaluationBody, PublicInspection } from "./schemas.ts";
import { assertEvaluator, submitEvaluation } from "./submit.ts";

const getInspection = createRoute({
  method: "get",
  path: "/inspections/{code}",
  description:
    "格式不对、被篡改或不存在的检查码 → 一律 401 `invalid_code`；过期 → 401 `expired_code`；尚未批准的检查的真实检查码 → 404。总是 `Referrer-Policy: no-referrer`、`Cache-Control: no-store`；检查码从不写入日志。事项依据取备案时的，从不取后来修改的。`viewer` 让页面提供“以企业身份评价”。",
  tags: ["public"],
  summary: "检查码公示页数据（R8）",
  request: { params: CodeParam },
  responses: { 200: jsonResponse("检查公示信息", PublicInspection), ...errors(401, 404, 429) },
});

const evaluateRoute = createRoute({
  method: "post",
  path: "/inspections/{code}/evaluation",
  description:
    '只有被检查企业以企业身份登录后可评价：没有企业会话 → 401 `enterprise_login_required`；带工作人员会话 → 403 `staff_cannot_evaluate`；其他企业 → 403 `wrong_enterprise`。每次检查一份（409 `already_evaluated`；并发时只有一个成功）。400 `invalid_response`；409 `evaluation_not_open`、`evaluation_closed`（登记后 `EVALUATION_WINDOW_DAYS` 天，或未登记时计划结束后）、`no_visit`、`version_mismatch`；按客户端和按检查限流（429）。一个批次：评价、`evaluatedAt`、审计（操作人 `enterprise`），有负面答案时再加告警及其事件、审计和发件箱消息。负面答案由表单版本决定：带 `"negative": true` 的选项（或评分项），或评分/是非题的 `"negativeValues"`；得分（0–100）取标有 `"lianmaScore": true` 的题，否则取 `overall_satisfaction`。',
  tags: ["public"],
  summary: "被检查企业以企业身份提交事后评价（R9、R14），每次检查一份",
  request: { params: CodeParam, ...jsonBody(EvaluationBody) },
  responses: {
    201: jsonResponse("已提交", z.object({ id: z.string() })),
    ...errors(400, 401, 403, 404, 409, 413, 415, 429),
  },
});

/** Public answers must not be cached or leak the code through the Referer header. */
export function privateHeaders(c: Context<AppEnv>) {
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
}

/** Who is looking, so the page can offer "以企业身份评价" or say why it cannot. */
function viewerOf(c: Context<AppEnv>, enterpriseId: string) {
  if (c.var.user) return "staff" as const;
  if (!c.var.enterprise) return "anonymous" as const;
  return c.var.enterprise.id === enterpriseId ? ("enterprise" as const) : ("other_enterprise" as const);
}

type View = Awaited<ReturnType<typeof publicInspectionView>>;
type Viewer = ReturnType<typeof viewerOf>;

/** The database's public revision (migrations/0018_public_revision.sql); empty if its row is missing. */
const stampQuery = (db: Db) =>
  db.select({ n: publicRevision.n }).from(publicRevision).where(eq(publicRevision.id, 1)).limit(1);

/** The stamp read of every request, built once per database (the query builder costs more than the read). */
const preparedStamps = new WeakMap<Db, { all(): Promise<{ n: number }[]> }>();
function readStamp(db: Db): Promise<{ n: number }[]> {
  let prepared = preparedStamps.get(db);
  if (!prepared) preparedStamps.set(db, (prepared = stampQuery(db).prepare()));
  return prepared.all();
}

/**
 * The public page's data for a code: the inspection it opens (or the refusal), the view, and the view
 * as JSON text (`text`, with the viewer) and as bytes (`bytes()`, encoded once per viewer). Served from
 * memory while nothing the view reads has changed and the clock has not reached a boundary of it
 * (src/evaluations/public-view-cache.ts): then one primary-key read per request, and the signature of a
 * code already verified against the same row is not computed again. The page route embeds `pageText`,
 * the same without the evaluation questionnaire.
 */
export async function inspectionPageData(
  c: Context<AppEnv>,
  code: string,
): Promise<{
  row: InspectionRow;
  view: View;
  text: string;
  pageText: () => string;
  bytes: () => Uint8Array;
}> {
  const { db, deps } = c.var;
  const now = deps.now?.() ?? Date.now();
  const cache = deps.publicViews as PublicViewCache<View> | undefined;
  const id = codeInspectionId(code);
  let entry: CachedView<View> | undefined;
  if (cache && id) {
    const [current] = await readStamp(db);
    entry = cache.get(id, current?.n ?? null, now);
    if (entry) checkedRow(c, code, entry.row, entry.verifiedCodes.has(code));
  }
  if (!entry) {
    // The stamp is read in the same transaction as the row and before the view, so an entry is never
    // older than its stamp: a write in between only makes the next request build it again.
    const [stamps, rows] = id
      ? await db.batch([stampQuery(db), db.select().from(inspections).where(eq(inspections.id, id)).limit(1)])
      : [[], []];
    const row = checkedRow(c, code, rows[0]);
    const view = await publicInspectionView(db, row, deps.config, now, deps.publishedForms);
    const evaluation = view.evaluation as { schema?: unknown } | null;
    const schema = evaluation?.schema instanceof SchemaText ? evaluation.schema : null;
    const { timeZone, inspections: rules } = deps.config;
    entry = {
      stamp: stamps[0]?.n ?? NaN,
      expiresAt: viewExpiry(row, now, timeZone, rules.evaluationWindowDays),
      row,
      view,
      text: stringifyWithSchema(view, schema),
      verifiedCodes: new Set(),
      bytes: new Map(),
    };
    if (cache && id && stamps[0]) cache.set(id, entry);
  }
  rememberVerified(entry, code);
  const hit = entry;
  const viewer: Viewer = viewerOf(c, hit.row.enterpriseId);
  const text = withViewer(hit.text, viewer);
  const bytes = () => {
    let b = hit.bytes.get(viewer);
    if (!b) hit.bytes.set(viewer, (b = new TextEncoder().encode(text)));
    return b;
  };
  const pageText = () =>
    withViewer((hit.pageText ??= JSON.stringify(withoutQuestionnaire(hit.view))), viewer);
  return { row: hit.row, view: hit.view, text, pageText, bytes };
}

/**
 * The view as the page's HTML embeds it: the evaluation questionnaire (a few kB the page needs only
 * once the enterprise starts evaluating) is left out; the page then asks this route's API for it,
 * alongside SurveyJS. Everything shown before that stays in.
 */
function withoutQuestionnaire(view: View): View {
  const evaluation = view.evaluation;
  if (!evaluation || !("schema" in evaluation)) return view;
  const { schema: _schema, ...rest } = evaluation;
  return { ...view, evaluation: rest as typeof evaluation };
}

/** A code that passed checkedRow against the entry's row (bounded: a page has one or two codes). */
function rememberVerified(entry: CachedView<View>, code: string) {
  if (entry.verifiedCodes.has(code)) return;
  if (entry.verifiedCodes.size >= 16) entry.verifiedCodes.clear();
  entry.verifiedCodes.add(code);
}

export function evaluationPublicRoutes() {
  const app = newRouter();

  app.openapi(getInspection, async (c) => {
    privateHeaders(c);
    await limitClient(c, "view");
    const { bytes } = await inspectionPageData(c, c.req.valid("param").code);
    c.header("Content-Type", "application/json");
    return c.body(bytes() as Uint8Array<ArrayBuffer>, 200) as never;
  });

  app.openapi(evaluateRoute, async (c) => {
    privateHeaders(c);
    await limitClient(c, "evaluate");
    const row = await inspectionByCode(c, c.req.valid("param").code);
    assertEvaluator(c, row);
    await limitInspection(c, row.id);
    const id = await submitEvaluation(c, row, c.req.valid("json"));
    return c.json({ id }, 201);
  });

  return app;
}
