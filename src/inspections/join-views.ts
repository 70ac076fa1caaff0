/** Join requests as the API shows them (R18), with what each administrator needs to decide. */
import { z } from "@hono/zod-openapi";
import { alias } from "drizzle-orm/sqlite-core";
import { and, desc, eq, inArray, or, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import {
  catalogItems,
  departments,
  enterprises,
  inspections,
  joinRequests,
  JOIN_ORIGINS,
  JOIN_STATUSES,
  officers,
} from "../db/schema.ts";
import type { SessionUser } from "../env.ts";
import { iso } from "../lib/router.ts";

const Named = z.object({ id: z.string(), name: z.string() });

export const JoinRequestView = z
  .object({
    id: z.string(),
    inspectionId: z.string(),
    origin: z.enum(JOIN_ORIGINS),
    status: z.enum(JOIN_STATUSES),
    department: Named,
    leadDepartment: Named,
    enterprise: z.object({ name: z.string() }),
    inspectionStatus: z.string(),
    plannedStart: z.string(),
    plannedEnd: z.string(),
    officers: z.array(Named.extend({ isHelper: z.boolean() })),
    items: z.array(Named.extend({ code: z.string() })),
    requestedAt: z.string(),
    leadAcceptedAt: z.string().nullable(),
    departmentApprovedAt: z.string().nullable(),
    decidedAt: z.string().nullable(),
    refusalReason: z.string().nullable(),
    /** Whose consent is still missing while pending. */
    awaiting: z.array(z.enum(["lead", "department"])),
  })
  .openapi("JoinRequest");

export type JoinRequestRow = typeof joinRequests.$inferSelect;

const leadDepartment = alias(departments, "lead_department");

/** Requests with their inspection, departments and enterprise; newest first. */
export async function joinRequestViews(db: Db, where: SQL | undefined) {
  const rows = await db
    .select({
      request: joinRequests,
      department: { id: departments.id, name: departments.name },
      lead: { id: leadDepartment.id, name: leadDepartment.name },
      enterprise: enterprises.name,
      inspection: {
        status: inspections.status,
        plannedStart: inspections.plannedStart,
        plannedEnd: inspections.plannedEnd,
      },
    })
    .from(joinRequests)
    .innerJoin(inspections, eq(inspections.id, joinRequests.inspectionId))
    .innerJoin(departments, eq(departments.id, joinRequests.departmentId))
    .innerJoin(leadDepartment, eq(leadDepartment.id, inspections.leadDepartmentId))
    .leftJoin(enterprises, eq(enterprises.id, inspections.enterpriseId))
    .where(where)
    .orderBy(desc(joinRequests.requestedAt), desc(joinRequests.id))
    .limit(200);
  const officerIds = [...new Set(rows.flatMap((r) => JSON.parse(r.request.officerIds) as string[]))];
  const itemIds = [...new Set(rows.flatMap((r) => JSON.parse(r.request.itemIds) as string[]))];
  const [people, items] = await Promise.all([
    officerIds.length
      ? db
          .select({ id: officers.id, name: officers.name, isHelper: officers.isHelper })
          .from(officers)
          .where(inArray(officers.id, officerIds))
      : [],
    itemIds.length
      ? db
          .select({ id: catalogItems.id, name: catalogItems.name, code: catalogItems.code })
          .from(catalogItems)
          .where(inArray(catalogItems.id, itemIds))
      : [],
  ]);
  return rows.map(({ request: r, department, lead, enterprise, inspection }) => ({
    id: r.id,
    inspectionId: r.inspectionId,
    origin: r.origin,
    status: r.status,
    department,
    leadDepartment: lead,
    enterprise: { name: enterprise ?? "" },
    inspectionStatus: inspection.status,
    plannedStart: iso(inspection.plannedStart)!,
    plannedEnd: iso(inspection.plannedEnd)!,
    officers: (JSON.parse(r.officerIds) as string[]).flatMap((id) => people.filter((p) => p.id === id)),
    items: (JSON.parse(r.itemIds) as string[]).flatMap((id) => items.filter((i) => i.id === id)),
    requestedAt: iso(r.requestedAt)!,
    leadAcceptedAt: iso(r.leadAcceptedAt),
    departmentApprovedAt: iso(r.departmentApprovedAt),
    decidedAt: iso(r.decidedAt),
    refusalReason: r.refusalReason,
    awaiting:
      r.status === "pending"
        ? ([r.leadAcceptedBy ? null : "lead", r.departmentApprovedBy ? null : "department"].filter(
            (x) => x !== null,
          ) as ("lead" | "department")[])
        : [],
  }));
}

/**
 * The requests a user may see in the list: a department administrator those of their department and
 * those on inspections their department leads; the bureau's administrator and supervisors all.
 */
export function visibleTo(user: SessionUser): SQL | undefined {
  if (user.role === "admin" || user.role === "supervisor") return undefined;
  const mine = user.departmentId ?? "";
  return or(eq(joinRequests.departmentId, mine), eq(inspections.leadDepartmentId, mine));
}

/** Pending requests on inspections still open for joining (filed or approved). */
export const stillPending = () =>
  and(eq(joinRequests.status, "pending"), inArray(inspections.status, ["filed", "approved"]));
