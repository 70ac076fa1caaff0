/**
 * Full differential run of the compiled validator against the survey-core reference, plus a
 * per-call timing. Usage:
 *   node --import tsx scripts/validator-diff.ts [--per-form N] [--per-fallback-form M] [--seed S] [--jobs J] [--only TEXT]
 *   node --import tsx scripts/validator-diff.ts --timing-only
 *   node --import tsx scripts/validator-diff.ts --timing-form schemas/panels-compiled.json
 *
 * For every form in forms/ and tests/fixtures/schemas/ it generates N seeded random responses
 * (default 10,000) and runs the compiled validator on each. Every response the compiled validator
 * decides itself is also validated by the reference and compared (accept/reject and the set of
 * failing field names); a response it defers is decided by the reference in production, so it
 * cannot disagree and is only counted. Forms the compiler refuses run the reference for every
 * response and get M responses (default 200) for their accept/reject counts.
 *
 * `--only TEXT` restricts the run to forms whose name contains TEXT (repeatable).
 *
 * Each form runs in its own child process (J at a time, default 2): survey-core's models are held by
 * the microtasks they queue until the loop yields, so a synchronous run of reference calls grows by
 * ~0.7 MB per call, which would add up over a whole run in one process. Prints one row per form and
 * a table, then the timing; exits non-zero on any disagreement.
 */
import { execFile } from "node:child_process";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { compileResponseValidator } from "../src/forms/compiled/index.ts";
import { DELIBERATE, precheckAnswers } from "../src/forms/precheck.ts";
import { createResponseValidator, ownMessages } from "../src/forms/reference-validator.ts";
import { planOf } from "../src/forms/validator-cache.ts";
import type { ValidationResult } from "../src/forms/validation-types.ts";
import { failingNames, loadDiffForms, randomResponse, seededRng } from "../tests/validator-fuzz.ts";
import type { DiffForm } from "../tests/validator-fuzz.ts";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const perForm = Number(arg("--per-form") ?? 10_000);
const perFallbackForm = Number(arg("--per-fallback-form") ?? 200);
const seed = Number(arg("--seed") ?? 20261127);
const jobs = Number(arg("--jobs") ?? 2);

/** Counts of one form. Accepted/rejected count the final decisions (compiled or, when deferred, the reference's). */
interface Row {
  form: string;
  compiled: string;
  generated: number;
  decidedByCompiled: number;
  deferred: number;
  accepted: number;
  rejected: number;
  agreements: number;
  disagreements: number;
  messageDiffs: number;
  /** Refused by the pre-check that runs before both validators; of those, accepted by the reference as a documented difference. */
  precheckRefused: number;
  deliberate: number;
  /** µs per call: the compiled validator (median of rounds over up to 500 responses it decides), the reference (mean over all). */
  compiledUs: number;
  referenceUs: number;
}

function messages(result: ValidationResult): string {
  return result.ok
    ? ""
    : result.errors
        .map((e) => `${e.name}\u0000${e.message}`)
        .sort()
        .join("\n");
}

async function runForm(form: DiffForm): Promise<Row> {
  const outcome = compileResponseValidator(form.schema, "zh-cn", ownMessages("zh-cn"));
  const reference = createResponseValidator(form.schema);
  const plan = planOf(form.schema);
  const row: Row = {
    form: form.name,
    compiled: outcome.ok ? "compiled" : `fallback: ${outcome.reason}`,
    generated: 0,
    decidedByCompiled: 0,
    deferred: 0,
    accepted: 0,
    rejected: 0,
    agreements: 0,
    disagreements: 0,
    messageDiffs: 0,
    precheckRefused: 0,
    deliberate: 0,
    compiledUs: 0,
    referenceUs: 0,
  };
  let referenceMs = 0;
  const decidedInputs: unknown[] = [];
  const rng = seededRng(seed);
  const count = outcome.ok ? perForm : perFallbackForm;
  for (let i = 0; i < count; i++) {
    // survey-core's models are held by the microtasks they queue: let them run, as the server does
    // between requests, or 10,000 reference calls outgrow the heap.
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    const data = randomResponse(rng, form.schema);
    row.generated++;
    const fast = outcome.ok ? outcome.validate(data) : undefined;
    const t0 = performance.now();
    const expected = reference(data);
    referenceMs += performance.now() - t0;
    if (fast && decidedInputs.length < 500) decidedInputs.push(data);
    if (expected.ok) row.accepted++;
    else row.rejected++;
    const refused = precheckAnswers(plan, data);
    if (refused) {
      row.precheckRefused++;
      // The server refuses before either validator runs: the reference accepting is a difference,
      // documented for the DELIBERATE reasons, a disagreement for any other.
      if (expected.ok && DELIBERATE.has(refused.reason)) row.deliberate++;
      else if (expected.ok) {
        row.disagreements++;
        console.error(`DISAGREE (pre-check ${refused.reason}) ${form.name} data: ${JSON.stringify(data)}`);
      }
    }
    if (!fast) {
      row.deferred++;
      row.agreements++;
      continue;
    }
    row.decidedByCompiled++;
    const same = fast.ok === expected.ok && failingNames(fast).join("|") === failingNames(expected).join("|");
    if (same) {
      row.agreements++;
      if (messages(fast) !== messages(expected) && ++row.messageDiffs <= 5)
        console.error(
          `DISAGREE (messages only) ${form.name} data: ${JSON.stringify(data)} reference: ${JSON.stringify(expected)} compiled: ${JSON.stringify(fast)}`,
        );
    } else {
      row.disagreements++;
      if (row.disagreements <= 5)
        console.error(
          `DISAGREE ${form.name} data: ${JSON.stringify(data)} reference: ${JSON.stringify(expected)} compiled: ${JSON.stringify(fast)}`,
        );
    }
  }
  // Timed apart from the reference, whose garbage would otherwise be collected during compiled calls.
  if (outcome.ok && decidedInputs.length)
    row.compiledUs = Number(timePerCall(outcome.validate, decidedInputs, 20).toFixed(1));
  row.referenceUs = row.generated ? Math.round((referenceMs * 1000) / row.generated) : 0;
  return row;
}

/** Median µs per call of `fn` over the same inputs. */
function timePerCall(fn: (d: unknown) => unknown, inputs: unknown[], rounds: number): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (const d of inputs) fn(d);
    samples.push(((performance.now() - t0) * 1000) / inputs.length);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

const CHECK_ITEMS = [
  "license_valid",
  "management_system",
  "equipment_facilities",
  "staff_qualification",
  "prior_rectification",
  "records_filing",
];

/** A complete, valid checklist submission (the shape the runner page sends), with item results drawn from `rng`. */
function checklistSubmission(rng: () => number): Record<string, unknown> {
  const data: Record<string, unknown> = {
    enterprise_name: "济南某某食品有限公司",
    credit_code: "91370100MA3C4XY71Q",
    address: "济南市历下区某路1号",
    legal_representative: "张三",
    inspection_place: "生产车间",
    start_time: "2026-11-20T09:00",
    end_time: "2026-11-20T10:30",
    officers: [
      { name: "李四", credential_no: "37010001" },
      { name: "王五", credential_no: "37010002" },
    ],
    rights_notified: true,
    photos: [{ name: "a.png", type: "image/png", content: "data:image/png;base64,AAAA" }],
    officer_signature: "data:image/png;base64,iVBORw0KGgo=",
    enterprise_signature: "data:image/png;base64,iVBORw0KGgo=",
  };
  for (const item of CHECK_ITEMS) {
    const result = ["pass", "fail", "na"][Math.floor(rng() * 3)];
    data[item] = result;
    if (result === "fail") {
      data[`${item}_requirement`] = "限期整改，提交整改报告";
      data[`${item}_deadline`] = "2099-01-01";
    }
  }
  return data;
}

/** Reference vs compiled (with deferral) on valid submissions of the 30-question checklist. */
function timing(forms: DiffForm[]): string {
  const form = forms.find((f) => f.name === "forms/checklist-skeleton.json");
  if (!form) return "timing: forms/checklist-skeleton.json not found";
  const outcome = compileResponseValidator(form.schema, "zh-cn", ownMessages("zh-cn"));
  if (!outcome.ok) return `timing: checklist refused (${outcome.reason})`;
  const reference = createResponseValidator(form.schema);
  const rng = seededRng(seed + 1);
  const inputs = Array.from({ length: 40 }, () => checklistSubmission(rng));
  const decided = inputs.filter((d) => outcome.validate(d)?.ok === true && reference(d).ok).length;
  const combined = (d: unknown) => outcome.validate(d) ?? reference(d);
  const refUs = timePerCall(reference, inputs, 3);
  const fastUs = timePerCall(combined, inputs, 200);
  return (
    `timing ${form.name}, ${inputs.length} valid submissions (${decided} accepted by both, on the fast path): ` +
    `reference ${refUs.toFixed(0)} µs/call, compiled ${fastUs.toFixed(1)} µs/call, ratio ${(refUs / fastUs).toFixed(0)}x`
  );
}

/** Values of a repeatable flag. */
function args(name: string): string[] {
  return process.argv.flatMap((a, i) =>
    a === name && i + 1 < process.argv.length ? [process.argv[i + 1]] : [],
  );
}

/** Reference vs compiled (with deferral) on generated responses of one form, and on those the fast path decides. */
function formTiming(form: DiffForm): string {
  const outcome = compileResponseValidator(form.schema, "zh-cn", ownMessages("zh-cn"));
  if (!outcome.ok) return `timing ${form.name}: refused (${outcome.reason})`;
  const reference = createResponseValidator(form.schema);
  const rng = seededRng(seed + 2);
  const inputs = Array.from({ length: 200 }, () => randomResponse(rng, form.schema));
  const decided = inputs.filter((d) => outcome.validate(d) !== undefined);
  const combined = (d: unknown) => outcome.validate(d) ?? reference(d);
  const refUs = timePerCall(reference, inputs, 3);
  const fastUs = timePerCall(combined, inputs, 3);
  const decidedUs = timePerCall(outcome.validate, decided, 200);
  return (
    `timing ${form.name}, ${inputs.length} generated responses (${decided.length} decided by the fast path): ` +
    `reference ${refUs.toFixed(0)} µs/call, compiled with deferral ${fastUs.toFixed(0)} µs/call, ` +
    `fast path alone ${decidedUs.toFixed(1)} µs/call (${(refUs / decidedUs).toFixed(0)}x)`
  );
}

async function parent(): Promise<void> {
  const only = args("--only");
  const forms = loadDiffForms(process.cwd()).filter(
    (f) => !only.length || only.some((o) => f.name.includes(o)),
  );
  const rows: Row[] = [];
  const queue = [...forms];
  const run = promisify(execFile);
  const worker = async (): Promise<void> => {
    for (let form = queue.shift(); form; form = queue.shift()) {
      const args = [...process.execArgv, process.argv[1], ...process.argv.slice(2), "--form", form.name];
      const { stdout, stderr } = await run(process.execPath, args, { maxBuffer: 64 << 20 });
      for (const line of stderr.split("\n")) if (line.startsWith("DISAGREE")) console.error(line);
      const row = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Row;
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  rows.sort((a, b) => a.form.localeCompare(b.form));
  console.table(rows.map(({ compiled, ...rest }) => ({ ...rest, compiled: compiled.slice(0, 50) })));
  const disagreements = rows.reduce((n, r) => n + r.disagreements, 0);
  const compiled = rows.filter((r) => r.compiled === "compiled").length;
  const sum = (k: keyof Row) => rows.reduce((n, r) => n + (r[k] as number), 0);
  console.log(
    `forms: ${rows.length} (compiled ${compiled}, fallback ${rows.length - compiled}); responses: ${sum("generated")}, ` +
      `decided by compiled ${sum("decidedByCompiled")}, deferred ${sum("deferred")}, disagreements ${disagreements}, ` +
      `message differences ${sum("messageDiffs")}, refused by the pre-check ${sum("precheckRefused")} ` +
      `(${sum("deliberate")} of them documented differences from survey-core)`,
  );
  console.log(timing(loadDiffForms(process.cwd())));
  process.exit(disagreements ? 1 : 0);
}

const only = arg("--form");
const timingForm = arg("--timing-form");
if (process.argv.includes("--timing-only")) {
  console.log(timing(loadDiffForms(process.cwd())));
} else if (timingForm) {
  const form = loadDiffForms(process.cwd()).find((f) => f.name === timingForm);
  if (!form) throw new Error(`no form ${timingForm}`);
  console.log(formTiming(form));
} else if (only) {
  const form = loadDiffForms(process.cwd()).find((f) => f.name === only);
  if (!form) throw new Error(`no form ${only}`);
  console.log(JSON.stringify(await runForm(form)));
} else {
  await parent();
}
