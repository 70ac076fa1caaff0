import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";

export interface FiledItem {
  id: string;
  code: string;
  name: string;
  departmentId: string;
  /** The basis the item was inspected under; null when the record does not say (see below). */
  legalBasis: string | null;
}

/**
 * The items of inspections with the legal basis they were filed under, never the catalog's current
 * one, which may have been edited since. The basis comes from the records of the inspection: the
 * item's page of the generated checklist (a snapshot, the basis checked on site), else the catalog
 * item's basis only while it is still part of the inspection's filed basis (`legal_basis`, built from
 * the items' bases joined with "；" when filed, see legalBasisFromItems). Otherwise null: the page then
 * shows the inspection's filed basis alone, which is what the inspection was filed under.
 */
export async function filedItems(db: Db, inspectionIds: string[]): Promise<Map<string, FiledItem[]>> {
  const map = new Map<string, FiledItem[]>();
  for (let i = 0; i < inspectionIds.length; i += 500) {
    const chunk = inspectionIds.slice(i, i + 500);
    if (chunk.length === 0) continue;
    groupFiledItems(await filedItemsQuery(db, chunk), map);
  }
  return map;
}

type FiledItemRow = FiledItem & { inspectionId: string };

/** The query behind filedItems for at most 500 inspections, to run alone or inside a read batch. */
export function filedItemsQuery(db: Db, inspectionIds: string[]) {
  return db.all<FiledItemRow>(sql`
      SELECT ii.inspection_id AS inspectionId, ci.id, ci.code, ci.name, ii.department_id AS departmentId,
        coalesce(
          (SELECT json_extract(p.value, '$.lianmaLegalBasis')
             FROM checklists c, json_each(c.schema, '$.pages') p
            WHERE c.inspection_id = ii.inspection_id AND json_extract(p.value, '$.lianmaItemCode') = ci.code),
          CASE WHEN instr('；' || i.legal_basis || '；', '；' || trim(ci.legal_basis) || '；') > 0
               THEN trim(ci.legal_basis) END
        ) AS legalBasis
        FROM inspection_items ii
        JOIN catalog_items ci ON ci.id = ii.item_id
        JOIN inspections i ON i.id = ii.inspection_id
       WHERE ii.inspection_id IN (${sql.join(inspectionIds, sql`, `)})
       ORDER BY ci.code`);
}

/** The rows of filedItemsQuery by inspection, in the query's order. */
export function groupFiledItems(rows: FiledItemRow[], map = new Map<string, FiledItem[]>()) {
  for (const { inspectionId, ...item } of rows) {
    const list = map.get(inspectionId) ?? [];
    list.push(item);
    map.set(inspectionId, list);
  }
  return map;
}
