/**
 * Seeded random responses for the differential test of the compiled validator against the
 * survey-core reference (tests/validator-diff.test.ts and scripts/validator-diff.ts).
 *
 * Responses mix well-formed answers (choice values, in-range numbers, dates around today, texts
 * around maxLength) with edge and junk values (wrong types, out-of-choice values, unknown keys,
 * comment keys, nested junk), so that both accepted and rejected responses and hidden-but-answered
 * questions occur for every form.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

type Json = Record<string, unknown>;
export type Rng = () => number;

/** mulberry32: a small seeded PRNG, so every run generates the same responses. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)];
}

function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

const JUNK: unknown[] = [
  null,
  "",
  "   ",
  0,
  -1,
  1.5,
  7,
  true,
  false,
  [],
  {},
  ["x"],
  [1, 2],
  { a: 1 },
  "zzz",
  "1",
  [null],
  [{}],
  { x: { y: [1] } },
];

function junk(rng: Rng): unknown {
  if (chance(rng, 0.05)) return "长".repeat(Math.floor(rng() * 3000));
  return structuredClone(pick(rng, JUNK));
}

function choiceValues(list: unknown): unknown[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => {
    if (item && typeof item === "object" && "value" in item) return (item as Json).value;
    if (typeof item === "string" && item.includes("|")) return item.slice(0, item.indexOf("|"));
    return item;
  });
}

function ratingValues(q: Json): unknown[] {
  if (Array.isArray(q.rateValues) && q.rateValues.length) return choiceValues(q.rateValues);
  const min = typeof q.rateMin === "number" ? q.rateMin : 1;
  const max =
    typeof q.rateMax === "number" ? q.rateMax : typeof q.rateCount === "number" ? min + q.rateCount - 1 : 5;
  const step = typeof q.rateStep === "number" ? q.rateStep : 1;
  const out: unknown[] = [];
  for (let v = min; v <= max && out.length < 50; v += step) out.push(v);
  return out;
}

function text(rng: Rng, q: Json): string {
  const max = typeof q.maxLength === "number" ? q.maxLength : 0;
  const roll = rng();
  if (max && roll < 0.1) return "字".repeat(max + pick(rng, [-1, 0, 1, 2]));
  if (roll < 0.15) return "   ";
  if (roll < 0.3)
    return pick(rng, [
      "91370100MA3C4XY71Q",
      "91370100MA3C4XYZ1Q",
      "91370100MA3C4XY71",
      "abc@example.cn",
      "not-mail",
      "13800000000",
      "12",
    ]);
  const alphabet = "ABCDEFGHJKLMNPQRTUWXY0123456789检查企业";
  let s = "";
  const n = 1 + Math.floor(rng() * 20);
  for (let i = 0; i < n; i++) s += pick(rng, [...alphabet]);
  return s;
}

function dateString(rng: Rng, withTime: boolean): string {
  const day = new Date(Date.now() + Math.floor((rng() - 0.4) * 40) * 86400000);
  const date = day.toISOString().slice(0, 10);
  if (rng() < 0.03) return "3000-01-01";
  if (rng() < 0.03) return "not a date";
  return withTime ? `${date}T${pick(rng, ["08:00", "12:30", "23:59"])}` : date;
}

function textValue(rng: Rng, q: Json): unknown {
  const type = q.inputType;
  if (type === "number") {
    const lo = typeof q.min === "number" ? q.min : 0;
    const hi = typeof q.max === "number" ? q.max : 100;
    const n = Math.round(lo - 3 + rng() * (hi - lo + 6));
    return chance(rng, 0.1) ? String(n) : n;
  }
  if (type === "date") return dateString(rng, false);
  if (type === "datetime-local") return dateString(rng, true);
  if (type === "email") return pick(rng, ["a@b.cn", "x.y@example.com", "bad@", "plain"]);
  return text(rng, q);
}

function choiceValue(rng: Rng, q: Json): unknown {
  const values = choiceValues(q.choices);
  // Free "other" text (stored as the value itself with storeOthersAsComment: false).
  if ((q.showOtherItem || q.hasOther) && chance(rng, 0.15)) return text(rng, q);
  const roll = rng();
  if (roll < 0.08) return "other";
  if (roll < 0.12) return "none";
  if (roll < 0.17) return "zzz";
  const v = values.length ? pick(rng, values) : "a";
  if (roll < 0.22) return typeof v === "number" ? String(v) : /^\d+$/.test(String(v)) ? Number(v) : v;
  return v;
}

function multiValue(rng: Rng, q: Json): unknown {
  const values = choiceValues(q.choices);
  const out: unknown[] = [];
  for (const v of values) if (chance(rng, 0.4)) out.push(v);
  if (chance(rng, 0.08)) out.push("other");
  if (chance(rng, 0.06)) out.push("none");
  if (chance(rng, 0.06)) out.push("zzz");
  if (chance(rng, 0.05) && out.length) out.push(out[0]);
  return out;
}

function booleanValue(rng: Rng, q: Json): unknown {
  return pick(rng, [true, false, q.valueTrue ?? true, q.valueFalse ?? false, "true", 1]);
}

function ratingValue(rng: Rng, q: Json): unknown {
  const values = ratingValues(q);
  const roll = rng();
  if (roll < 0.1) return (values.length as number) + 3;
  if (roll < 0.15) return 0;
  const v = values.length ? pick(rng, values) : 1;
  return roll < 0.2 ? String(v) : v;
}

function cellQuestion(matrix: Json, column: Json): Json {
  const cellType = (column.cellType as string) ?? (matrix.cellType as string) ?? "dropdown";
  return { ...column, type: cellType, choices: column.choices ?? matrix.choices ?? [1, 2, 3, 4, 5] };
}

/** A plain text (no surrounding spaces, within maxLength) or an in-range number: a cell the runner page would send. */
function plainText(rng: Rng, q: Json): unknown {
  if (q.inputType === "number") {
    const lo = typeof q.min === "number" ? q.min : 0;
    const hi = typeof q.max === "number" ? q.max : 100;
    return Math.round(lo + rng() * (hi - lo));
  }
  if (q.inputType === "email") return "a@b.cn";
  const max = typeof q.maxLength === "number" && q.maxLength > 0 ? Math.min(q.maxLength, 12) : 12;
  const alphabet = "abcdefxyz0123456789检查";
  let out = "";
  for (let i = 1 + Math.floor(rng() * max); i > 0; i--) out += pick(rng, [...alphabet]);
  return out;
}

/** Cells and items: in clean mode every value is plain, so whole matrices reach the fast path. */
function cellValue(rng: Rng, q: Json, mode: Mode): unknown {
  if (mode !== "clean") return valueFor(rng, q, mode);
  if (q.type === "text" || q.type === "comment") return plainText(rng, q);
  return cleanValue(rng, q) ?? valueFor(rng, q, mode);
}

function rowObject(rng: Rng, matrix: Json, columns: Json[], mode: Mode): Json {
  const row: Json = {};
  const presence = mode === "clean" ? 0.95 : 0.85;
  for (const column of columns)
    if (chance(rng, presence)) row[String(column.name)] = cellValue(rng, cellQuestion(matrix, column), mode);
  if (mode !== "clean" && chance(rng, 0.04)) row.unknownCol = "x";
  return row;
}

function matrixDynamicValue(rng: Rng, q: Json, mode: Mode): unknown {
  const columns = (Array.isArray(q.columns) ? q.columns : []) as Json[];
  const min = typeof q.minRowCount === "number" ? q.minRowCount : 0;
  const n = Math.max(0, min + Math.floor(rng() * 4) - 1);
  const rows: unknown[] = [];
  for (let i = 0; i < n; i++) rows.push(rowObject(rng, q, columns, mode));
  // Duplicate a row now and then to hit isUnique columns.
  if (rows.length && chance(rng, 0.08)) rows.push(structuredClone(rows[0]));
  return rows;
}

function matrixDropdownValue(rng: Rng, q: Json, mode: Mode): unknown {
  const columns = (Array.isArray(q.columns) ? q.columns : []) as Json[];
  const out: Json = {};
  if (mode !== "clean" && chance(rng, 0.04)) return null;
  for (const row of choiceValues(q.rows))
    if (chance(rng, mode === "clean" ? 0.95 : 0.7))
      out[String(row)] = chance(rng, 0.03) ? {} : rowObject(rng, q, columns, mode);
  if (mode !== "clean" && chance(rng, 0.05)) out.unknownRow = { x: 1 };
  return out;
}

function matrixValue(rng: Rng, q: Json): unknown {
  const columns = choiceValues(q.columns);
  const out: Json = {};
  for (const row of choiceValues(q.rows)) if (chance(rng, 0.8)) out[String(row)] = pick(rng, columns);
  if (chance(rng, 0.05)) out.unknownRow = pick(rng, columns);
  if (chance(rng, 0.05)) out[String(pick(rng, choiceValues(q.rows)))] = "zzz";
  return out;
}

/** Panels around minPanelCount…maxPanelCount (one too few or too many now and then), some with unknown keys. */
function panelDynamicValue(rng: Rng, q: Json, mode: Mode): unknown {
  const elements = (Array.isArray(q.templateElements) ? q.templateElements : []) as Json[];
  const min = typeof q.minPanelCount === "number" ? q.minPanelCount : 0;
  const max = typeof q.maxPanelCount === "number" ? q.maxPanelCount : min + 3;
  const n = Math.max(0, min - 1 + Math.floor(rng() * (max - min + 3)));
  // A panel holds many answers: one step less junk keeps whole responses decidable often enough.
  const inner: Mode = mode === "junk" ? "mixed" : mode === "mixed" ? "valid" : "clean";
  const panels: Json[] = [];
  for (let i = 0; i < n; i++) panels.push(scopeValue(rng, elements, inner));
  if (mode !== "clean" && panels.length && chance(rng, 0.08))
    pick(rng, panels).unknownKey = pick(rng, ["x", null]);
  return panels;
}

function multipleTextValue(rng: Rng, q: Json, mode: Mode): unknown {
  const out: Json = {};
  if (mode !== "clean" && chance(rng, 0.04)) return null;
  for (const item of (Array.isArray(q.items) ? q.items : []) as Json[])
    if (chance(rng, mode === "clean" ? 0.9 : 0.7))
      out[String(item.name)] = cellValue(rng, { ...item, type: "text" }, mode);
  if (mode !== "clean" && chance(rng, 0.04)) out.unknownItem = "x";
  if (mode !== "clean" && chance(rng, 0.03)) out[String(pick(rng, Object.keys(out).concat("x")))] = " 空格 ";
  return out;
}

type Mode = "clean" | "valid" | "mixed" | "junk";

/** A value of the question's own kind with no anomaly (a listed choice, a scale value, a plain text). */
function cleanValue(rng: Rng, q: Json): unknown {
  switch (q.type) {
    case "radiogroup":
    case "dropdown":
    case "imagepicker": {
      const values = choiceValues(q.choices);
      return values.length ? pick(rng, values) : undefined;
    }
    case "checkbox":
    case "tagbox":
    case "ranking":
      return choiceValues(q.choices).filter(() => chance(rng, 0.4));
    case "boolean":
      return pick(rng, [q.valueTrue ?? true, q.valueFalse ?? false]);
    case "rating": {
      const values = ratingValues(q);
      return values.length ? pick(rng, values) : undefined;
    }
    default:
      return undefined;
  }
}

function goodValue(rng: Rng, q: Json, mode: Mode): unknown {
  if (mode === "clean" || (mode === "valid" && chance(rng, 0.85))) {
    const clean = cleanValue(rng, q);
    if (clean !== undefined) return clean;
  }
  switch (q.type) {
    case "text":
      return textValue(rng, q);
    case "comment":
      return text(rng, q);
    case "radiogroup":
    case "dropdown":
    case "imagepicker":
      return choiceValue(rng, q);
    case "checkbox":
    case "tagbox":
    case "ranking":
      return multiValue(rng, q);
    case "boolean":
      return booleanValue(rng, q);
    case "rating":
      return ratingValue(rng, q);
    case "matrix":
      return matrixValue(rng, q);
    case "matrixdynamic":
      return matrixDynamicValue(rng, q, mode);
    case "matrixdropdown":
      return matrixDropdownValue(rng, q, mode);
    case "paneldynamic":
      return panelDynamicValue(rng, q, mode);
    case "multipletext":
      return multipleTextValue(rng, q, mode);
    case "file":
      return [{ name: "a.png", type: "image/png", content: "data:image/png;base64,AAAA" }];
    case "signaturepad":
      return "data:image/png;base64,iVBORw0KGgo=";
    default:
      return junk(rng);
  }
}

function valueFor(rng: Rng, q: Json, mode: Mode): unknown {
  const junkRate = mode === "clean" ? 0 : mode === "valid" ? 0.01 : mode === "mixed" ? 0.08 : 0.4;
  return chance(rng, junkRate) ? junk(rng) : goodValue(rng, q, mode);
}

const NO_VALUE = new Set(["html", "image", "expression", "panel"]);

function questionsOf(elements: unknown, out: Json[]): Json[] {
  if (!Array.isArray(elements)) return out;
  for (const el of elements as Json[]) {
    if (!el || typeof el !== "object") continue;
    if (el.type === "panel") questionsOf(el.elements ?? el.questions, out);
    else out.push(el);
  }
  return out;
}

function scopeValue(rng: Rng, elements: Json[], mode: Mode): Json {
  const out: Json = {};
  for (const q of questionsOf(elements, [])) {
    if (NO_VALUE.has(String(q.type))) {
      if (mode !== "clean" && chance(rng, 0.01)) out[String(q.name)] = junk(rng);
      continue;
    }
    const presence = mode === "valid" || mode === "clean" ? 0.92 : 0.7;
    if (chance(rng, presence)) out[String(q.name)] = valueFor(rng, q, mode);
  }
  return out;
}

/** All questions of a schema, through pages and panels (not into dynamic panels or matrices). */
export function rootQuestions(schema: Json): Json[] {
  const out: Json[] = [];
  if (Array.isArray(schema.pages))
    for (const page of schema.pages as Json[]) questionsOf(page.elements ?? page.questions, out);
  questionsOf(schema.elements ?? schema.questions, out);
  return out;
}

/** Questions with `choicesFromQuestion` get the source's choices, so answers fall in and out of the source's answer. */
function withCopiedChoices(questions: Json[]): Json[] {
  const byName = new Map(questions.map((q) => [q.name, q]));
  return questions.map((q) => {
    const source = typeof q.choicesFromQuestion === "string" ? byName.get(q.choicesFromQuestion) : undefined;
    return source ? { ...q, choices: source.choices } : q;
  });
}

/** One random response for `schema`. */
export function randomResponse(rng: Rng, schema: Json): Json {
  const mode: Mode = pick(rng, [
    "clean",
    "clean",
    "clean",
    "valid",
    "valid",
    "mixed",
    "mixed",
    "junk",
  ] as const);
  const questions = withCopiedChoices(rootQuestions(schema));
  const data = scopeValue(rng, questions, mode);
  if (chance(rng, 0.04)) data.notAQuestion = junk(rng);
  if (mode === "clean") return data;
  if (questions.length && chance(rng, 0.04)) data[`${String(pick(rng, questions).name)}-Comment`] = "备注";
  if (mode === "valid" && chance(rng, 0.3)) {
    // Empty values for a few questions: the hidden/required interplay.
    for (const q of questions) if (chance(rng, 0.1)) delete data[String(q.name)];
  }
  oversize(oversizeRng(rng), questions, data);
  return data;
}

/**
 * Oversized and duplicated answers (issue 14, item 4), drawn from a generator of their own so that
 * the responses drawn for a seed before they were added stay the same.
 */
const oversizeRngs = new WeakMap<Rng, Rng>();
function oversizeRng(rng: Rng): Rng {
  let own = oversizeRngs.get(rng);
  if (!own) oversizeRngs.set(rng, (own = seededRng(14_004)));
  return own;
}

function oversize(rng: Rng, questions: Json[], data: Json): void {
  if (!questions.length || !chance(rng, 0.15)) return;
  const q = pick(rng, questions);
  const name = String(q.name);
  const values = choiceValues(q.choices);
  switch (q.type) {
    case "checkbox":
    case "tagbox":
    case "ranking": {
      // Repeats of one choice, up to more values than the question has choices.
      const v = values.length ? pick(rng, values) : "a";
      data[name] = Array.from({ length: 2 + Math.floor(rng() * (values.length + 3)) }, () => v);
      return;
    }
    case "multipletext": {
      const out: Json = {};
      for (let i = 0; i < 1 + Math.floor(rng() * 50); i++) out[`unknown${i}`] = "x";
      data[name] = out;
      return;
    }
    case "matrixdynamic":
    case "paneldynamic":
      data[name] = Array.from({ length: 1 + Math.floor(rng() * 12) }, () => ({}));
      return;
    default:
      data[name] = pick(rng, [{}, [], { a: 1 }, ["x"]]);
  }
}

/** A form of the differential test: its name and SurveyJS schema. */
export interface DiffForm {
  name: string;
  schema: Json;
}

/** forms/*.json (their `schema`) and tests/fixtures/schemas/*.json. */
export function loadDiffForms(root: string): DiffForm[] {
  const forms: DiffForm[] = [];
  for (const file of readdirSync(join(root, "forms"))
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const json = JSON.parse(readFileSync(join(root, "forms", file), "utf8")) as Json;
    forms.push({ name: `forms/${file}`, schema: json.schema as Json });
  }
  // Hand-written corpus, then real public forms (tests/fixtures/real-forms/SOURCES.md).
  for (const folder of ["schemas", "real-forms"]) {
    const dir = join(root, "tests", "fixtures", folder);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort())
      forms.push({
        name: `${folder}/${file}`,
        schema: JSON.parse(readFileSync(join(dir, file), "utf8")) as Json,
      });
  }
  return forms;
}

/** Sorted, deduplicated failing field names of a result. */
export function failingNames(result: { ok: boolean; errors?: Array<{ name: string }> }): string[] {
  return result.ok ? [] : [...new Set((result.errors ?? []).map((e) => e.name))].sort();
}
