import { filedItems } from "./filed-items.ts";
import { eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import {
  departments,
  enterprises,
  inspectionDepartments,
  inspectionOfficers,
  officers,
} from "../db/schema.ts";
import { iso } from "../lib/router.ts";
import type { InspectionRow } from "./access.ts";

/** Departments, enterprise and flags for a page of inspections, read in three queries. */
export async function summaries(db: Db, rows: InspectionRow[]) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const depts = await db
    .select({ inspectionId: inspectionDepartments.inspectionId, id: departments.id, name: departments.name })
    .from(inspectionDepartments)
    .innerJoin(departments, eq(departments.id, inspectionDepartments.departmentId))
    .where(inArray(inspectionDepartments.inspectionId, ids))
    .orderBy(inspectionDepartments.joinedAt);
  const firms = await db
    .select({ id: enterprises.id, name: enterprises.name, creditCode: enterprises.creditCode })
    .from(enterprises)
    .where(inArray(enterprises.id, [...new Set(rows.map((r) => r.enterpriseId))]));
  const firmById = new Map(firms.map((f) => [f.id, f]));
  return rows.map((r) => {
    const ds = depts.filter((d) => d.inspectionId === r.id).map(({ id, name }) => ({ id, name }));
    return {
      id: r.id,
      status: r.status,
      type: r.type,
      enterprise: firmById.get(r.enterpriseId) ?? { id: r.enterpriseId, name: "", creditCode: "" },
      leadDepartmentId: r.leadDepartmentId,
      departments: ds,
      plannedStart: iso(r.plannedStart)!,
      plannedEnd: iso(r.plannedEnd)!,
      lateFiling: r.lateFiling,
      joint: ds.length > 1,
      filedAt: iso(r.filedAt)!,
    };
  });
}

/** Everything an inspection page shows: people, items, reasons and the times of each step. */
export async function detail(db: Db, row: InspectionRow) {
  const [summary] = await summaries(db, [row]);
  const people = await db
    .select({
      id: officers.id,
      name: officers.name,
      departmentId: officers.departmentId,
      credentialNo: officers.credentialNo,
      isHelper: inspectionOfficers.isHelper,
    })
    .from(inspectionOfficers)
    .innerJoin(officers, eq(officers.id, inspectionOfficers.officerId))
    .where(eq(inspectionOfficers.inspectionId, row.id));
  const items = (await filedItems(db, [row.id])).get(row.id) ?? [];
  return {
    ...summary!,
    caseReason: row.caseReason,
    lateReason: row.lateReason,
    legalBasis: row.legalBasis,
    notes: row.notes,
    refusalReason: row.refusalReason,
    cancelReason: row.cancelReason,
    /** The filer may withdraw the filing before the visit (with the lead department's administrator). */
    filedBy: row.filedBy,
    arrivalLocation: row.arrivalLocation
      ? (JSON.parse(row.arrivalLocation) as { lat: number; lng: number; accuracy?: number })
      : null,
    officers: people.sort((a, b) => Number(a.isHelper) - Number(b.isHelper)),
    items,
    times: {
      decidedAt: iso(row.decidedAt),
      startedAt: iso(row.startedAt),
      registeredAt: iso(row.registeredAt),
      evaluatedAt: iso(row.evaluatedAt),
      closedAt: iso(row.closedAt),
      arrivedAt: iso(row.arrivedAt),
      enterpriseArrivalAt: iso(row.enterpriseArrivalAt),
      cancelledAt: iso(row.cancelledAt),
    },
  };
}
