/** Opening a case and moving it along its life cycle: each write one batch with its audit line. */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { currentUser } from "../auth/session.ts";
import type { Db } from "../db/client.ts";
import {
  alerts,
  caseEvents,
  cases,
  caseSources,
  complaints,
  departments,
  enterprises,
  inspections,
  officers,
  type CaseSourceKind,
} from "../db/schema.ts";
import { isUniqueViolation } from "../directory/unique.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { localDate } from "../lib/time.ts";
import { nextStatus, refuseStep, type CaseStep } from "./rules.ts";
import { WARNING_KINDS } from "./schemas.ts";

export type CaseRow = typeof cases.$inferSelect;

const batch = (db: Db, items: unknown[]) => db.batch(items as unknown as Parameters<Db["batch"]>[0]);

/** The case as the caller may see it: a department administrator only its own department's (others 404). */
export async function loadCase(c: Context<AppEnv>, id: string): Promise<CaseRow> {
  const [row] = await c.var.db.select().from(cases).where(eq(cases.id, id)).limit(1);
  const user = currentUser(c);
  if (!row || (user.role === "dept_admin" && row.departmentId !== user.departmentId))
    throw notFound("督办案件");
  return row;
}

export interface OpenInput {
  departmentId: string;
  title: string;
  facts: string;
  situations: string[];
  officerIds: string[];
  level: "general" | "major";
  answerDue: string;
  sources: { kind: CaseSourceKind; ref: string }[];
}

const unprocessable = (code: string, message: string) => new ApiError(422, code, message);

/** Checks each source exists and is about the case's department. */
async function checkSources(db: Db, departmentId: string, sources: OpenInput["sources"]) {
  for (const s of sources) {
    if (s.kind === "alert") {
      const [a] = await db.select({ d: alerts.departmentId }).from(alerts).where(eq(alerts.id, s.ref));
      if (!a) throw unprocessable("invalid_source", "所关联的告警不存在");
      if (a.d !== departmentId) throw unprocessable("invalid_source", "所关联的告警不属于该部门");
    } else if (s.kind === "complaint") {
      const [p] = await db
        .select({ d: complaints.departmentId })
        .from(complaints)
        .where(eq(complaints.id, s.ref));
      if (!p) throw unprocessable("invalid_source", "所关联的投诉不存在");
      if (p.d !== departmentId) throw unprocessable("invalid_source", "所关联的投诉不属于该部门");
    } else if (s.kind === "warning") {
      const [kind, id] = s.ref.split(":");
      if (!(WARNING_KINDS as readonly string[]).includes(kind ?? "") || !id)
        throw unprocessable("invalid_source", `预警来源应写作 类型:编号，类型为 ${WARNING_KINDS.join("、")}`);
      const found =
        kind === "high_frequency"
          ? await db.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.id, id))
          : await db.select({ id: inspections.id }).from(inspections).where(eq(inspections.id, id));
      if (!found.length) throw unprocessable("invalid_source", "预警所指的检查或企业不存在");
    } else {
      throw unprocessable("invalid_source", "案卷评查结果须由评查任务立案");
    }
  }
}

/** Opens a case; its number is the next of its year, taken in the same batch. */
export async function openCase(
  c: Context<AppEnv>,
  input: OpenInput,
  extra: unknown[] = [],
  /** A review task opens its own findings' cases: their source is the item it has just scored. */
  fromReview = false,
): Promise<string> {
  const db = c.var.db;
  const config = c.var.deps.config;
  const [dept] = await db
    .select({ id: departments.id })
    .from(departments)
    .where(eq(departments.id, input.departmentId));
  if (!dept) throw unprocessable("invalid_department", "部门不存在");
  const unknown = input.situations.filter((s) => !config.caseSituations.includes(s));
  if (unknown.length) throw unprocessable("invalid_situation", `情形不在清单内：${unknown.join("、")}`);
  const officerIds = [...new Set(input.officerIds)];
  if (officerIds.length) {
    const found = await db
      .select({ id: officers.id })
      .from(officers)
      .where(and(inArray(officers.id, officerIds), eq(officers.departmentId, input.departmentId)));
    if (found.length !== officerIds.length)
      throw unprocessable("invalid_officer", "涉及人员须是该部门的执法人员");
  }
  const sources = dedupe(input.sources);
  await checkSources(
    db,
    input.departmentId,
    sources.filter((s) => !(fromReview && s.kind === "review")),
  );

  const now = Date.now();
  const year = Number(localDate(now, config.timeZone).slice(0, 4));
  const id = newId();
  const user = currentUser(c);
  const seq = sql`(SELECT last FROM case_counters WHERE year = ${year})`;
  const items: unknown[] = [
    db.run(sql`INSERT INTO case_counters (year, last) VALUES (${year}, 1)
      ON CONFLICT(year) DO UPDATE SET last = last + 1`),
    db.run(sql`INSERT INTO cases (id, year, seq, number, department_id, title, facts, situations, officer_ids,
        level, answer_due, status, version, opened_by, opened_at, updated_at)
      VALUES (${id}, ${year}, ${seq}, '济司督〔' || ${String(year)} || '〕第' || ${seq} || '号', ${input.departmentId},
        ${input.title}, ${input.facts}, ${JSON.stringify(input.situations)}, ${JSON.stringify(officerIds)},
        ${input.level}, ${input.answerDue}, 'opened', 1, ${user.id}, ${now}, ${now})`),
    ...sources.map((s) => db.insert(caseSources).values({ caseId: id, kind: s.kind, ref: s.ref })),
    db
      .insert(caseEvents)
      .values({ caseId: id, seq: 1, at: now, actorId: user.id, kind: "opened", note: input.title }),
    auditInsert(c, {
      action: "case.open",
      targetType: "case",
      targetId: id,
      detail: { after: { status: "opened", departmentId: input.departmentId, level: input.level, sources } },
    }),
    ...extra,
  ];
  try {
    await batch(db, items);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError(409, "source_taken", "该来源已有未办结的督办案件");
    throw err;
  }
  return id;
}

const dedupe = (sources: OpenInput["sources"]) => [
  ...new Map(sources.map((s) => [`${s.kind}\u0000${s.ref}`, s])).values(),
];

export interface StepWrite {
  /** Columns set on the case besides status and version. */
  set?: Partial<
    Record<
      | "sent_at"
      | "answered_at"
      | "accepted_at"
      | "closed_at"
      | "closed_by"
      | "conclusion"
      | "conclusion_detail",
      unknown
    >
  >;
  note?: string;
  detail?: Record<string, unknown>;
  /** Further statements of the same write (the officers' credential, the sources' release). */
  extra?: unknown[];
  /** A refusal of the step's input, checked once the state allows the step (state first, then body). */
  invalid?: ApiError;
}

/**
 * Runs `step` on the case: refused out of order (409), and of two racing steps on the same version only
 * one commits (the second collides on the event's (case, seq) key and writes nothing).
 */
export async function runStep(c: Context<AppEnv>, row: CaseRow, step: CaseStep, write: StepWrite = {}) {
  const refusal = refuseStep(step, row.status, row.level);
  if (refusal) throw new ApiError(refusal.status, refusal.code, refusal.message);
  if (write.invalid) throw write.invalid;
  const db = c.var.db;
  const now = Date.now();
  const to = nextStatus(step);
  const user = currentUser(c);
  const set = Object.entries(write.set ?? {}).map(([k, v]) => sql`, ${sql.identifier(k)} = ${v as string}`);
  const items: unknown[] = [
    db.run(sql`UPDATE cases SET status = ${to}, version = ${row.version + 1}, updated_at = ${now}${sql.join(set, sql``)}
      WHERE id = ${row.id} AND version = ${row.version}`),
    db.insert(caseEvents).values({
      caseId: row.id,
      seq: row.version + 1,
      at: now,
      actorId: user.id,
      kind: step,
      note: write.note ?? "",
      detail: JSON.stringify(write.detail ?? {}),
    }),
    auditInsert(c, {
      action: `case.${step}`,
      targetType: "case",
      targetId: row.id,
      detail: { before: { status: row.status }, after: { status: to, ...(write.detail ?? {}) } },
    }),
    ...(write.extra ?? []),
  ];
  try {
    await batch(db, items);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError(409, "invalid_state", "案件已被他人处理，请刷新后重试");
    throw err;
  }
}
