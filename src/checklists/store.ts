import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import {
  catalogItems,
  checklists,
  correctiveActions,
  departments,
  enterprises,
  formVersions,
  inspectionDepartments,
  inspectionItems,
  inspectionOfficers,
  officers,
} from "../db/schema.ts";
import type { InspectionRow } from "../inspections/access.ts";
import { ApiError } from "../lib/errors.ts";
import type { ChecklistFacts, ChecklistItemInput, ReinspectedPoint } from "./generate.ts";
import { PAGE_PROPS } from "./metadata.ts";

export type ChecklistRow = typeof checklists.$inferSelect;

export async function readChecklist(db: Db, inspectionId: string): Promise<ChecklistRow | undefined> {
  const [row] = await db.select().from(checklists).where(eq(checklists.inspectionId, inspectionId)).limit(1);
  return row;
}

/**
 * A batch statement that fails — rolling the whole batch back — unless the statement before it changed
 * exactly one row. It turns a conditional update that lost a race into an aborted batch, so nothing
 * else of that batch (transition, audit lines) is written.
 */
export const abortUnlessOneRowChanged = (db: Db) =>
  db.run(sql`SELECT CASE WHEN changes() = 1 THEN 1 ELSE json('lost race: no row changed') END`);

/**
 * The items of a filing, with the latest published version of each item's checklist form — on a 复查,
 * the version the re-inspected points came from (`versions`, by item code).
 */
async function itemInputs(
  db: Db,
  inspectionId: string,
  versions?: Map<string, { formId: string; version: number }>,
): Promise<ChecklistItemInput[]> {
  const rows = await db
    .select({
      code: catalogItems.code,
      name: catalogItems.name,
      legalBasis: catalogItems.legalBasis,
      method: catalogItems.method,
      departmentName: departments.name,
      formId: catalogItems.checklistFormId,
    })
    .from(inspectionItems)
    .innerJoin(catalogItems, eq(catalogItems.id, inspectionItems.itemId))
    .innerJoin(departments, eq(departments.id, inspectionItems.departmentId))
    .where(eq(inspectionItems.inspectionId, inspectionId))
    .orderBy(asc(catalogItems.code));
  const items: ChecklistItemInput[] = [];
  const missing: string[] = [];
  for (const original of rows) {
    const pinned = versions?.get(original.code);
    const row = pinned ? { ...original, formId: pinned.formId } : original;
    const [version] = row.formId
      ? await db
          .select({ version: formVersions.version, schema: formVersions.schema })
          .from(formVersions)
          .where(
            pinned
              ? and(eq(formVersions.formId, row.formId), eq(formVersions.version, pinned.version))
              : eq(formVersions.formId, row.formId),
          )
          .orderBy(desc(formVersions.version))
          .limit(1)
      : [];
    if (!row.formId || !version) {
      missing.push(`${row.code} ${row.name}`);
      continue;
    }
    const { formId, ...item } = row;
    items.push({ ...item, formId, formVersion: version.version, formSchema: JSON.parse(version.schema) });
  }
  if (missing.length) {
    throw new ApiError(
      409,
      "checklist_form_unpublished",
      `以下检查事项的检查表尚未发布，无法生成现场检查表：${missing.join("；")}`,
      missing.map((m) => ({ item: m })),
    );
  }
  if (items.length === 0) throw new ApiError(409, "no_items", "本次检查没有检查事项，无法生成现场检查表");
  return items;
}

/** Everything the checklist generator needs about one inspection, read from the database. */
export async function checklistFacts(
  db: Db,
  inspection: InspectionRow,
  timeZone: string,
): Promise<ChecklistFacts> {
  const [enterprise] = await db.select().from(enterprises).where(eq(enterprises.id, inspection.enterpriseId));
  if (!enterprise) throw new ApiError(409, "unknown_enterprise", "检查对象企业不存在");
  const officerRows = await db
    .select({
      name: officers.name,
      credentialNo: officers.credentialNo,
      isHelper: inspectionOfficers.isHelper,
      departmentName: departments.name,
    })
    .from(inspectionOfficers)
    .innerJoin(officers, eq(officers.id, inspectionOfficers.officerId))
    .innerJoin(departments, eq(departments.id, officers.departmentId))
    .where(eq(inspectionOfficers.inspectionId, inspection.id))
    .orderBy(asc(inspectionOfficers.isHelper), asc(officers.name));
  const departmentRows = await db
    .select({ id: departments.id, name: departments.name })
    .from(inspectionDepartments)
    .innerJoin(departments, eq(departments.id, inspectionDepartments.departmentId))
    .where(eq(inspectionDepartments.inspectionId, inspection.id))
    .orderBy(asc(inspectionDepartments.joinedAt));
  const lead = departmentRows.filter((d) => d.id === inspection.leadDepartmentId);
  const others = departmentRows.filter((d) => d.id !== inspection.leadDepartmentId);
  return {
    enterprise: {
      name: enterprise.name,
      creditCode: enterprise.creditCode,
      address: enterprise.address,
      legalRepresentative: enterprise.legalRepresentative,
    },
    officers: officerRows,
    plannedStart: inspection.plannedStart,
    plannedEnd: inspection.plannedEnd,
    departments: [...lead, ...others].map((d) => d.name),
    timeZone,
    ...(await itemsAndPoints(db, inspection)),
  };
}

/** The filing's items; on a 复查 also the points it re-inspects, from the actions linked to it. */
async function itemsAndPoints(db: Db, inspection: InspectionRow) {
  if (!inspection.reinspectionOf) return { items: await itemInputs(db, inspection.id) };
  const linked = await db
    .select()
    .from(correctiveActions)
    .where(eq(correctiveActions.reinspectionId, inspection.id));
  const versions = new Map(linked.map((a) => [a.itemCode, { formId: a.formId, version: a.formVersion }]));
  const reinspection = new Map<string, ReinspectedPoint[]>();
  for (const a of linked) {
    const list = reinspection.get(a.itemCode) ?? [];
    list.push({ pointKey: a.pointKey, requirement: a.requirement, deadline: a.deadline });
    reinspection.set(a.itemCode, list);
  }
  return { items: await itemInputs(db, inspection.id, versions), reinspection };
}

/** The item pages of a stored checklist, for the API: code, name and legal basis, in page order. */
export function checklistItems(schema: Record<string, unknown>) {
  const pages = Array.isArray(schema.pages) ? (schema.pages as Record<string, unknown>[]) : [];
  return pages
    .filter((p) => typeof p[PAGE_PROPS.itemCode] === "string")
    .map((p) => ({
      code: String(p[PAGE_PROPS.itemCode]),
      name: String(p[PAGE_PROPS.itemName] ?? ""),
      legalBasis: String(p[PAGE_PROPS.legalBasis] ?? ""),
    }));
}
