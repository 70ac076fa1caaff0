import { and, eq } from "drizzle-orm";
import { ConditionRunner } from "survey-core";
import type { Db } from "../db/client.ts";
import { checklists } from "../db/schema.ts";
import { PAGE_PROPS, QUESTION_PROPS, type PointResult } from "./metadata.ts";

type Json = Record<string, unknown>;

export type ItemResult = PointResult | "mixed";

export interface ItemFailure {
  /** The check point's title. */
  point: string;
  /** 整改要求 */
  requirement: string;
  /** 整改期限, YYYY-MM-DD. */
  deadline: string;
}

export interface ItemSummary {
  code: string;
  name: string;
  legalBasis: string;
  /**
   * pass: every applicable point 合格; fail: every applicable point 不合格; mixed: some of each;
   * na: no applicable point (all 不适用, or none answered).
   */
  result: ItemResult;
  counts: Record<PointResult, number>;
  failures: ItemFailure[];
}

export interface ChecklistSummary {
  items: ItemSummary[];
  /** ISO time of the registration. */
  submittedAt: string;
}

const text = (value: unknown) => (typeof value === "string" ? value : "");

/** A SurveyJS string as shown in Chinese: plain, or localized `{default, "zh-cn", …}`. */
function localText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null) return "";
  const texts = value as Record<string, unknown>;
  return (
    text(texts["zh-cn"]) ||
    text(texts.default) ||
    text(Object.values(texts).find((v) => typeof v === "string"))
  );
}

function itemResult(counts: Record<PointResult, number>): ItemResult {
  if (counts.pass + counts.fail === 0) return "na";
  if (counts.fail === 0) return "pass";
  return counts.pass === 0 ? "fail" : "mixed";
}

/** An element is shown unless `visible: false` or its `visibleIf` is false for these answers. */
function shown(el: Json, data: Json): boolean {
  if (el.visible === false) return false;
  if (typeof el.visibleIf !== "string" || !el.visibleIf.trim()) return true;
  return new ConditionRunner(el.visibleIf).runValues(data) === true;
}

/** The page's elements that are shown, depth first (a hidden panel hides what it holds). */
function* shownElements(list: unknown, data: Json): Generator<Json> {
  if (!Array.isArray(list)) return;
  for (const el of list as Json[]) {
    if (typeof el !== "object" || el === null || !shown(el, data)) continue;
    yield el;
    if (el.type === "panel") yield* shownElements(el.elements, data);
  }
}

/**
 * Reads the result of every item page of a generated checklist from its answers; check points hidden
 * by their conditions do not count. Works on the snapshot JSON with survey-core's condition runner
 * (building a survey model per read would cost hundreds of milliseconds). Only titles, results,
 * requirements and deadlines come out — never photos, signatures or other answers.
 */
export function summarizeChecklist(schema: Json, data: Json): ItemSummary[] {
  const pages = Array.isArray(schema.pages) ? (schema.pages as Json[]) : [];
  const items: ItemSummary[] = [];
  for (const page of pages) {
    const code = page[PAGE_PROPS.itemCode];
    if (typeof code !== "string" || !code || !shown(page, data)) continue;
    const elements = [...shownElements(page.elements, data)];
    const companion = (point: string, role: string) =>
      elements.find((el) => el[QUESTION_PROPS.point] === point && el[QUESTION_PROPS.role] === role);
    const counts: Record<PointResult, number> = { pass: 0, fail: 0, na: 0 };
    const failures: ItemFailure[] = [];
    for (const el of elements) {
      const name = el.name;
      if (el[QUESTION_PROPS.role] !== "checkpoint" || typeof name !== "string") continue;
      const value = data[name];
      if (value !== "pass" && value !== "fail" && value !== "na") continue;
      counts[value] += 1;
      if (value !== "fail") continue;
      const answer = (role: string) => text(data[String(companion(name, role)?.name ?? "")]);
      failures.push({
        point: localText(el.title) || name,
        requirement: answer("requirement"),
        deadline: answer("deadline"),
      });
    }
    items.push({
      code,
      name: text(page[PAGE_PROPS.itemName]),
      legalBasis: text(page[PAGE_PROPS.legalBasis]),
      result: itemResult(counts),
      counts,
      failures,
    });
  }
  return items;
}

/** One answered check point of a checklist, as corrective actions and 复查 read it. */
export interface PointOutcome {
  itemCode: string;
  /** The point's question name in the item form (the checklist's `iN__` prefix removed). */
  pointKey: string;
  title: string;
  result: PointResult;
  requirement: string;
  deadline: string;
  /** Marked eligible for 首违不罚 in the item form. */
  firstViolationEligible: boolean;
}

/** Every shown, answered check point of a checklist with its result, in page order. */
export function checklistPoints(schema: Json, data: Json): PointOutcome[] {
  const pages = Array.isArray(schema.pages) ? (schema.pages as Json[]) : [];
  const out: PointOutcome[] = [];
  for (const page of pages) {
    const code = page[PAGE_PROPS.itemCode];
    if (typeof code !== "string" || !code || !shown(page, data)) continue;
    const elements = [...shownElements(page.elements, data)];
    for (const el of elements) {
      const name = el.name;
      if (el[QUESTION_PROPS.role] !== "checkpoint" || typeof name !== "string") continue;
      const value = data[name];
      if (value !== "pass" && value !== "fail" && value !== "na") continue;
      const companion = (role: string) =>
        elements.find((c) => c[QUESTION_PROPS.point] === name && c[QUESTION_PROPS.role] === role);
      const answer = (role: string) =>
        value === "fail" ? text(data[String(companion(role)?.name ?? "")]) : "";
      out.push({
        itemCode: code,
        pointKey: name.replace(/^i\d+__/, ""),
        title: localText(el.title) || name,
        result: value,
        requirement: answer("requirement"),
        deadline: answer("deadline"),
        firstViolationEligible: el[QUESTION_PROPS.firstViolation] === true,
      });
    }
  }
  return out;
}

/** Codes of the items with at least one 不合格 point. */
export const failedItemCodes = (items: ItemSummary[]) =>
  items.filter((i) => i.result === "fail" || i.result === "mixed").map((i) => i.code);

/**
 * The registered result of an inspection as the enterprise may see it (R8): per item its result, and
 * for each failed point the corrective requirement and deadline. Null until the checklist is submitted.
 */
export async function checklistSummary(db: Db, inspectionId: string): Promise<ChecklistSummary | null> {
  const [row] = await db
    .select({ schema: checklists.schema, data: checklists.data, submittedAt: checklists.submittedAt })
    .from(checklists)
    .where(and(eq(checklists.inspectionId, inspectionId), eq(checklists.status, "submitted")))
    .limit(1);
  if (!row || row.submittedAt === null) return null;
  const items = summarizeChecklist(JSON.parse(row.schema) as Json, JSON.parse(row.data) as Json);
  return { items, submittedAt: new Date(row.submittedAt).toISOString() };
}

/** An item page's answered check points with their results, in the checklist's order. */
export interface ItemPoints {
  code: string;
  points: { point: string; result: PointResult }[];
}

/**
 * Every shown, answered check point per item page, for the written record (现场检查笔录), which lists
 * each point and not only the failures the summary keeps.
 */
export function checkpointResults(schema: Json, data: Json): ItemPoints[] {
  const pages = Array.isArray(schema.pages) ? (schema.pages as Json[]) : [];
  const out: ItemPoints[] = [];
  for (const page of pages) {
    const code = page[PAGE_PROPS.itemCode];
    if (typeof code !== "string" || !code || !shown(page, data)) continue;
    const points: ItemPoints["points"] = [];
    for (const el of shownElements(page.elements, data)) {
      const name = el.name;
      if (el[QUESTION_PROPS.role] !== "checkpoint" || typeof name !== "string") continue;
      const value = data[name];
      if (value === "pass" || value === "fail" || value === "na")
        points.push({ point: localText(el.title) || name, result: value });
    }
    out.push({ code, points });
  }
  return out;
}
