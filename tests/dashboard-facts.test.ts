import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { factDrift } from "../src/dashboard/facts.ts";
import { at, buildDashboardWorld, type DashboardWorld } from "./dashboard-fixture.ts";
import { makeTestApp, type TestApp } from "./helpers.ts";

let t: TestApp;
let w: DashboardWorld;

beforeEach(async () => {
  t = await makeTestApp();
  w = await buildDashboardWorld(t);
});

const NO_DRIFT = { facts: 0, items: 0, frequency: 0, weekly: 0, negative: 0 };

async function factsOf(inspectionId: string) {
  return t.db.all<{
    department_id: string;
    joint: number;
    off_site: number;
    status: string;
    district: string;
  }>(
    sql`SELECT department_id, joint, off_site, status, district FROM dashboard_facts WHERE inspection_id = ${inspectionId}
      ORDER BY department_id`,
  );
}

describe("dashboard tables kept by triggers", () => {
  it("match a recomputation from the source tables after the fixture is written", async () => {
    expect(await factDrift(t.db)).toEqual(NO_DRIFT);
    const count = await t.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM dashboard_facts`);
    // 14 inspections (I1–I9, J1–J5), one of them (I3) joint.
    expect(Number(count[0]!.n)).toBe(15);
  });

  it("follow a department joining with an on-site item: joint on every row, no longer off-site", async () => {
    const id = w.inspections.I5!; // A alone, A-2 (书面检查) only
    expect(await factsOf(id)).toMatchObject([{ joint: 0, off_site: 1 }]);
    await t.db.run(
      sql`INSERT INTO inspection_departments (inspection_id, department_id, joined_at) VALUES (${id}, ${w.deptB}, 1)`,
    );
    await t.db.run(
      sql`INSERT INTO inspection_items (inspection_id, item_id, department_id) VALUES (${id}, ${w.items.B1}, ${w.deptB})`,
    );
    const rows = await factsOf(id);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.joint === 1 && r.off_site === 0)).toBe(true);
    expect(await factDrift(t.db)).toEqual(NO_DRIFT);
  });

  it("follow status changes, a moved visit, a district change and a re-submitted checklist", async () => {
    await t.db.run(sql`UPDATE inspections SET status = 'in_progress' WHERE id = ${w.inspections.I4}`);
    await t.db.run(sql`UPDATE inspections SET planned_start = ${at(4, 28)} WHERE id = ${w.inspections.I7}`);
    await t.db.run(
      sql`UPDATE inspections SET planned_start = ${Date.parse("2027-01-05T09:00:00+08:00")} WHERE id = ${w.inspections.I1}`,
    );
    await t.db.run(sql`UPDATE enterprises SET district = '天桥区' WHERE id = ${w.enterprises.E1}`);
    await t.db.run(
      sql`UPDATE checklists SET failed_items = '["A-1"]' WHERE inspection_id = ${w.inspections.I2}`,
    );
    expect(await factDrift(t.db)).toEqual(NO_DRIFT);
    expect((await factsOf(w.inspections.I4!))[0]).toMatchObject({
      status: "in_progress",
      district: "天桥区",
    });
    const frequency = await t.db.all<{ year: number; filings: number; visits: number }>(
      sql`SELECT year, filings, visits FROM dashboard_frequency WHERE enterprise_id = ${w.enterprises.E1}
        AND department_id = ${w.deptA} ORDER BY year`,
    );
    // 2026: I8 I2 I4 (now visited); 2027: I1.
    expect(frequency.map((f) => [f.year, f.filings, f.visits])).toEqual([
      [2026, 3, 3],
      [2027, 1, 1],
    ]);
    const failed = await t.db.all<{ failed: number }>(
      sql`SELECT failed FROM dashboard_item_facts WHERE inspection_id = ${w.inspections.I2}`,
    );
    expect(failed).toEqual([{ failed: 1 }]);
  });

  it("count an evaluation and its score once it arrives", async () => {
    const id = w.inspections.I3!; // registered, joint A + B
    await t.db
      .run(sql`INSERT INTO evaluations (id, inspection_id, form_id, version, data, negative, negative_answers, score, submitted_at)
      VALUES ('ev-i3', ${id}, 'inspection-evaluation', 1, '{}', 0, '[]', 50, ${at(3, 6)})`);
    const rows = await t.db.all<{ score: number; evaluated_at: number }>(
      sql`SELECT score, evaluated_at FROM dashboard_facts WHERE inspection_id = ${id}`,
    );
    expect(rows).toEqual([
      { score: 50, evaluated_at: at(3, 6) },
      { score: 50, evaluated_at: at(3, 6) },
    ]);
    expect(await factDrift(t.db)).toEqual(NO_DRIFT);
  });

  it("are rebuilt exactly by the migration's backfill from data written before it", async () => {
    const statements = readFileSync("migrations/0005_dashboard.sql", "utf8")
      .split("--> statement-breakpoint")
      .map((x) => x.trim())
      .filter((x) => x.startsWith("INSERT INTO dashboard_"));
    expect(statements).toHaveLength(3);
    const before = await t.db.all(sql`SELECT * FROM dashboard_frequency ORDER BY 1, 2, 3`);
    for (const table of [
      "dashboard_facts",
      "dashboard_item_facts",
      "dashboard_frequency",
      "dashboard_weekly",
    ]) {
      await t.db.run(sql.raw(`DELETE FROM ${table}`));
    }
    for (const statement of statements) await t.db.run(sql.raw(statement));
    expect(await factDrift(t.db)).toEqual(NO_DRIFT);
    expect(await t.db.all(sql`SELECT * FROM dashboard_frequency ORDER BY 1, 2, 3`)).toEqual(before);
  });
});
