import { and, eq, inArray, isNotNull, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { enterprises, officers, samplingConflicts } from "../db/schema.ts";
import { credentialValidThrough } from "../directory/credentials.ts";
import { ALGORITHM, type DrawSnapshot, type Grade, type SnapshotOfficer } from "./draw.ts";

export interface PopulationFilters {
  districts: string[];
  industries: string[];
  riskLevels: string[];
}

/** The task's parameters as the snapshot records them. */
export type SnapshotTask = DrawSnapshot["task"];

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The directory filter of a population: an empty list does not filter. */
export function populationWhere(f: PopulationFilters): SQL | undefined {
  const parts = [
    f.districts.length ? inArray(enterprises.district, f.districts) : undefined,
    f.industries.length ? inArray(enterprises.industry, f.industries) : undefined,
    f.riskLevels.length
      ? inArray(enterprises.riskLevel, f.riskLevels as (typeof enterprises.riskLevel._.data)[])
      : undefined,
  ].filter((p) => p !== undefined);
  return parts.length ? and(...parts) : undefined;
}

async function population(db: Db, task: SnapshotTask, triggered: Set<string>) {
  const rows = await db
    .select({
      id: enterprises.id,
      creditCode: enterprises.creditCode,
      name: enterprises.name,
      grade: enterprises.creditGrade,
    })
    .from(enterprises)
    .where(populationWhere(task.filters));
  return rows
    .map((e) => ({ ...e, grade: e.grade as Grade, triggered: triggered.has(e.creditCode) }))
    .sort((a, b) => compare(a.creditCode, b.creditCode));
}

/** Credentialed, active officers of the task's departments whose credential covers the whole period. */
async function officerPool(db: Db, task: SnapshotTask): Promise<SnapshotOfficer[]> {
  const rows = await db
    .select()
    .from(officers)
    .where(
      and(
        inArray(
          officers.departmentId,
          task.departments.map((d) => d.id),
        ),
        eq(officers.isHelper, false),
        eq(officers.status, "active"),
        isNotNull(officers.credentialNo),
      ),
    );
  return rows
    .filter((o) => credentialValidThrough(o, task.periodFrom, task.periodTo))
    .map((o) => ({ id: o.id, name: o.name, credentialNo: o.credentialNo!, departmentId: o.departmentId }))
    .sort((a, b) => compare(a.credentialNo, b.credentialNo));
}

/** Pool officers on each enterprise's most recent filed (not refused) inspection. */
async function lastInspectionOfficers(db: Db, poolIds: string[], enterpriseIds: Set<string>) {
  if (poolIds.length === 0) return [];
  const rows = await db.all<{ enterprise_id: string; officer_id: string }>(sql`
    WITH last AS (
      SELECT id, enterprise_id FROM (
        SELECT id, enterprise_id,
          ROW_NUMBER() OVER (PARTITION BY enterprise_id ORDER BY planned_start DESC, id DESC) AS rn
        FROM inspections
        WHERE status IN ('filed','approved','in_progress','registered','evaluated','closed')
      ) WHERE rn = 1
    )
    SELECT last.enterprise_id, io.officer_id FROM last
    JOIN inspection_officers io ON io.inspection_id = last.id
    WHERE io.is_helper = 0 AND io.officer_id IN (${sql.join(
      poolIds.map((id) => sql`${id}`),
      sql`, `,
    )})`);
  const byEnterprise = new Map<string, string[]>();
  for (const r of rows) {
    if (!enterpriseIds.has(r.enterprise_id)) continue;
    byEnterprise.set(r.enterprise_id, [...(byEnterprise.get(r.enterprise_id) ?? []), r.officer_id]);
  }
  return [...byEnterprise]
    .map(([enterpriseId, ids]) => ({ enterpriseId, officerIds: ids.sort(compare) }))
    .sort((a, b) => compare(a.enterpriseId, b.enterpriseId));
}

async function registeredConflicts(db: Db, poolIds: string[], enterpriseIds: Set<string>) {
  if (poolIds.length === 0) return [];
  const rows = await db
    .select({ officerId: samplingConflicts.officerId, enterpriseId: samplingConflicts.enterpriseId })
    .from(samplingConflicts)
    .where(inArray(samplingConflicts.officerId, poolIds));
  return rows
    .filter((r) => enterpriseIds.has(r.enterpriseId))
    .sort((a, b) => compare(a.enterpriseId, b.enterpriseId) || compare(a.officerId, b.officerId));
}

/**
 * Freezes what the draw will use: the population (the directory under the task's filters, with the
 * triggered flags), the officer pool, and the avoidance data (registered conflicts, last inspections),
 * each in canonical order so the snapshot's hash depends only on its content.
 */
export async function buildSnapshot(
  db: Db,
  task: SnapshotTask,
  triggeredCreditCodes: string[],
): Promise<DrawSnapshot> {
  const enterpriseRows = await population(db, task, new Set(triggeredCreditCodes));
  const pool = await officerPool(db, task);
  const poolIds = pool.map((o) => o.id);
  const inPopulation = new Set(enterpriseRows.map((e) => e.id));
  return {
    algorithm: ALGORITHM,
    task,
    enterprises: enterpriseRows,
    officers: pool,
    lastInspection: await lastInspectionOfficers(db, poolIds, inPopulation),
    conflicts: await registeredConflicts(db, poolIds, inPopulation),
  };
}
