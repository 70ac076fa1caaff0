/**
 * Questions whose value is an object of cell values: matrixdynamic (an array of rows), matrixdropdown
 * (an object of rows keyed by row value) and multipletext (an object keyed by item name).
 *
 * Every cell is compiled with the checker of its cell type, from the column's template question.
 * Column conditions run per row, as survey-core runs them on each cell question: `{row.x}` is the
 * value of column x in the same row. Rows whose cells survey-core would clear, trim or report
 * twice are left to the reference (see `checkRow`).
 */
import { Helpers, ItemValue } from "survey-core";
import type { Question, QuestionMultipleTextModel } from "survey-core";
import { SIMPLE_VALUE_TYPES, Unsupported, compileCondition } from "./conditions.ts";
import type { Values, VariableResolver } from "./conditions.ts";
import {
  DEFER,
  assertKeys,
  checkChoicesJson,
  compileComment,
  compileMultiChoice,
  compileSingleChoice,
  compileText,
  isBlank,
  requiredMessage,
} from "./questions.ts";
import type { Checker, CompileEnv, Out, QuestionState } from "./questions.ts";
import { isPlainObject } from "../validation-types.ts";
import type { JsonObject } from "../validation-types.ts";

/** Column keys besides the cell question's own: "cellType" and "isUnique" belong to the column. */
const COLUMN_KEYS = ["cellType", "isUnique", "choices", "inputType", "maxLength", "rows"];

/** Names survey-core resolves itself inside a matrix row (settings.expressionVariables and contexts). */
const ROW_CONTEXT_NAMES = new Set([
  "row",
  "rowindex",
  "visiblerowindex",
  "item",
  "rowname",
  "rowvalue",
  "rowtitle",
  "matrix",
  "totalrow",
  "prevrow",
  "nextrow",
  "self",
  "column",
  "name",
  "panel",
  "parentpanel",
]);

/** Where a row's cell values are put in the per-row values object (the variable as written). */
const ROW_PREFIX = "row.";

interface ColumnInternals {
  name: string;
  cellType: string;
  templateQuestion: Question;
  isRequired: boolean;
  isUnique: boolean;
}

interface CellMatrixInternals {
  columns: ColumnInternals[];
  choices: ItemValue[];
  hasChoices(): boolean;
}

/** A matrix column compiled as a cell checker, with its per-row conditions. */
interface CompiledColumn {
  name: string;
  check: Checker;
  visible: (row: Values) => boolean;
  readOnly: (row: Values) => boolean;
  required: (row: Values) => boolean;
  unique: boolean;
  /** Whether an empty cell can produce an error (required or validators that run on empty values). */
  checksEmpty: boolean;
}

/**
 * Variable resolvers of a matrix's cells. In a row, a column name, a row variable ({rowIndex}…)
 * or {row.x} means something else than the root question of that name: conditions may use
 * `{row.x}` for a column x with a simple value; root variables are accepted only when nothing in
 * the row can shadow them. Validators and value expressions get root variables only.
 */
function cellResolvers(
  columns: ColumnInternals[],
  env: CompileEnv,
): { conditions: VariableResolver; root: VariableResolver } {
  const byLower = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const root = (variable: string): string => {
    const lower = variable.toLowerCase();
    if (byLower.has(lower) || ROW_CONTEXT_NAMES.has(lower))
      throw new Unsupported(`expression variable {${variable}} in a matrix cell`);
    return env.resolve(variable);
  };
  const conditions = (variable: string): string => {
    if (!variable.startsWith(ROW_PREFIX)) return root(variable);
    const name = variable.slice(ROW_PREFIX.length);
    const column = byLower.get(name.toLowerCase());
    const tq = column?.templateQuestion as
      (Question & { showOtherItem?: boolean; showCommentArea?: boolean }) | undefined;
    if (
      !column ||
      !tq ||
      column.name !== name ||
      !SIMPLE_VALUE_TYPES.has(tq.getType()) ||
      tq.showOtherItem ||
      tq.showCommentArea
    )
      throw new Unsupported(`expression variable {${variable}}`);
    return ROW_PREFIX + column.name;
  };
  return { conditions, root };
}

/**
 * The choices of a select cell as survey-core sets them (onUpdateSelectBaseCellQuestion): the
 * column's own, else the matrix's; a column of cellType "default" (given, or omitted without
 * choices) always shows the matrix's choices when the matrix has any (setQuestionProperties).
 */
function cellChoices(column: ColumnInternals, matrix: CellMatrixInternals): ItemValue[] {
  const own =
    column.cellType === "default" && matrix.hasChoices()
      ? []
      : (column.templateQuestion as unknown as { choices: ItemValue[] }).choices;
  return own.length ? own : matrix.choices;
}

function compileColumn(
  colJson: JsonObject,
  column: ColumnInternals,
  matrix: CellMatrixInternals,
  env: CompileEnv,
  resolvers: { conditions: VariableResolver; root: VariableResolver },
): CompiledColumn {
  const tq = column.templateQuestion;
  const cellEnv: CompileEnv = { ...env, resolve: resolvers.root };
  // cellType "default" takes the matrix's cellType; the template question has the effective type.
  let check: Checker;
  switch (tq.getType()) {
    case "text":
      check = compileText(colJson, tq, cellEnv, COLUMN_KEYS);
      break;
    case "comment":
      check = compileComment(colJson, tq, cellEnv, COLUMN_KEYS);
      break;
    case "dropdown":
    case "radiogroup":
      check = compileSingleChoice(colJson, tq, cellEnv, COLUMN_KEYS, cellChoices(column, matrix));
      break;
    case "checkbox":
      check = compileMultiChoice(colJson, tq, cellEnv, COLUMN_KEYS, cellChoices(column, matrix));
      break;
    default:
      throw new Unsupported(`cell type ${tq.getType()}`);
  }
  const visibleIf = compileCondition(colJson.visibleIf, resolvers.conditions);
  const enableIf = compileCondition(colJson.enableIf, resolvers.conditions);
  const requiredIf = compileCondition(colJson.requiredIf, resolvers.conditions);
  const staticVisible = colJson.visible !== false;
  const staticReadOnly = colJson.readOnly === true;
  return {
    name: column.name,
    check,
    visible: visibleIf ?? (() => staticVisible),
    readOnly: enableIf ? (row) => !enableIf(row) : () => staticReadOnly,
    required: requiredIf ?? (() => column.isRequired),
    unique: column.isUnique,
    checksEmpty: column.isRequired || !!requiredIf || colJson.validators !== undefined,
  };
}

/** The columns of a matrixdynamic or matrixdropdown, checked against the column JSON. */
function compileColumns(json: JsonObject, q: Question, env: CompileEnv): CompiledColumn[] {
  if (json.validators !== undefined) throw new Unsupported("matrix validators");
  checkChoicesJson(json.choices);
  const m = q as unknown as CellMatrixInternals;
  const colJsons = json.columns;
  if (!Array.isArray(colJsons) || colJsons.length !== m.columns.length) throw new Unsupported("columns");
  const resolvers = cellResolvers(m.columns, env);
  const columns = m.columns.map((column, i) => {
    const colJson: unknown = colJsons[i];
    if (!isPlainObject(colJson) || colJson.name !== column.name) throw new Unsupported("column");
    return compileColumn(colJson, column, m, env, resolvers);
  });
  if (new Set(columns.map((c) => c.name.toLowerCase())).size !== columns.length)
    throw new Unsupported("duplicate columns");
  return columns;
}

/** A non-empty row object of known columns with JSON values and no texts survey-core would trim. */
function isPlainRow(
  row: unknown,
  byName: Map<string, CompiledColumn>,
  allowEmpty: boolean,
): row is JsonObject {
  if (!isPlainObject(row) || (!allowEmpty && isBlank(row))) return false;
  for (const [key, cell] of Object.entries(row)) {
    if (!byName.has(key) || cell === undefined) return false;
    // survey-core trims cell texts when it stores them: leave untrimmed texts to it.
    if (typeof cell === "string" && cell.trim() !== cell) return false;
  }
  return true;
}

/** The key survey-core's isUnique compares: case-insensitive, trimmed strings. */
function uniqueKey(value: unknown): unknown {
  return typeof value === "string" ? value.trim().toLowerCase() : value;
}

/** Whether a unique column repeats a value across the rows (survey-core then reports it: left to it). */
function hasDuplicates(columns: CompiledColumn[], rows: JsonObject[]): boolean {
  for (const column of columns) {
    if (!column.unique) continue;
    const seen = new Set<unknown>();
    for (const row of rows) {
      const cell = row[column.name];
      if (isBlank(cell)) continue;
      const key = uniqueKey(cell);
      if (seen.has(key)) return true;
      seen.add(key);
    }
  }
  return false;
}

/**
 * Checks the cells of one row: each column's conditions run over the row's values (`{row.x}`)
 * on top of the response's. Returns `DEFER` when a cell is outside its domain or would be cleared
 * (the reference names only the first removed value under a question, in the data's key order).
 */
function checkRow(
  columns: CompiledColumn[],
  row: JsonObject,
  rowPath: string,
  active: boolean,
  out: Out,
): boolean {
  // A fresh object per row: compiled conditions remember their result per values object.
  const values = Object.create(out.values) as Values;
  for (const column of columns) values[ROW_PREFIX + column.name] = row[column.name];
  const rowOut: Out = { core: out.core, removed: out.removed, limits: out.limits, values };
  for (const column of columns) {
    const cellActive = active && column.visible(values) && !column.readOnly(values);
    const cellState: QuestionState = { active: cellActive, required: cellActive && column.required(values) };
    const removedBefore = out.removed.length;
    if (!column.check(row[column.name], `${rowPath}.${column.name}`, cellState, rowOut)) return DEFER;
    if (out.removed.length !== removedBefore) return DEFER;
  }
  return true;
}

const MATRIX_CELL_KEYS = [
  "columns",
  "cellType",
  "choices",
  "columnMinWidth",
  "horizontalScroll",
  "alternateRows",
  "showHeader",
  "verticalAlign",
  "columnColCount",
];

interface DynamicInternals {
  minRowCount: number;
  maxRowCount: number;
  rowCount: number;
}

/**
 * `matrixdynamic`: an array of row objects. Only the plain case is decided here: at least
 * max(minRowCount, 1) rows, each a non-empty object of known columns, no duplicate in a unique
 * column, at most maxRowCount rows. Missing or short row lists make survey-core add rows of its own
 * and are left to it.
 */
export function compileMatrixDynamic(json: JsonObject, q: Question, env: CompileEnv): Checker {
  assertKeys(json, [
    ...MATRIX_CELL_KEYS,
    "rowCount",
    "minRowCount",
    "maxRowCount",
    "addRowText",
    "removeRowText",
    "allowAddRows",
    "allowRemoveRows",
    "confirmDelete",
    "confirmDeleteText",
    "noRowsText",
    "hideColumnsIfEmpty",
    "emptyRowsText",
  ]);
  if (json.cellType !== undefined && json.cellType !== "text" && json.cellType !== "dropdown")
    throw new Unsupported("matrix cellType");
  const columns = compileColumns(json, q, env);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const d = q as unknown as DynamicInternals;
  const minRows = Math.max(d.minRowCount, 1);
  const maxRows = d.maxRowCount;
  // A missing value gets rowCount empty rows from survey-core; they can only fail on cells that check empty values.
  const rowCount = d.rowCount;
  const emptyOk =
    !json.isRequired &&
    !json.requiredIf &&
    d.minRowCount === 0 &&
    (rowCount === 0 || !columns.some((c) => c.checksEmpty));

  return (value, path, state, out) => {
    // Sent as null or [], survey-core keeps the empty value; only without default rows is that the same as missing.
    if (isBlank(value)) return emptyOk && (value === undefined || (rowCount === 0 && !isPlainObject(value)));
    if (!Array.isArray(value) || value.length < minRows || value.length > maxRows) return DEFER;
    for (const row of value) if (!isPlainRow(row, byName, false)) return DEFER;
    const rows = value as JsonObject[];
    if (hasDuplicates(columns, rows)) return DEFER;
    for (let i = 0; i < rows.length; i++)
      if (!checkRow(columns, rows[i], `${path}[${i}]`, state.active, out)) return DEFER;
    return true;
  };
}

interface DropdownInternals {
  rows: ItemValue[];
}

/**
 * `matrixdropdown`: an object mapping row values to row objects. Every row is checked, present or
 * not (required cells of an unanswered row fail). Unknown rows, which survey-core removes, and
 * duplicates in unique columns are left to it.
 */
export function compileMatrixDropdown(json: JsonObject, q: Question, env: CompileEnv): Checker {
  assertKeys(json, [...MATRIX_CELL_KEYS, "rows", "rowTitleWidth"]);
  checkChoicesJson(json.rows);
  const rowKeys: string[] = [];
  for (const row of (q as unknown as DropdownInternals).rows) {
    if (typeof row.value !== "string" || row.value === "") throw new Unsupported("non-string matrix row");
    rowKeys.push(row.value);
  }
  const rowSet = new Set(rowKeys);
  if (rowSet.size !== rowKeys.length || rowKeys.includes("__proto__"))
    throw new Unsupported("duplicate matrix rows");
  const columns = compileColumns(json, q, env);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const noRow: JsonObject = {};
  const reqMessage = requiredMessage(q);

  return (value, path, state, out) => {
    if (value !== undefined && value !== null && !isPlainObject(value)) return DEFER;
    const sent = (value ?? noRow) as JsonObject;
    for (const [key, row] of Object.entries(sent))
      if (!rowSet.has(key) || !isPlainRow(row, byName, true)) return DEFER;
    if (hasDuplicates(columns, Object.values(sent) as JsonObject[])) return DEFER;
    // Required means some cell is answered: survey-core's isEmpty() over the whole object.
    if (state.required && Helpers.isValueEmpty(value)) out.core.push({ name: path, message: reqMessage });
    for (const key of rowKeys)
      if (
        !checkRow(
          columns,
          (sent[key] as JsonObject | undefined) ?? noRow,
          `${path}.${key}`,
          state.active,
          out,
        )
      )
        return DEFER;
    return true;
  };
}

const MULTIPLE_TEXT_KEYS = [
  "items",
  "colCount",
  "itemSize",
  "inputSize",
  "itemTitleWidth",
  "itemErrorLocation",
];
const ITEM_KEYS = [
  "name",
  "title",
  "isRequired",
  "placeholder",
  "inputType",
  "maxLength",
  "inputSize",
  "requiredErrorText",
  "validators",
  "minValueExpression",
  "maxValueExpression",
];

/**
 * `multipletext`: an object of item texts, each item checked as the text question survey-core
 * builds for it (its editor). Keys that name no item are kept by survey-core but left to it.
 */
export function compileMultipleText(json: JsonObject, q: Question, env: CompileEnv): Checker {
  assertKeys(json, MULTIPLE_TEXT_KEYS);
  if (json.validators !== undefined) throw new Unsupported("multipletext validators");
  const itemJsons = json.items;
  const items = (q as QuestionMultipleTextModel).items;
  if (!Array.isArray(itemJsons) || itemJsons.length !== items.length)
    throw new Unsupported("multipletext items");
  const compiled = items.map((item, i) => {
    const itemJson: unknown = itemJsons[i];
    if (!isPlainObject(itemJson) || itemJson.name !== item.name || item.name === "__proto__")
      throw new Unsupported("multipletext item");
    for (const key of Object.keys(itemJson))
      if (!ITEM_KEYS.includes(key)) throw new Unsupported(`multipletext item property ${key}`);
    for (const key of ["isRequired"])
      if (itemJson[key] !== undefined && typeof itemJson[key] !== "boolean")
        throw new Unsupported(`non-boolean ${key}`);
    return { name: item.name, required: item.isRequired, check: compileText(itemJson, item.editor, env) };
  });
  const names = new Set(compiled.map((c) => c.name));
  if (names.size !== compiled.length) throw new Unsupported("duplicate multipletext items");
  const none: JsonObject = {};
  const reqMessage = requiredMessage(q);

  return (value, path, state, out) => {
    if (value !== undefined && value !== null && !isPlainObject(value)) return DEFER;
    const sent = (value ?? none) as JsonObject;
    for (const [key, text] of Object.entries(sent)) if (!names.has(key) || text === undefined) return DEFER;
    // Required means some item is answered; a text of spaces counts (survey-core does not trim here).
    if (state.required && Helpers.isValueEmpty(value)) out.core.push({ name: path, message: reqMessage });
    for (const item of compiled) {
      const itemState: QuestionState = { active: state.active, required: state.active && item.required };
      if (!item.check(sent[item.name], `${path}.${item.name}`, itemState, out)) return DEFER;
    }
    return true;
  };
}
