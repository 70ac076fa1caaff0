/** Supervision cases (督办, issue 16) per department: opened in the period, overdue, closed by conclusion. */
import { sql } from "drizzle-orm";
import { answerOverdue } from "../cases/rules.ts";
import type { Db } from "../db/client.ts";
import { CASE_CONCLUSIONS, type CaseConclusion, type CaseStatus } from "../db/schema.ts";
import { localDate } from "../lib/time.ts";
import type { DashboardScope } from "./scope.ts";

export interface CaseFigures {
  opened: number;
  major: number;
  active: number;
  overdue: number;
  closed: number;
  byConclusion: Record<CaseConclusion, number>;
  /** 案卷评查: files scored in the period and their average, in percent of the form's maximum. */
  reviewed: number;
  reviewAverage: number | null;
}

const empty = (): CaseFigures => ({
  opened: 0,
  major: 0,
  active: 0,
  overdue: 0,
  closed: 0,
  byConclusion: Object.fromEntries(CASE_CONCLUSIONS.map((k) => [k, 0])) as Record<CaseConclusion, number>,
  reviewed: 0,
  reviewAverage: null,
});

type Row = {
  department_id: string;
  level: string;
  status: CaseStatus;
  answer_due: string;
  answered_at: number | null;
  conclusion: CaseConclusion | null;
};

/**
 * Cases opened in the period (a district filter does not apply: a case belongs to a department).
 * Overdue is as of now: an answer still owed past its due day, or given after it.
 */
export async function caseFigures(db: Db, s: DashboardScope) {
  const dept = s.departmentId ? sql` AND department_id = ${s.departmentId}` : sql``;
  const rows = await db.all<Row>(sql`SELECT department_id, level, status, answer_due, answered_at, conclusion
    FROM cases WHERE opened_at >= ${s.from} AND opened_at < ${s.to}${dept}`);
  const today = localDate(s.now, s.timeZone);
  const totals = empty();
  const byDepartment = new Map<string, CaseFigures>();
  for (const r of rows) {
    const f = byDepartment.get(r.department_id) ?? empty();
    byDepartment.set(r.department_id, f);
    const answeredOn = r.answered_at == null ? null : localDate(Number(r.answered_at), s.timeZone);
    const overdue = answerOverdue({ status: r.status, answerDue: r.answer_due, answeredOn }, today);
    for (const x of [f, totals]) {
      x.opened++;
      if (r.level === "major") x.major++;
      if (r.status === "closed") x.closed++;
      else x.active++;
      if (overdue) x.overdue++;
      if (r.conclusion) x.byConclusion[r.conclusion]++;
    }
  }
  const scored = await db.all<{ department_id: string; n: number; pct: number }>(sql`SELECT department_id,
      count(*) AS n, sum(score * 100.0 / max_score) AS pct
    FROM review_items WHERE scored_at >= ${s.from} AND scored_at < ${s.to} AND max_score > 0${dept}
    GROUP BY department_id`);
  let pctSum = 0;
  for (const r of scored) {
    const f = byDepartment.get(r.department_id) ?? empty();
    byDepartment.set(r.department_id, f);
    f.reviewed = Number(r.n);
    f.reviewAverage = Math.round((Number(r.pct) / Number(r.n)) * 10) / 10;
    totals.reviewed += Number(r.n);
    pctSum += Number(r.pct);
  }
  if (totals.reviewed) totals.reviewAverage = Math.round((pctSum / totals.reviewed) * 10) / 10;
  return {
    totals,
    byDepartment: [...byDepartment].map(([key, figures]) => ({ key, figures })),
  };
}
