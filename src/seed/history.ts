import { and, eq, sql } from "drizzle-orm";
import { alertStatements, negativeEvaluationAlert } from "../alerts/create.ts";
import { generateChecklist } from "../checklists/generate.ts";
import { FIXED, QUESTION_PROPS } from "../checklists/metadata.ts";
import { checklistFacts } from "../checklists/store.ts";
import { failedItemCodes, summarizeChecklist } from "../checklists/summary.ts";
import { runBatch, type Db } from "../db/client.ts";
import { alerts, checklists, forms, formVersions, type inspections } from "../db/schema.ts";
import { negativeAnswers, satisfactionScore } from "../forms/negative.ts";
import { localDateTime } from "../lib/time.ts";
import type { PlannedFiling } from "./filings.ts";
import { demoId } from "./random.ts";

type Json = Record<string, unknown>;
type InspectionRow = typeof inspections.$inferSelect;

/** A small handwritten-looking stroke, a valid PNG data URL as the signature pads produce. */
const SIGNATURE =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAHgAAAAoCAYAAAA16j4lAAACPklEQVR4Ae3By5HbQAwE0O4pp4AzIkH0iARnBNHmgeWSVfuRdlckPZ73KAnLvAaWqQ0sUxtYpjawTG1gmdrAMrWBZWoDy9QGlqn9wsWZh/CGriSWT1ESrsg8hAd0JbG8i5JwJeYh3OhK4g3mIey6kljeREm4CvMQdl1JPMA8hF1XEstfKAlXYB7CpiuJJ5mHsOtK4ovMQ/hAVxL/GErC2cxD2HQl8Q3mIWy6kniCeQhP6kriH0BJOJN5CJuuJH6AeQibriQ+YR7Cja4kPmAewp2uJC6MknAW8xA2XUn8IPMQNl1JvME8hBtdSTzJPIRdVxIXRUk4g3kIm64kXsA8hE1XEjfMQ9h1JfFN5iHsupK4GErC0cxD2HQl8ULmIWy6ktiZh7qS+EHmIdzoSuIiKAlHMg9h05XEAcxDXUkcwDyEXVcSF0BJOIp5CJuuJA5kHupK4iDmIey6kngR81BXEh8YOFhXEicwD+EgXUnszEN4AfMQHkBJOIJ5qCuJk5iHsOlK4kDmIey6kvgm8xB2XUl8YuAA5iGcrCuJE3QlsTMPmYfwBeYh8xB2XUk8gJLwSuYhbLqS+M+Zh3CnK4l3mIdwpyuJJ1ASXsE8hF1XEssf5iE8qSuJL6Ak/DTzEHZdSSzvMg/hHV1JfBMl4SPmIWy6kniAeQibriSW0/3Cg8xD2HQlccc8hBtdSSyXQEl4hHkID+hKYrkMSsIzzEO405XEckmUhGVeA8vUBpapDSxTG1imNrBMbWCZ2sAytd/24iRkF9bCBQAAAABJRU5ErkJggg==";

const DEFICIENCY = "责令限期整改，整改完成后将整改报告及照片报送执法部门";

function* elementsOf(list: unknown): Generator<Json> {
  if (!Array.isArray(list)) return;
  for (const el of list) {
    if (typeof el !== "object" || el === null) continue;
    yield el as Json;
    yield* elementsOf((el as Json).elements);
  }
}

const local = (ms: number) => localDateTime(ms, "Asia/Shanghai").replace(" ", "T");

/** Answers for a generated checklist: all points 合格 except, when `failing`, the first one. */
function checklistAnswers(schema: Json, row: InspectionRow, failing: boolean, complete: boolean): Json {
  const data: Json = {};
  let failed = "";
  for (const page of Array.isArray(schema.pages) ? (schema.pages as Json[]) : []) {
    for (const el of elementsOf(page.elements)) {
      const name = String(el.name ?? "");
      const role = el[QUESTION_PROPS.role];
      if (name === FIXED.place) data[name] = el.defaultValue ?? "企业经营场所";
      else if (!complete) continue;
      else if (name === FIXED.start) data[name] = local(row.startedAt ?? row.plannedStart);
      else if (name === FIXED.end) data[name] = local(row.registeredAt ?? row.plannedEnd);
      else if (name === FIXED.rights) data[name] = true;
      else if (name === FIXED.representative) data[name] = el.defaultValue ?? "企业负责人";
      else if (el.type === "signaturepad") data[name] = SIGNATURE;
      else if (role === "checkpoint") {
        const fail = failing && !failed;
        if (fail) failed = name;
        data[name] = fail ? "fail" : "pass";
      } else if (role === "requirement" && el[QUESTION_PROPS.point] === failed) data[name] = DEFICIENCY;
      else if (role === "deadline" && el[QUESTION_PROPS.point] === failed) {
        data[name] = new Date((row.registeredAt ?? row.plannedEnd) + 15 * 86_400_000)
          .toISOString()
          .slice(0, 10);
      }
    }
  }
  return data;
}

function evaluationAnswers(negative: boolean, index: number): Json {
  const good = {
    two_officers_with_credentials: "yes",
    informed_items_and_basis: "yes",
    clear_result_and_guidance: "yes",
    informed_rights: "yes",
    unrelated_materials: "no",
    repeat_inspection: "no",
    beyond_scope: "no",
    disrupted_business: "no",
    demanded_gifts: "no",
    designated_services_or_fees: "no",
    rude_conduct: "no",
    overall_satisfaction: index % 3 === 0 ? 4 : 5,
    comment: index % 2 === 0 ? "检查人员出示证件，讲解细致，指导整改很有帮助。" : "",
  };
  if (!negative) return good;
  return {
    ...good,
    rude_conduct: "yes",
    misconduct_details: "检查人员态度生硬，当众呵斥员工，检查时间过长影响营业。",
    overall_satisfaction: 2,
    comment: "希望执法人员文明执法。",
  };
}

async function evaluationForm(db: Db, formId: string) {
  const [row] = await db
    .select({ version: formVersions.version, schema: formVersions.schema })
    .from(forms)
    .innerJoin(
      formVersions,
      and(eq(formVersions.formId, forms.id), eq(formVersions.version, forms.publishedVersion)),
    )
    .where(eq(forms.id, formId))
    .limit(1);
  return row ? { version: row.version, schema: JSON.parse(row.schema) as Json } : null;
}

/**
 * For the filings that got past approval: the generated checklist (a draft for the visit under way,
 * submitted with its answers for registered ones), and for evaluated ones the enterprise's evaluation —
 * a negative one raising its alert. Returns how many evaluations and alerts were written.
 */
export async function seedHistory(
  db: Db,
  filings: PlannedFiling[],
  opts: { timeZone: string; evaluationFormId: string },
): Promise<{ checklists: number; evaluations: number; alerts: number }> {
  const form = await evaluationForm(db, opts.evaluationFormId);
  const counts = { checklists: 0, evaluations: 0, alerts: 0 };
  let index = 0;
  for (const { scenario, id, row: planned } of filings) {
    if (!planned.startedAt) continue;
    const row = planned as InspectionRow;
    const schema = generateChecklist(await checklistFacts(db, row, opts.timeZone));
    const complete = Boolean(row.registeredAt);
    const data = checklistAnswers(schema, row, Boolean(scenario.failing), complete);
    const statements = [];
    statements.push(
      db
        .insert(checklists)
        .values({
          inspectionId: id,
          schema: JSON.stringify(schema),
          data: JSON.stringify(data),
          status: complete ? "submitted" : "draft",
          failedItems: JSON.stringify(complete ? failedItemCodes(summarizeChecklist(schema, data)) : []),
          generatedAt: row.startedAt!,
          savedAt: row.registeredAt ?? row.startedAt,
          savedBy: row.filedBy,
          submittedAt: row.registeredAt,
          submittedBy: complete ? row.filedBy : null,
        })
        .onConflictDoNothing(),
    );
    counts.checklists++;
    if (row.evaluatedAt && form) {
      const answers = evaluationAnswers(Boolean(scenario.negative), index++);
      const negative = negativeAnswers(form.schema, answers);
      const evaluationId = demoId("evaluation", id);
      statements.push(
        db.run(sql`INSERT INTO evaluations (id, inspection_id, form_id, version, data, negative, negative_answers, score, submitted_at)
          VALUES (${evaluationId}, ${id}, ${opts.evaluationFormId}, ${form.version}, ${JSON.stringify(answers)},
            ${negative.length > 0 ? 1 : 0}, ${JSON.stringify(negative)}, ${satisfactionScore(form.schema, answers)},
            ${row.evaluatedAt}) ON CONFLICT DO NOTHING`),
      );
      counts.evaluations++;
      const alertId = demoId("alert", id);
      if (negative.length > 0 && !(await alertExists(db, alertId))) {
        const alert = negativeEvaluationAlert(
          {
            id: alertId,
            eventId: demoId("alert-event", id),
            inspectionId: id,
            evaluationId,
            departmentId: row.leadDepartmentId,
            now: row.evaluatedAt,
          },
          negative,
        );
        statements.push(...alertStatements(db, alert, sql`1`));
        counts.alerts++;
      }
    }
    await runBatch(db, statements as Parameters<typeof runBatch>[1]);
  }
  return counts;
}

async function alertExists(db: Db, id: string): Promise<boolean> {
  const rows = await db.select({ id: alerts.id }).from(alerts).where(eq(alerts.id, id)).limit(1);
  return rows.length > 0;
}
