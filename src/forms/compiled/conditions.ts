/**
 * Expressions of a compiled form (visibleIf, enableIf, requiredIf, min/maxValueExpression,
 * expression validators), evaluated with survey-core's own ExpressionRunner and ConditionRunner.
 *
 * The reference evaluates them inside a survey model, where `{name}` resolves through the question
 * of that name. The compiler only accepts expressions whose variables name root questions whose
 * value survey-core exposes unchanged (see `SIMPLE_VALUE_TYPES`) and which call only pure built-in
 * functions, so running them over the response data gives the same result without a model.
 */
import { ConditionRunner, ConditionsParser, ExpressionRunner, FunctionOperand } from "survey-core";
import type { Operand } from "survey-core";

/** Values visible to expressions: a fresh copy of the response data per response, keyed by the questions' declared names. */
export type Values = Record<string, unknown>;

/** A compiled condition; `undefined` in a slot means the property is not set. */
export type Condition = (values: Values) => boolean;

/** A compiled expression returning a value. */
export type Evaluator = (values: Values) => unknown;

/** Thrown while compiling when a form uses something the compiler does not reproduce exactly. */
export class Unsupported extends Error {}

/**
 * Built-in functions whose result depends only on their arguments (and the clock, which the
 * reference reads at the same moment). Functions that read the survey, a question or a panel
 * (e.g. `displayValue`, `propertyValue`, `isContainerReady`) are not listed.
 */
const PURE_FUNCTIONS = new Set([
  "iif",
  "today",
  "currentdate",
  "currentyear",
  "age",
  "datediff",
  "dateadd",
  "getdate",
  "year",
  "month",
  "day",
  "weekday",
  "sum",
  "max",
  "min",
  "avg",
  "round",
  "trunc",
]);

/** Question types whose data value survey-core exposes to expressions as is (within the compiled value domain). */
export const SIMPLE_VALUE_TYPES = new Set([
  "text",
  "comment",
  "radiogroup",
  "dropdown",
  "checkbox",
  "tagbox",
  "boolean",
  "rating",
]);

/**
 * Resolves expression variables to root question names. Returns the declared name for a variable,
 * or throws `Unsupported` when the variable is anything else (a property path, an index, a panel
 * or matrix context variable, an unknown name).
 */
export type VariableResolver = (variable: string) => string;

/** Pure functions that do not read the clock either: a result depends on the arguments alone. */
const CLOCK_FREE_FUNCTIONS = new Set(["iif", "sum", "max", "min", "avg", "round", "trunc"]);

interface CheckedExpression {
  /** Variable as written in the expression → root question name. */
  names: Map<string, string>;
  /** No function reads the clock: equal variable values give an equal result. */
  clockFree: boolean;
}

function checkExpression(expression: string, resolve: VariableResolver): CheckedExpression {
  const operand: Operand | undefined = new ConditionsParser().parseExpression(expression);
  if (!operand) throw new Unsupported(`expression does not parse: ${expression}`);
  const operands: Operand[] = [];
  operand.addOperandsToList(operands);
  let clockFree = true;
  for (const op of operands) {
    if (!(op instanceof FunctionOperand)) continue;
    const fn = op.functionName.toLowerCase();
    if (!PURE_FUNCTIONS.has(fn)) throw new Unsupported(`function ${op.functionName}() in ${expression}`);
    if (!CLOCK_FREE_FUNCTIONS.has(fn)) clockFree = false;
  }
  const names = new Map<string, string>();
  for (const variable of new ConditionRunner(expression).getVariables())
    names.set(variable, resolve(variable));
  return { names, clockFree };
}

/**
 * The cache key of one variable's value: type-tagged and length-prefixed so that no two different
 * values share a key ("1" vs 1, -0 vs 0, strings containing the separator). `undefined` for values
 * not worth keying (objects, arrays, long strings): those are evaluated every time.
 */
function valueKey(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return value.length <= 64 ? `s${value.length}:${value}` : undefined;
    case "number":
      return Object.is(value, -0) ? "n-0;" : `n${value};`;
    case "boolean":
      return value ? "T" : "F";
    case "undefined":
      return "U";
    default:
      return value === null ? "N" : undefined;
  }
}

/** Distinct inputs remembered per condition; checklists branch on a handful of choice values. */
const MEMO_ENTRIES = 32;

/**
 * Remembers a clock-free condition's result per combination of its variables' values, so the
 * common case (visibleIf on a choice question) skips survey-core's runner: a lookup costs a small
 * fraction of a run. Gives up on a condition whose inputs rarely repeat (free text).
 */
function memoized(pairs: [string, string][], run: (values: Values) => boolean): (values: Values) => boolean {
  const results = new Map<string, boolean>();
  let hits = 0;
  let misses = 0;
  let enabled = true;
  return (values) => {
    if (!enabled) return run(values);
    let key = "";
    for (const [, name] of pairs) {
      const part = valueKey(values[name]);
      if (part === undefined) return run(values);
      key += part;
    }
    const found = results.get(key);
    if (found !== undefined) {
      hits++;
      return found;
    }
    const value = run(values);
    if (++misses > 4 * MEMO_ENTRIES && hits < misses) {
      enabled = false;
      results.clear();
      return value;
    }
    if (results.size >= MEMO_ENTRIES) results.clear();
    results.set(key, value);
    return value;
  };
}

/**
 * Runs the expression over values keyed by the variables exactly as written in it, so that the
 * variable lookup inside survey-core never has to search (case-insensitively or otherwise).
 */
function valuesFor(names: Map<string, string>): (values: Values) => Values {
  const pairs = [...names.entries()];
  return (values) => {
    const out: Values = {};
    for (const [variable, name] of pairs) out[variable] = values[name];
    return out;
  };
}

/**
 * Compiled expressions per form (keyed by the form's resolver) and expression text: the same
 * expression (often a visibleIf repeated as requiredIf) is compiled once and evaluated once per
 * response.
 */
const interned = new WeakMap<VariableResolver, Map<string, (values: Values) => unknown>>();

/**
 * Evaluates at most once per response: the validator passes a fresh values object per response,
 * so the object identity is the per-response key (held weakly).
 */
function oncePerResponse<T>(run: (values: Values) => T): (values: Values) => T {
  const results = new WeakMap<Values, { value: T }>();
  return (values) => {
    const hit = results.get(values);
    if (hit) return hit.value;
    const value = run(values);
    results.set(values, { value });
    return value;
  };
}

/**
 * `make` returns the evaluator and whether it is memoized already (then a second evaluation in the
 * same response is a cheap lookup, and the per-response WeakMap would cost more than it saves).
 */
function intern<T>(
  kind: string,
  expression: string,
  resolve: VariableResolver,
  make: () => { run: (values: Values) => T; memoized: boolean },
): (values: Values) => T {
  let forForm = interned.get(resolve);
  if (!forForm) interned.set(resolve, (forForm = new Map()));
  const key = `${kind}\u0000${expression}`;
  const found = forForm.get(key);
  if (found) return found as (values: Values) => T;
  const { run, memoized } = make();
  const compiled = memoized ? run : oncePerResponse(run);
  forForm.set(key, compiled);
  return compiled;
}

/** Compiles a boolean condition such as `visibleIf`. */
export function compileCondition(expression: unknown, resolve: VariableResolver): Condition | undefined {
  if (expression === undefined || expression === null || expression === "") return undefined;
  if (typeof expression !== "string") throw new Unsupported("non-string expression");
  return intern("condition", expression, resolve, () => {
    const { names, clockFree } = checkExpression(expression, resolve);
    const pick = valuesFor(names);
    const runner = new ConditionRunner(expression);
    if (runner.isAsync) throw new Unsupported(`async expression ${expression}`);
    const run = (values: Values) => runner.runValues(pick(values));
    return clockFree
      ? { run: memoized([...names.entries()], run), memoized: true }
      : { run, memoized: false };
  });
}

/** Compiles a value expression such as `minValueExpression`. */
export function compileEvaluator(expression: unknown, resolve: VariableResolver): Evaluator | undefined {
  if (expression === undefined || expression === null || expression === "") return undefined;
  if (typeof expression !== "string") throw new Unsupported("non-string expression");
  return intern("value", expression, resolve, () => {
    const pick = valuesFor(checkExpression(expression, resolve).names);
    const runner = new ExpressionRunner(expression);
    if (runner.isAsync) throw new Unsupported(`async expression ${expression}`);
    return { run: (values: Values) => runner.runValues(pick(values)), memoized: false };
  });
}
