/**
 * Filing an inspection, the one way: the rule check (R1–R4, R6), the guarded batch that settles the
 * duplicate window and the yearly caps (R5) in the database, and why a refusal happened. The filing
 * route, the planning merge and 双随机 filing differ only in what they load and how they answer.
 */
import { asc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { catalogItems, departments, enterprises, inspectionDepartments, officers } from "../db/schema.ts";
import type { InspectionType } from "../db/schema.ts";
import type { InspectionConfig } from "../env.ts";
import { newId, randomToken } from "../lib/ids.ts";
import { filingStatements, firstInWindow, type AuditLine } from "./filing.ts";
import { requestInsert } from "./joins.ts";
import {
  checkFiling,
  effectiveYearlyCap,
  legalBasisFromItems,
  type FilingFacts,
  type RuleViolation,
} from "./rules.ts";
import { yearBounds } from "../lib/time.ts";

/** What a filer asks for; ids are taken as given (the rules name the unknown ones). */
export interface FilingRequest {
  enterpriseId: string;
  /** The lead department first. */
  departmentIds: string[];
  officerIds: string[];
  /** In the order the legal basis and the items are listed. */
  itemIds: string[];
  type: InspectionType;
  caseReason?: string;
  plannedStart: number;
  plannedEnd: number;
  lateReason?: string;
  now: number;
}

/** The filing occupying the window, with its departments, so a refusal can name it. */
export interface WindowConflict {
  id: string;
  plannedStart: number;
  departments: { id: string; name: string }[];
}

export type FilingResult =
  /** The other departments named are pending: each joins once its administrator approves (R18). */
  | { kind: "filed"; id: string; lateFiling: boolean; pendingDepartmentIds: string[] }
  | { kind: "violation"; violation: RuleViolation }
  | { kind: "conflict"; conflict: WindowConflict }
  | { kind: "cap" };

export interface FilingOptions {
  config: Pick<
    InspectionConfig,
    "duplicateWindowDays" | "yearlyCapPerDepartment" | "jointMinOfficersPerDepartment"
  >;
  /** What names the other departments: a joint filing, or the coordinator's merge. */
  origin?: "filing" | "merge";
  filedBy: string;
  /** The audit line's actor; its detail gets the filing's `after` merged in. */
  audit: Omit<AuditLine, "action">;
  /** Written by the filer; else taken from the items. */
  legalBasis?: string;
  notes?: string;
  /** A further condition the insert must meet (see Guard.also). */
  also?: SQL;
  /**
   * A 复查 (issue 15): exempt from the duplicate window and the yearly caps (counted in the figures all
   * the same), linked to the inspection it follows up.
   */
  reinspectionOf?: string;
  /** Statements that follow the filing in the same batch; `inserted` holds once the filing is in. */
  then?: (id: string, inserted: SQL) => unknown[];
}

/** Loads what the rules need for a request. */
/** The configured rules a filing is held to besides the facts: the zone and the 补办 period. */
export interface FilingRules {
  timeZone: string;
  lateFilingMaxDays: number;
}

export async function loadFilingFacts(db: Db, r: FilingRequest, rules: FilingRules): Promise<FilingFacts> {
  const [depts, people, items, firms] = await Promise.all([
    db.select().from(departments).where(inArray(departments.id, r.departmentIds)),
    r.officerIds.length ? db.select().from(officers).where(inArray(officers.id, r.officerIds)) : [],
    r.itemIds.length ? db.select().from(catalogItems).where(inArray(catalogItems.id, r.itemIds)) : [],
    db.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.id, r.enterpriseId)),
  ]);
  return {
    departments: r.departmentIds.map((id) => depts.find((d) => d.id === id)).filter((d) => d !== undefined),
    requestedDepartmentIds: r.departmentIds,
    officers: people,
    requestedOfficerIds: r.officerIds,
    items,
    requestedItemIds: r.itemIds,
    enterprise: firms[0],
    type: r.type,
    caseReason: r.caseReason,
    plannedStart: r.plannedStart,
    plannedEnd: r.plannedEnd,
    lateReason: r.lateReason,
    now: r.now,
    ...rules,
  };
}

/** The departments of a filing, in the order they joined. */
export async function filingDepartments(db: Db, inspectionId: string) {
  return db
    .select({ id: departments.id, name: departments.name })
    .from(inspectionDepartments)
    .innerJoin(departments, eq(departments.id, inspectionDepartments.departmentId))
    .where(eq(inspectionDepartments.inspectionId, inspectionId))
    .orderBy(asc(inspectionDepartments.joinedAt));
}

/**
 * Files an inspection from checked facts in one atomic batch. The filer's department (the first) takes
 * part at once; each other department named gets a join request already accepted by the lead side,
 * which its own administrator approves or refuses (R18). A refusal by the database is explained
 * afterwards: the filing occupying the window when there is one, else a yearly cap (when `also`
 * refused, the caller knows why before reading this).
 */
export async function fileInspection(db: Db, facts: FilingFacts, o: FilingOptions): Promise<FilingResult> {
  const violation = checkFiling({ ...facts, jointMinOfficers: o.config.jointMinOfficersPerDepartment });
  if (violation) return { kind: "violation", violation };
  const id = newId();
  // Only the filer's department takes part at once; every other one named is asked for its consent.
  const [lead, ...others] = facts.requestedDepartmentIds as [string, ...string[]];
  const departmentIds = [lead];
  const allItems = facts.requestedItemIds.map((i) => facts.items.find((x) => x.id === i)!);
  const items = allItems.filter((i) => i.departmentId === lead);
  const people = facts.officers.filter((p) => p.departmentId === lead);
  const lateFiling = facts.plannedStart < facts.now;
  const caps = new Map([[lead, effectiveYearlyCap(o.config.yearlyCapPerDepartment, items)]]);
  const inserted = sql`EXISTS (SELECT 1 FROM inspections WHERE id = ${id})`;
  const statements = [
    ...filingStatements(
      db,
      {
        id,
        enterpriseId: facts.enterprise!.id,
        leadDepartmentId: departmentIds[0]!,
        departmentIds,
        type: facts.type,
        caseReason: facts.type === "case" ? facts.caseReason!.trim() : null,
        plannedStart: facts.plannedStart,
        plannedEnd: facts.plannedEnd,
        legalBasis: o.legalBasis?.trim() || legalBasisFromItems(items),
        notes: o.notes ?? "",
        lateFiling,
        lateReason: lateFiling ? facts.lateReason!.trim() : null,
        filedBy: o.filedBy,
        officers: people.map((p) => ({ id: p.id, isHelper: p.isHelper })),
        items: items.map((i) => ({ id: i.id, departmentId: i.departmentId })),
        codeNonce: randomToken(16),
        now: facts.now,
        reinspectionOf: o.reinspectionOf ?? null,
      },
      {
        windowDays: o.config.duplicateWindowDays,
        year: yearBounds(facts.plannedStart, facts.timeZone),
        caps,
        also: o.also,
        exempt: o.reinspectionOf !== undefined,
      },
      {
        ...o.audit,
        action: "inspection.filed",
        detail: {
          after: {
            status: "filed",
            type: facts.type,
            enterpriseId: facts.enterprise!.id,
            departmentIds,
            lateFiling,
          },
          ...(others.length ? { pendingDepartmentIds: others } : {}),
          ...o.audit.detail,
        },
      },
    ),
    ...others.map((departmentId) =>
      requestInsert(
        db,
        {
          id: newId(),
          inspectionId: id,
          departmentId,
          origin: o.origin ?? "filing",
          officerIds: facts.officers.filter((p) => p.departmentId === departmentId).map((p) => p.id),
          itemIds: allItems.filter((i) => i.departmentId === departmentId).map((i) => i.id),
          requestedBy: o.filedBy,
          now: facts.now,
          // The filing is the lead's side (its administrator still approves it, R6).
          leadAcceptedBy: o.filedBy,
        },
        inserted,
      ),
    ),
    ...(o.then?.(id, inserted) ?? []),
  ];
  const results = await db.batch(statements as unknown as Parameters<Db["batch"]>[0]);
  if ((results[0] as { rowsAffected: number }).rowsAffected === 1) {
    return { kind: "filed", id, lateFiling, pendingDepartmentIds: others };
  }
  const row = await firstInWindow(db, facts.enterprise!.id, facts.plannedStart, o.config.duplicateWindowDays);
  if (row && o.reinspectionOf === undefined)
    return { kind: "conflict", conflict: { ...row, departments: await filingDepartments(db, row.id) } };
  return { kind: "cap" };
}
