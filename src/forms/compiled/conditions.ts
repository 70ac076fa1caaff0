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
export const SIMPLE_VALUE_TYPES = new Set(["text", "comment", "radiogroup", "dropdown", "checkbox", "tagbox", "boolean", "rating"]);

/**
 * Resolves expression variables to root question names. Returns the declared name for a variable,
 * or throws `Unsupported` when the variable is anything else (a property path, an index, a panel
 * or matrix context variable, an unknown name).
 */
export type VariableResolver = (variable: string) => string;

function checkExpression(expression: string, resolve: VariableResolver): Map<string, string> {
  const operand: Operand | undefined = new ConditionsParser().parseExpression(expression);
  if (!operand) throw new Unsupported(`expression does not parse: ${expression}`);
  const operands: Operand[] = [];
  operand.addOperandsToList(operands);
  for (const op of operands) {
    if (op instanceof FunctionOperand && !PURE_FUNCTIONS.has(op.functionName.toLowerCase()))
      throw new Unsupported(`function ${op.functionName}() in ${expression}`);
  }
  const names = new Map<string, string>();
  for (const variable of new ConditionRunner(expression).getVariables()) names.set(variable, resolve(variable));
  return names;
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

function intern<T>(kind: string, expression: string, resolve: VariableResolver, make: () => (values: Values) => T): (values: Values) => T {
  let forForm = interned.get(resolve);
  if (!forForm) interned.set(resolve, (forForm = new Map()));
  const key = `${kind}\u0000${expression}`;
  const found = forForm.get(key);
  if (found) return found as (values: Values) => T;
  const compiled = oncePerResponse(make());
  forForm.set(key, compiled);
  return compiled;
}

/** Compiles a boolean condition such as `visibleIf`. */
export function compileCondition(expression: unknown, resolve: VariableResolver): Condition | undefined {
  if (expression === undefined || expression === null || expression === "") return undefined;
  if (typeof expression !== "string") throw new Unsupported("non-string expression");
  return intern("condition", expression, resolve, () => {
    const pick = valuesFor(checkExpression(expression, resolve));
    const runner = new ConditionRunner(expression);
    if (runner.isAsync) throw new Unsupported(`async expression ${expression}`);
    return (values: Values) => runner.runValues(pick(values));
  });
}

/** Compiles a value expression such as `minValueExpression`. */
export function compileEvaluator(expression: unknown, resolve: VariableResolver): Evaluator | undefined {
  if (expression === undefined || expression === null || expression === "") return undefined;
  if (typeof expression !== "string") throw new Unsupported("non-string expression");
  return intern("value", expression, resolve, () => {
    const pick = valuesFor(checkExpression(expression, resolve));
    const runner = new ExpressionRunner(expression);
    if (runner.isAsync) throw new Unsupported(`async expression ${expression}`);
    return (values: Values) => runner.runValues(pick(values));
  });
}
