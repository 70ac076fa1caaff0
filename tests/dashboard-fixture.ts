import { sql } from "drizzle-orm";
import { newId } from "../src/lib/ids.ts";
import { seedDemoForms, type TestApp } from "./helpers.ts";

/** Local (UTC+8) time in 2026: `at(3, 10)` is 10 March 09:00. */
export const at = (month: number, day: number, hour = 9) =>
  Date.parse(
    `2026-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}T${String(hour).padStart(2, "0")}:00:00+08:00`,
  );
const HOUR = 3_600_000;

export interface DashboardWorld {
  deptA: string;
  deptB: string;
  items: { A1: string; A2: string; B1: string };
  enterprises: { E1: string; E2: string; E3: string; E4: string };
  inspections: Record<string, string>;
}

interface Filing {
  lead: "A" | "B";
  also?: "B";
  enterprise: "E1" | "E2" | "E3" | "E4";
  type: "routine" | "random" | "campaign" | "case";
  status: "filed" | "approved" | "refused" | "registered" | "evaluated" | "closed";
  start: number;
  items: ("A1" | "A2" | "B1")[];
  late?: boolean;
  /** Codes of failed items; a checklist is submitted when this is given. */
  failed?: string[];
  evaluation?: { at: number; score: number; negative: { name: string; title: string }[] };
  alert?: { created: number; handledAfterH: number | null; closedAfterH: number | null };
}

/**
 * The hand-computed world of tests/dashboard-figures.test.ts (the expected numbers are worked out in
 * the test from this list). Departments A (SCJG) and B (YJGL); items A1 (现场检查), A2 (书面检查,
 * off-site), B1 (现场检查); enterprises E1, E3 in 历下区, E2, E4 in 市中区.
 */
export const FILINGS: Record<string, Filing> = {
  I1: {
    lead: "A",
    enterprise: "E1",
    type: "routine",
    status: "closed",
    start: at(3, 2),
    items: ["A1"],
    failed: ["A-1"],
    evaluation: { at: at(3, 3), score: 100, negative: [] },
  },
  I2: {
    lead: "A",
    enterprise: "E1",
    type: "routine",
    status: "closed",
    start: at(3, 10),
    items: ["A1"],
    failed: [],
    evaluation: {
      at: at(3, 11),
      score: 25,
      negative: [
        { name: "overall_satisfaction", title: "总体满意度" },
        { name: "rude_conduct", title: "是否粗暴执法或言行不文明？" },
      ],
    },
    alert: { created: at(3, 11, 10), handledAfterH: 2, closedAfterH: 10 },
  },
  I3: {
    lead: "A",
    also: "B",
    enterprise: "E2",
    type: "campaign",
    status: "registered",
    start: at(3, 5),
    items: ["A1", "B1"],
    failed: ["B-1"],
  },
  I4: { lead: "A", enterprise: "E1", type: "case", status: "approved", start: at(3, 20), items: ["A1"] },
  I5: { lead: "A", enterprise: "E3", type: "routine", status: "refused", start: at(3, 15), items: ["A2"] },
  I6: {
    lead: "B",
    enterprise: "E3",
    type: "random",
    status: "evaluated",
    start: at(3, 12),
    items: ["B1"],
    late: true,
    failed: [],
    evaluation: {
      at: at(3, 13),
      score: 75,
      negative: [{ name: "demanded_gifts", title: "是否存在吃拿卡要、索要财物？" }],
    },
    alert: { created: at(3, 13, 10), handledAfterH: null, closedAfterH: null },
  },
  I7: {
    lead: "A",
    enterprise: "E2",
    type: "routine",
    status: "closed",
    start: at(3, 25),
    items: ["A2"],
    failed: [],
  },
  // Outside March: counts for the 2026 yearly figures only.
  I8: {
    lead: "A",
    enterprise: "E1",
    type: "routine",
    status: "closed",
    start: at(2, 10),
    items: ["A1"],
    failed: ["A-1"],
    evaluation: {
      at: at(2, 11),
      score: 0,
      negative: [{ name: "overall_satisfaction", title: "总体满意度" }],
    },
  },
  // 2025: in no figure of 2026.
  I9: {
    lead: "B",
    enterprise: "E2",
    type: "routine",
    status: "closed",
    start: Date.parse("2025-12-20T09:00:00+08:00"),
    items: ["B1"],
  },
  // April: five evaluations by A at E4 (enough for a department administrator's month).
  ...Object.fromEntries(
    [1, 2, 3, 4, 5].map((n) => [
      `J${n}`,
      {
        lead: "A",
        enterprise: "E4",
        type: "routine",
        status: "evaluated",
        start: at(4, n * 3),
        items: ["A1"],
        failed: [],
        evaluation: { at: at(4, n * 3 + 1), score: 100, negative: [] },
      } satisfies Filing,
    ]),
  ),
};

async function ensureEvaluationForm(t: TestApp) {
  await seedDemoForms(t);
}

/** Inserts the world directly (the dashboard tables fill through their triggers). */
export async function buildDashboardWorld(t: TestApp): Promise<DashboardWorld> {
  await ensureEvaluationForm(t);
  const deptA = await t.department("SCJG", "济南市市场监督管理局");
  const deptB = await t.department("YJGL", "济南市应急管理局");
  const depts = { A: deptA, B: deptB };
  const now = Date.now();
  const item = async (code: string, dept: string, method: string) => {
    const id = newId();
    await t.db
      .run(sql`INSERT INTO catalog_items (id, code, department_id, name, legal_basis, method, status, created_at, updated_at)
      VALUES (${id}, ${code}, ${dept}, ${`事项 ${code}`}, '《示例条例》', ${method}, 'active', ${now}, ${now})`);
    return id;
  };
  const items = {
    A1: await item("A-1", deptA, "现场检查"),
    A2: await item("A-2", deptA, "书面检查"),
    B1: await item("B-1", deptB, "现场检查"),
  };
  const enterprise = async (n: number, district: string) => {
    const id = newId();
    await t.db.run(sql`INSERT INTO enterprises (id, credit_code, name, district, created_at, updated_at)
      VALUES (${id}, ${`91370100MA00000${n}0X`}, ${`企业${n}有限公司`}, ${district}, ${now}, ${now})`);
    return id;
  };
  const enterprises = {
    E1: await enterprise(1, "历下区"),
    E2: await enterprise(2, "市中区"),
    E3: await enterprise(3, "历下区"),
    E4: await enterprise(4, "市中区"),
  };
  const inspections: Record<string, string> = {};
  for (const [name, f] of Object.entries(FILINGS)) {
    const id = newId();
    inspections[name] = id;
    await t.db
      .run(sql`INSERT INTO inspections (id, enterprise_id, lead_department_id, type, case_reason, status, planned_start,
        planned_end, legal_basis, late_filing, late_reason, filed_at, code_nonce, created_at, updated_at)
      VALUES (${id}, ${enterprises[f.enterprise]}, ${depts[f.lead]}, ${f.type}, ${f.type === "case" ? "投诉举报" : null},
        ${f.status}, ${f.start}, ${f.start + 2 * HOUR}, '《示例条例》', ${f.late ? 1 : 0}, ${f.late ? "紧急" : null},
        ${f.start - 24 * HOUR}, ${newId()}, ${now}, ${now})`);
    for (const dept of [f.lead, ...(f.also ? [f.also] : [])]) {
      await t.db.run(
        sql`INSERT INTO inspection_departments (inspection_id, department_id, joined_at) VALUES (${id}, ${depts[dept]}, ${now})`,
      );
    }
    for (const code of f.items) {
      await t.db.run(sql`INSERT INTO inspection_items (inspection_id, item_id, department_id)
        VALUES (${id}, ${items[code]}, ${code.startsWith("A") ? deptA : deptB})`);
    }
    if (f.failed) {
      await t.db
        .run(sql`INSERT INTO checklists (inspection_id, schema, data, status, failed_items, generated_at)
        VALUES (${id}, '{}', '{}', 'draft', '[]', ${f.start})`);
      await t.db
        .run(sql`UPDATE checklists SET status = 'submitted', failed_items = ${JSON.stringify(f.failed)},
        submitted_at = ${f.start + HOUR} WHERE inspection_id = ${id}`);
    }
    if (f.evaluation) {
      const evaluationId = newId();
      const e = f.evaluation;
      await t.db
        .run(sql`INSERT INTO evaluations (id, inspection_id, form_id, version, data, negative, negative_answers, score, submitted_at)
        VALUES (${evaluationId}, ${id}, 'inspection-evaluation', 1, '{}', ${e.negative.length ? 1 : 0},
          ${JSON.stringify(e.negative.map((a) => ({ ...a, value: "x", text: "x" })))}, ${e.score}, ${e.at})`);
      if (f.alert) {
        const a = f.alert;
        const handled = a.handledAfterH === null ? null : a.created + a.handledAfterH * HOUR;
        const closed = a.closedAfterH === null ? null : a.created + a.closedAfterH * HOUR;
        await t.db
          .run(sql`INSERT INTO alerts (id, inspection_id, evaluation_id, department_id, status, summary, created_at,
            first_handled_at, closed_at)
          VALUES (${newId()}, ${id}, ${evaluationId}, ${depts[f.lead]}, ${closed ? "closed" : handled ? "assigned" : "open"},
            '负面评价', ${a.created}, ${handled}, ${closed})`);
      }
    }
  }
  return { deptA, deptB, items, enterprises, inspections };
}
