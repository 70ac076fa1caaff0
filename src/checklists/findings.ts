/**
 * The corrective actions a checklist submit writes (R16), as statements for the submit's own batch:
 * one action per failed point, and on a 复查 the settlement of the actions it re-inspects. The unique
 * key (found_in_inspection_id, item_id, point_key) with ON CONFLICT DO NOTHING keeps a retried submit
 * from writing an action twice; the batch keeps a failed submit from writing any.
 */
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { checkpointPages } from "./finding-pages.ts";
import type { Db } from "../db/client.ts";
import {
  catalogItems,
  correctiveActions,
  inspectionItems,
  inspections,
  type ActionStatus,
} from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import type { InspectionRow } from "../inspections/access.ts";
import { newId } from "../lib/ids.ts";
import { checklistPoints, type PointOutcome } from "./summary.ts";
import { firstViolation, type EarlierInspection } from "../actions/first-violation.ts";
import { onTime } from "../actions/overdue.ts";

type Json = Record<string, unknown>;
type ActionRow = typeof correctiveActions.$inferSelect;

interface ItemRef {
  id: string;
  departmentId: string;
}

async function itemsByCode(db: Db, inspectionId: string): Promise<Map<string, ItemRef>> {
  const rows = await db
    .select({ code: catalogItems.code, id: catalogItems.id, departmentId: inspectionItems.departmentId })
    .from(inspectionItems)
    .innerJoin(catalogItems, eq(catalogItems.id, inspectionItems.itemId))
    .where(eq(inspectionItems.inspectionId, inspectionId));
  return new Map(rows.map((r) => [r.code, { id: r.id, departmentId: r.departmentId }]));
}

/** The enterprise's earlier registered inspections of each item, with the points that failed there. */
async function earlierInspections(
  db: Db,
  inspection: InspectionRow,
  itemIds: string[],
): Promise<Map<string, EarlierInspection[]>> {
  const byItem = new Map<string, EarlierInspection[]>();
  if (itemIds.length === 0) return byItem;
  const visits = await db
    .select({ id: inspections.id, registeredAt: inspections.registeredAt, itemId: inspectionItems.itemId })
    .from(inspections)
    .innerJoin(inspectionItems, eq(inspectionItems.inspectionId, inspections.id))
    .where(
      and(
        eq(inspections.enterpriseId, inspection.enterpriseId),
        ne(inspections.id, inspection.id),
        inArray(inspectionItems.itemId, itemIds),
        sql`${inspections.registeredAt} IS NOT NULL`,
      ),
    );
  const failures = await db
    .select({
      found: correctiveActions.foundInInspectionId,
      itemId: correctiveActions.itemId,
      pointKey: correctiveActions.pointKey,
    })
    .from(correctiveActions)
    .where(
      and(
        eq(correctiveActions.enterpriseId, inspection.enterpriseId),
        inArray(correctiveActions.itemId, itemIds),
      ),
    );
  for (const v of visits) {
    const list = byItem.get(v.itemId) ?? [];
    list.push({
      inspectionId: v.id,
      registeredAt: v.registeredAt!,
      failedPointKeys: failures
        .filter((f) => f.found === v.id && f.itemId === v.itemId)
        .map((f) => f.pointKey),
    });
    byItem.set(v.itemId, list);
  }
  return byItem;
}

/** The actions a 复查 re-inspects (linked when it was filed). */
export async function linkedActions(db: Db, reinspectionId: string): Promise<ActionRow[]> {
  return db
    .select()
    .from(correctiveActions)
    .where(
      and(eq(correctiveActions.reinspectionId, reinspectionId), eq(correctiveActions.status, "reinspection")),
    );
}

export interface SubmitActions {
  statements: unknown[];
  opened: number;
}

/**
 * Reads what the submit's actions need and returns their statements. `now` is the submit's time; a
 * 复查's failed point continues the chain of the action it re-inspected (same original inspection).
 */
export async function submitActionStatements(
  c: Context<AppEnv>,
  inspection: InspectionRow,
  schema: Json,
  data: Json,
  now: number,
): Promise<SubmitActions> {
  const db = c.var.db;
  const { timeZone, inspections: cfg } = c.var.deps.config;
  const points = checklistPoints(schema, data);
  const pages = checkpointPages(schema);
  const items = await itemsByCode(db, inspection.id);
  const linked = inspection.reinspectionOf ? await linkedActions(db, inspection.id) : [];
  const failed = points.filter((p) => p.result === "fail" && items.has(p.itemCode));
  const history = await earlierInspections(db, inspection, [
    ...new Set(failed.map((p) => items.get(p.itemCode)!.id)),
  ]);
  const statements: unknown[] = [];
  const opened: Json[] = [];
  for (const p of failed) {
    const item = items.get(p.itemCode)!;
    const page = pages.get(p.itemCode);
    const previous = linked.find((a) => a.itemId === item.id && a.pointKey === p.pointKey);
    const rule = firstViolation({
      eligible: p.firstViolationEligible,
      itemCode: p.itemCode,
      pointKey: p.pointKey,
      now,
      years: cfg.firstViolationYears,
      timeZone,
      earlier: history.get(item.id) ?? [],
    });
    const id = newId();
    statements.push(
      db
        .insert(correctiveActions)
        .values({
          id,
          inspectionId: previous?.inspectionId ?? inspection.id,
          foundInInspectionId: inspection.id,
          enterpriseId: inspection.enterpriseId,
          departmentId: item.departmentId,
          itemId: item.id,
          itemCode: p.itemCode,
          formId: page?.formId ?? "",
          formVersion: page?.formVersion ?? 0,
          pointKey: p.pointKey,
          pointTitle: p.title,
          requirement: p.requirement,
          deadline: p.deadline,
          // A chain keeps the finding's own 首违 judgement: the 复查 is not an earlier failure of itself.
          firstViolation: previous ? previous.firstViolation : rule.kind,
          firstViolationBasis: previous
            ? previous.firstViolationBasis
            : rule.kind
              ? JSON.stringify(rule)
              : null,
          previousActionId: previous?.id ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing(),
    );
    opened.push({
      id,
      itemCode: p.itemCode,
      pointKey: p.pointKey,
      deadline: p.deadline,
      firstViolation: rule.kind,
    });
  }
  if (opened.length) {
    statements.push(
      auditInsert(c, {
        action: "action.opened",
        targetType: "inspection",
        targetId: inspection.id,
        detail: { actions: opened },
      }),
    );
  }
  statements.push(...settleStatements(c, linked, points, items, now, timeZone));
  return { statements, opened: opened.length };
}

/** What a 复查's result does to each action it re-inspected (合格 → accepted; 不合格 → superseded). */
function settleStatements(
  c: Context<AppEnv>,
  linked: ActionRow[],
  points: PointOutcome[],
  items: Map<string, ItemRef>,
  now: number,
  timeZone: string,
): unknown[] {
  const db = c.var.db;
  const out: unknown[] = [];
  for (const action of linked) {
    const point = points.find(
      (p) => items.get(p.itemCode)?.id === action.itemId && p.pointKey === action.pointKey,
    );
    const to: ActionStatus =
      point?.result === "pass" ? "accepted" : point?.result === "fail" ? "superseded" : "open";
    const set =
      to === "accepted"
        ? {
            status: to,
            verification: "reinspection" as const,
            acceptedAt: now,
            acceptedBy: c.var.user?.id ?? null,
            correctedOnTime: onTime(now, action.deadline, timeZone),
            updatedAt: now,
          }
        : to === "open"
          ? { status: to, reinspectionId: null, updatedAt: now }
          : { status: to, updatedAt: now };
    out.push(
      db
        .update(correctiveActions)
        .set(set)
        .where(and(eq(correctiveActions.id, action.id), eq(correctiveActions.status, "reinspection"))),
      auditInsert(c, {
        action: `action.${to === "open" ? "reopened" : to}`,
        targetType: "action",
        targetId: action.id,
        detail: {
          before: { status: action.status },
          after: { status: to },
          reinspectionId: action.reinspectionId,
          result: point?.result ?? null,
        },
      }),
    );
  }
  return out;
}
