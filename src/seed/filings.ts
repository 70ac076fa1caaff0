import { inArray } from "drizzle-orm";
import { runBatch, type Db } from "../db/client.ts";
import {
  inspectionDepartments,
  inspectionItems,
  inspectionOfficers,
  inspections,
  type InspectionStatus,
  type InspectionType,
} from "../db/schema.ts";
import { legalBasisFromItems } from "../inspections/rules.ts";
import { randomToken } from "../lib/ids.ts";
import { localDate } from "../lib/time.ts";
import { DEPARTMENTS } from "./catalog-data.ts";
import type { DemoCatalogItem } from "./catalog.ts";
import type { DemoEnterprise, DemoOfficer } from "./directory.ts";
import { demoId } from "./random.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One demo filing: who files, when (days from today), how far it got, and what happened. */
export interface Scenario {
  key: string;
  department: string;
  /** A second department that joined (联合检查). */
  joined?: string;
  status: InspectionStatus;
  days: number;
  type?: InspectionType;
  caseReason?: string;
  lateReason?: string;
  refusal?: string;
  /** The checklist records one 不合格 point with a corrective requirement. */
  failing?: boolean;
  /** The enterprise's evaluation is negative (raises an alert). */
  negative?: boolean;
  helper?: boolean;
}

export const SCENARIOS: Scenario[] = [
  { key: "scjg-1", department: "SCJG", status: "filed", days: 4, helper: true },
  {
    key: "scjg-2",
    department: "SCJG",
    status: "filed",
    days: 6,
    type: "case",
    caseReason: "12345 热线投诉：售卖过期食品",
  },
  { key: "scjg-3", department: "SCJG", status: "approved", days: 2 },
  {
    key: "scjg-4",
    department: "SCJG",
    status: "refused",
    days: 8,
    refusal: "该企业本年度已接受同类检查，请与其他部门的检查计划合并后再备案",
  },
  { key: "scjg-5", department: "SCJG", status: "in_progress", days: 0 },
  { key: "scjg-6", department: "SCJG", status: "registered", days: -4, failing: true },
  { key: "scjg-7", department: "SCJG", status: "evaluated", days: -15, type: "random" },
  { key: "scjg-8", department: "SCJG", status: "evaluated", days: -20, negative: true },
  { key: "scjg-9", department: "SCJG", status: "closed", days: -45, type: "campaign" },
  { key: "yjgl-1", department: "YJGL", status: "filed", days: 5 },
  { key: "yjgl-2", department: "YJGL", joined: "XFJY", status: "approved", days: 3, type: "campaign" },
  { key: "yjgl-3", department: "YJGL", status: "registered", days: -6, helper: true },
  { key: "yjgl-4", department: "YJGL", status: "evaluated", days: -25, type: "random" },
  { key: "yjgl-5", department: "YJGL", status: "closed", days: -50, failing: true },
  { key: "xfjy-1", department: "XFJY", status: "filed", days: 7 },
  { key: "xfjy-2", department: "XFJY", status: "approved", days: 1 },
  {
    key: "xfjy-3",
    department: "XFJY",
    status: "registered",
    days: -3,
    type: "case",
    caseReason: "群众举报：疏散通道堆放杂物",
    lateReason: "接群众举报存在重大火灾隐患，立即赶赴现场处置，事后补办备案",
    failing: true,
  },
  { key: "xfjy-4", department: "XFJY", status: "evaluated", days: -12 },
  { key: "xfjy-5", department: "XFJY", status: "closed", days: -40, type: "random" },
  { key: "sthj-1", department: "STHJ", status: "filed", days: 9, type: "campaign" },
  { key: "sthj-2", department: "STHJ", status: "refused", days: 6, refusal: "检查事项与企业经营范围不符" },
  { key: "sthj-3", department: "STHJ", status: "registered", days: -8 },
  { key: "sthj-4", department: "STHJ", status: "closed", days: -35, type: "random" },
  { key: "wsjk-1", department: "WSJK", status: "approved", days: 4 },
  { key: "wsjk-2", department: "WSJK", joined: "SCJG", status: "evaluated", days: -18 },
  { key: "wsjk-3", department: "WSJK", status: "closed", days: -55 },
  { key: "zjj-1", department: "ZJJ", status: "filed", days: 3 },
  { key: "zjj-2", department: "ZJJ", status: "registered", days: -5 },
  { key: "zjj-3", department: "ZJJ", status: "evaluated", days: -22, negative: true, failing: true },
];

const ORDER: InspectionStatus[] = ["filed", "approved", "in_progress", "registered", "evaluated", "closed"];
const reached = (s: Scenario, step: InspectionStatus) =>
  s.status === step || (s.status !== "refused" && ORDER.indexOf(s.status) >= ORDER.indexOf(step));

/** 09:30 Beijing time `days` days from today; the inspection under way today started an hour ago. */
function plannedStart(days: number, now: number): number {
  if (days === 0) return Math.floor((now - HOUR) / (5 * 60_000)) * 5 * 60_000;
  const today = localDate(now, "Asia/Shanghai");
  return Date.parse(`${today}T09:30:00+08:00`) + days * DAY;
}

export interface PlannedFiling {
  scenario: Scenario;
  id: string;
  row: typeof inspections.$inferInsert;
}

export interface FilingWorld {
  departmentIds: Map<string, string>;
  officers: Map<string, DemoOfficer[]>;
  items: DemoCatalogItem[];
  enterprises: DemoEnterprise[];
  filedBy: Map<string, string>;
  decidedBy: Map<string, string>;
}

/**
 * Inserts the demo filings that are not there yet (ids are stable, so a second run adds nothing),
 * each with its departments, officers and items, in the state its scenario names.
 */
export async function seedFilings(db: Db, world: FilingWorld, now: number): Promise<PlannedFiling[]> {
  const used = new Set<string>();
  const pickEnterprise = (department: string) => {
    const wanted = DEPARTMENTS.find((d) => d.code === department)?.industries ?? [];
    const match =
      world.enterprises.find((e) => !used.has(e.id) && wanted.includes(e.industry)) ??
      world.enterprises.find((e) => !used.has(e.id));
    if (match) used.add(match.id);
    return match;
  };
  const existing = await db
    .select({ id: inspections.id })
    .from(inspections)
    .where(
      inArray(
        inspections.id,
        SCENARIOS.map((s) => demoId("inspection", s.key)),
      ),
    );
  const existed = new Set(existing.map((e) => e.id));
  const planned: PlannedFiling[] = [];
  const statements = [];
  let turn = 0;
  for (const s of SCENARIOS) {
    turn++;
    const enterprise = pickEnterprise(s.department);
    const leadId = world.departmentIds.get(s.department);
    const joinedId = s.joined ? world.departmentIds.get(s.joined) : undefined;
    if (!enterprise || !leadId || (s.joined && !joinedId) || existed.has(demoId("inspection", s.key)))
      continue;
    const teams = [s.department, ...(s.joined ? [s.joined] : [])].map((code, index) => {
      const people = world.officers.get(code) ?? [];
      const counted = people.filter((o) => o.counts);
      // The officer1 login takes part in most of the lead department's filings (its "我的" list).
      const lead = index === 0 && turn % 3 !== 0;
      const team = lead
        ? [counted[0], counted[1 + (turn % 4)]]
        : [counted[1 + (turn % 4)], counted[1 + ((turn + 1) % 4)]];
      const helper = s.helper && index === 0 ? people.find((o) => o.isHelper) : undefined;
      const deptItems = world.items.filter((i) => i.department === code);
      const chosen =
        index === 0 && turn % 2 === 0
          ? deptItems.slice(0, 2)
          : deptItems.slice(turn % deptItems.length).slice(0, 1);
      const members = [...team, helper].filter((o): o is DemoOfficer => o !== undefined);
      return { code, team: members, items: chosen };
    });
    if (teams.some((t) => t.team.filter((o) => !o.isHelper).length < 2 || t.items.length === 0)) continue;
    const id = demoId("inspection", s.key);
    const start = plannedStart(s.days, now);
    const end = start + 2.5 * HOUR;
    const late = Boolean(s.lateReason);
    const filedAt = late ? end + 3 * HOUR : s.days > 0 ? now - (20 + turn) * HOUR : start - 3 * DAY;
    const decidedAt =
      s.status === "filed" ? null : s.days > 0 ? filedAt + 2 * HOUR : late ? filedAt + HOUR : filedAt + DAY;
    const startedAt = reached(s, "in_progress") ? start + 10 * 60_000 : null;
    const registeredAt = reached(s, "registered") ? (late ? end : end - 10 * 60_000) : null;
    // A closed inspection was evaluated first, unless it failed and was closed without an evaluation.
    const evaluated = s.status === "evaluated" || (s.status === "closed" && !s.failing);
    const evaluatedAt = evaluated ? registeredAt! + 20 * HOUR : null;
    const closedAt = s.status === "closed" ? registeredAt! + 4 * DAY : null;
    const allItems = teams.flatMap((t) => t.items);
    const row: typeof inspections.$inferInsert = {
      id,
      enterpriseId: enterprise.id,
      leadDepartmentId: leadId,
      type: s.type ?? "routine",
      caseReason: s.caseReason ?? null,
      status: s.status,
      plannedStart: start,
      plannedEnd: end,
      legalBasis: legalBasisFromItems(allItems),
      notes: s.joined ? "联合检查：进一次门、查多项事" : "",
      lateFiling: late,
      lateReason: s.lateReason ?? null,
      filedBy: world.filedBy.get(s.department) ?? null,
      filedAt,
      decidedBy: decidedAt ? (world.decidedBy.get(s.department) ?? null) : null,
      decidedAt,
      refusalReason: s.refusal ?? null,
      startedAt,
      registeredAt,
      evaluatedAt,
      closedAt,
      codeNonce: randomToken(16),
      createdAt: filedAt,
      updatedAt: closedAt ?? evaluatedAt ?? registeredAt ?? startedAt ?? decidedAt ?? filedAt,
    };
    statements.push(
      db.insert(inspections).values(row).onConflictDoNothing(),
      ...teams.map((t, index) =>
        db
          .insert(inspectionDepartments)
          .values({
            inspectionId: id,
            departmentId: world.departmentIds.get(t.code)!,
            joinedAt: filedAt + index * 3 * HOUR,
            joinedBy: world.filedBy.get(t.code) ?? null,
          })
          .onConflictDoNothing(),
      ),
      ...teams.flatMap((t) =>
        t.team.map((o) =>
          db
            .insert(inspectionOfficers)
            .values({ inspectionId: id, officerId: o.id, isHelper: o.isHelper })
            .onConflictDoNothing(),
        ),
      ),
      ...allItems.map((item) =>
        db
          .insert(inspectionItems)
          .values({ inspectionId: id, itemId: item.id, departmentId: item.departmentId })
          .onConflictDoNothing(),
      ),
    );
    planned.push({ scenario: s, id, row });
  }
  await runBatch(db, statements);
  return planned;
}
