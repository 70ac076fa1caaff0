import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";

/**
 * The dashboard facts recomputed from the source tables, in the layout of `dashboard_facts`. The
 * triggers of migrations/0005_dashboard.sql keep the table equal to this; tests and the large seed
 * compare the two to prove the triggers exact.
 */
export const RECOMPUTED_FACTS = sql`SELECT i.id AS inspection_id, d.department_id,
    i.lead_department_id = d.department_id AS is_lead, i.enterprise_id, e.district, i.planned_start, i.type,
    i.status, i.late_filing,
    (SELECT count(*) > 1 FROM inspection_departments x WHERE x.inspection_id = i.id) AS joint,
    NOT EXISTS (SELECT 1 FROM inspection_items ii JOIN catalog_items c ON c.id = ii.item_id
      WHERE ii.inspection_id = i.id AND c.method = '现场检查') AS off_site,
    v.submitted_at AS evaluated_at, v.score, v.negative
  FROM inspection_departments d JOIN inspections i ON i.id = d.inspection_id
    JOIN enterprises e ON e.id = i.enterprise_id LEFT JOIN evaluations v ON v.inspection_id = i.id`;

/** The item results recomputed from submitted checklists, in the layout of `dashboard_item_facts`. */
export const RECOMPUTED_ITEM_FACTS = sql`SELECT ii.inspection_id, ii.item_id, ii.department_id, e.district,
    i.planned_start, c.code IN (SELECT value FROM json_each(k.failed_items)) AS failed
  FROM checklists k JOIN inspection_items ii ON ii.inspection_id = k.inspection_id
    JOIN catalog_items c ON c.id = ii.item_id JOIN inspections i ON i.id = ii.inspection_id
    JOIN enterprises e ON e.id = i.enterprise_id
  WHERE k.status = 'submitted'`;

/** The yearly counts recomputed from the facts, in the layout of `dashboard_frequency` (empty groups dropped). */
export const RECOMPUTED_FREQUENCY = sql`SELECT department_id, enterprise_id,
    CAST(strftime('%Y', planned_start / 1000, 'unixepoch', '+8 hours') AS INTEGER) AS year, max(district) AS district,
    sum(status IN ('filed','approved','in_progress','registered','evaluated','closed')) AS filings,
    sum(status IN ('in_progress','registered','evaluated','closed')) AS visits
  FROM dashboard_facts GROUP BY department_id, enterprise_id, year`;

/** The weekly sums recomputed from the facts, in the layout of `dashboard_weekly`. */
export const RECOMPUTED_WEEKLY = sql`SELECT 'visit' AS kind, planned_start / 604800000 AS week, department_id, district,
    is_lead, count(*) AS filings, sum(status IN ('in_progress','registered','evaluated','closed')) AS visits,
    sum(joint) AS joint, sum(off_site) AS off_site, sum(type = 'case') AS cases, sum(late_filing) AS late,
    sum(status = 'refused') AS refused, 0, 0, 0, 0
  FROM dashboard_facts WHERE status <> 'draft' GROUP BY week, department_id, district, is_lead
  UNION ALL
  SELECT 'evaluation', evaluated_at / 604800000 AS week, department_id, district, is_lead, 0, 0, 0, 0, 0, 0, 0,
    count(*), count(score), coalesce(sum(score), 0), coalesce(sum(negative), 0)
  FROM dashboard_facts WHERE evaluated_at IS NOT NULL GROUP BY week, department_id, district, is_lead`;

/** The negative answers recomputed from the evaluations, in the layout of `dashboard_negative_answers`. */
export const RECOMPUTED_NEGATIVE = sql`SELECT v.inspection_id, json_extract(j.value, '$.name') AS name,
    coalesce(json_extract(j.value, '$.title'), '') AS title
  FROM evaluations v, json_each(v.negative_answers) j
  WHERE json_extract(j.value, '$.name') IS NOT NULL GROUP BY v.inspection_id, name`;

const FACT_COLUMNS = sql`inspection_id, department_id, is_lead, enterprise_id, district, planned_start, type,
  status, late_filing, joint, off_site, evaluated_at, score, negative`;
const ITEM_COLUMNS = sql`inspection_id, item_id, department_id, district, planned_start, failed`;

/**
 * Rows that differ between the maintained tables and the recomputation (both directions); zero means
 * the triggers kept the dashboard exact.
 */
export async function factDrift(
  db: Db,
): Promise<{ facts: number; items: number; frequency: number; weekly: number; negative: number }> {
  const count = async (query: ReturnType<typeof sql>) =>
    Number((await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM (${query})`))?.n ?? 0);
  const facts = await count(
    sql`SELECT * FROM (SELECT ${FACT_COLUMNS} FROM dashboard_facts EXCEPT SELECT * FROM (${RECOMPUTED_FACTS}))
      UNION ALL SELECT * FROM (SELECT * FROM (${RECOMPUTED_FACTS}) EXCEPT SELECT ${FACT_COLUMNS} FROM dashboard_facts)`,
  );
  const items = await count(
    sql`SELECT * FROM (SELECT ${ITEM_COLUMNS} FROM dashboard_item_facts EXCEPT SELECT * FROM (${RECOMPUTED_ITEM_FACTS}))
      UNION ALL SELECT * FROM (SELECT * FROM (${RECOMPUTED_ITEM_FACTS}) EXCEPT SELECT ${ITEM_COLUMNS} FROM dashboard_item_facts)`,
  );
  const kept = sql`SELECT department_id, enterprise_id, year, district, filings, visits FROM dashboard_frequency
    WHERE filings > 0 OR visits > 0`;
  const frequency = await count(
    sql`SELECT * FROM (${kept} EXCEPT SELECT * FROM (${RECOMPUTED_FREQUENCY}))
      UNION ALL SELECT * FROM (SELECT * FROM (${RECOMPUTED_FREQUENCY}) WHERE filings > 0 OR visits > 0 EXCEPT ${kept})`,
  );
  const weeklyKept = sql`SELECT kind, week, department_id, district, is_lead, filings, visits, joint, off_site,
      cases, late, refused, evaluations, scored, score_sum, negative FROM dashboard_weekly
    WHERE filings <> 0 OR evaluations <> 0`;
  const weekly = await count(
    sql`SELECT * FROM (${weeklyKept} EXCEPT SELECT * FROM (${RECOMPUTED_WEEKLY}))
      UNION ALL SELECT * FROM (SELECT * FROM (${RECOMPUTED_WEEKLY}) EXCEPT ${weeklyKept})`,
  );
  const answers = sql`SELECT inspection_id, name, title FROM dashboard_negative_answers`;
  const negative = await count(
    sql`SELECT * FROM (${answers} EXCEPT SELECT * FROM (${RECOMPUTED_NEGATIVE}))
      UNION ALL SELECT * FROM (SELECT * FROM (${RECOMPUTED_NEGATIVE}) EXCEPT ${answers})`,
  );
  return { facts, items, frequency, weekly, negative };
}
