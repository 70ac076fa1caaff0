import { inArray } from "drizzle-orm";
import { runBatch, type Db } from "../db/client.ts";
import { catalogItems, forms, formVersions } from "../db/schema.ts";
import { findSchemaProblems } from "../forms/schema-problems.ts";
import { checklistSchema, ITEMS } from "./catalog-data.ts";
import { demoId } from "./random.ts";

export interface DemoCatalogItem {
  id: string;
  code: string;
  department: string;
  departmentId: string;
  name: string;
  legalBasis: string;
  checklistFormId: string;
}

/**
 * Per department 3–5 catalog items, each linked to its own checklist form, published as version 1
 * (the rows `seedForms` in bootstrap.ts writes). Existing forms and items are left as they are.
 */
export async function seedCatalog(
  db: Db,
  departmentIds: Map<string, string>,
  now: number,
): Promise<DemoCatalogItem[]> {
  const planned: DemoCatalogItem[] = [];
  const statements = [];
  for (const [department, items] of Object.entries(ITEMS)) {
    const departmentId = departmentIds.get(department);
    if (!departmentId) continue;
    for (const item of items) {
      const code = `JN-${department}-${item.n}`;
      const formId = demoId("form", code);
      const schema = checklistSchema(item);
      const problems = findSchemaProblems(schema);
      if (problems.length) throw new Error(`${code}: ${problems.map((p) => p.message).join("; ")}`);
      const text = JSON.stringify(schema);
      const title = `${item.name}检查表`;
      statements.push(
        db
          .insert(forms)
          .values({
            id: formId,
            kind: "checklist",
            title,
            description: `${code} 的检查要点`,
            departmentId,
            draftSchema: text,
            status: "published",
            latestVersion: 1,
            publishedVersion: 1,
            createdAt: now,
            updatedAt: now,
          })
          .onConflictDoNothing(),
        db
          .insert(formVersions)
          .values({ formId, version: 1, title, schema: text, publishedAt: now })
          .onConflictDoNothing(),
        db
          .insert(catalogItems)
          .values({
            id: demoId("catalog", code),
            code,
            departmentId,
            name: item.name,
            legalBasis: item.legalBasis,
            method: item.method,
            yearlyCap: item.yearlyCap ?? null,
            checklistFormId: formId,
            status: "active",
            createdAt: now,
            updatedAt: now,
          })
          .onConflictDoNothing(),
      );
      planned.push({
        id: demoId("catalog", code),
        code,
        department,
        departmentId,
        name: item.name,
        legalBasis: item.legalBasis,
        checklistFormId: formId,
      });
    }
  }
  await runBatch(db, statements);
  // An item code taken by someone else's item keeps that item: leave it out of the demo filings.
  const stored = await db
    .select({ id: catalogItems.id })
    .from(catalogItems)
    .where(
      inArray(
        catalogItems.id,
        planned.map((p) => p.id),
      ),
    );
  const present = new Set(stored.map((s) => s.id));
  return planned.filter((p) => present.has(p.id));
}
