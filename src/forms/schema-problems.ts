/**
 * Publish-time checks of a form schema: what survey-core reports while loading it, element lists,
 * expressions, names, regexes, size limits, and a dry run of the reference on an empty response.
 */
import {
  Base,
  ConditionsParser,
  ExpressionErrorType,
  FunctionFactory,
  FunctionOperand,
  Model,
  Question,
  QuestionMatrixDropdownModelBase,
  QuestionMultipleTextModel,
  QuestionPanelDynamicModel,
  RegexValidator,
  Serializer,
} from "survey-core";
import type { IExpressionError, JsonError, Operand, SurveyModel } from "survey-core";
import { installLinearRegex, linearRegexProblem } from "./linear-regex.ts";
import { DEFAULT_LOCALE, FormInstance, ownMessages, withoutRemoteChoices } from "./reference-validator.ts";
import { isPlainObject, joinKey } from "./validation-types.ts";
import type { JsonObject } from "./validation-types.ts";

// Regexes are checked, and dry-run, on the linear-time engine the validators use.
installLinearRegex();

/** A reason a form schema cannot be saved. `path` points into the schema JSON, e.g. `pages[0].elements[2].visibleIf`. */
export interface SchemaProblem {
  path: string;
  message: string;
}

/** JSON keys that hold element lists in the survey, pages, panels, dynamic panels and matrix detail panels. */
const ELEMENT_LIST_KEYS = ["pages", "elements", "questions", "templateElements", "detailElements"];

/**
 * survey-core silently skips malformed element lists (losing questions without a trace) and throws
 * on a non-string name, so the element structure is checked on the raw JSON first.
 */
function checkElementLists(node: unknown, path: string, problems: SchemaProblem[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => checkElementLists(item, `${path}[${i}]`, problems));
    return;
  }
  if (!isPlainObject(node)) return;
  // Elsewhere the same keys mean other things: a trigger's or a template's `questions` lists names.
  if (!holdsElements(path)) {
    for (const [key, value] of Object.entries(node)) checkElementLists(value, joinKey(path, key), problems);
    return;
  }
  for (const key of ELEMENT_LIST_KEYS) {
    if (node[key] === undefined) continue;
    const list = node[key];
    const listPath = joinKey(path, key);
    if (!Array.isArray(list)) {
      problems.push({ path: listPath, message: `${key} 必须是数组` });
      continue;
    }
    list.forEach((item, i) => {
      const itemPath = `${listPath}[${i}]`;
      if (!isPlainObject(item)) problems.push({ path: itemPath, message: "每一项都必须是 JSON 对象" });
      else if (item.name !== undefined && typeof item.name !== "string")
        problems.push({ path: `${itemPath}.name`, message: "name 必须是字符串" });
      else if (item.type !== undefined && typeof item.type !== "string")
        problems.push({ path: `${itemPath}.type`, message: "type 必须是字符串" });
    });
  }
  for (const [key, value] of Object.entries(node)) checkElementLists(value, joinKey(path, key), problems);
}

/** The survey itself, its pages and its elements (anything reached through an element list) hold element lists. */
function holdsElements(path: string): boolean {
  return (
    path === "" || /(?:^|\.)(?:pages|elements|questions|templateElements|detailElements)\[\d+\]$/.test(path)
  );
}

/** Identity map from every object in the schema JSON to its path, to locate survey-core's JSON errors. */
function indexJsonPaths(node: unknown, path: string, out: Map<unknown, string>): void {
  if (Array.isArray(node)) {
    out.set(node, path);
    node.forEach((item, i) => indexJsonPaths(item, `${path}[${i}]`, out));
  } else if (isPlainObject(node)) {
    out.set(node, path);
    for (const [key, value] of Object.entries(node)) indexJsonPaths(value, joinKey(path, key), out);
  }
}

/** Element types, names and other required properties survey-core could not load. */
function checkJsonErrors(model: SurveyModel, schema: JsonObject): SchemaProblem[] {
  const jsonPaths = new Map<unknown, string>();
  indexJsonPaths(schema, "", jsonPaths);
  const problems: SchemaProblem[] = [];
  const errors: JsonError[] = model.jsonErrors ?? [];
  for (const error of errors) {
    const at: unknown = error.jsonObj;
    const path = jsonPaths.get(at) ?? "";
    if (error.type === "missingtypeproperty") {
      problems.push({ path, message: "缺少 type（题型）" });
    } else if (error.type === "incorrecttypeproperty") {
      const type = isPlainObject(at) ? at.type : undefined;
      problems.push({ path, message: `未知的题型 "${String(type)}"` });
    } else if (error.type === "requiredproperty") {
      const property = (error as JsonError & { propertyName?: string }).propertyName ?? "";
      // An html or image element holds no answer: survey-core runs the form without its name.
      if (property === "name" && isPlainObject(at) && NO_ANSWER_TYPES.has(String(at.type))) continue;
      problems.push({ path: joinKey(path, property), message: `缺少必填属性 ${property}` });
    }
  }
  return problems;
}

/**
 * Identity map from every survey-core object loaded from the schema to its JSON path. survey-core's
 * property metadata says which JSON key (or its alternative name) each object came from; only keys
 * present in the JSON are followed, so computed collections (like the survey's `questions`) are not.
 */
function indexModelPaths(obj: Base, json: unknown, path: string, out: Map<Base, string>): void {
  if (out.has(obj)) return;
  out.set(obj, path);
  if (!isPlainObject(json)) return;
  const props = obj.getType() === "survey" ? [] : Serializer.getPropertiesByObj(obj);
  for (const prop of props) {
    if (prop.isExpression) continue;
    const key = [prop.name, prop.alternativeName].find((k) => !!k && Object.hasOwn(json, k));
    if (!key) continue;
    const value: unknown = (obj as unknown as Record<string, unknown>)[prop.name];
    const jsonValue = json[key];
    if (value instanceof Base) {
      indexModelPaths(value, jsonValue, joinKey(path, key), out);
    } else if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => {
        const jsonItem = Array.isArray(jsonValue) ? jsonValue[i] : undefined;
        if (item instanceof Base) indexModelPaths(item, jsonItem, `${joinKey(path, key)}[${i}]`, out);
      });
    }
  }
}

/** The survey object itself needs care: its `questions` property lists all questions, and a schema without `pages` puts its root `elements` on a page survey-core creates. */
function indexSurveyPaths(model: SurveyModel, schema: JsonObject): Map<Base, string> {
  const out = new Map<Base, string>();
  out.set(model, "");
  for (const prop of Serializer.getPropertiesByObj(model)) {
    if (prop.isExpression || prop.name === "questions" || prop.name === "pages") continue;
    const value: unknown = (model as unknown as Record<string, unknown>)[prop.name];
    const jsonValue = schema[prop.name];
    if (!Array.isArray(value) || !Array.isArray(jsonValue)) continue;
    value.forEach((item: unknown, i) => {
      if (item instanceof Base) indexModelPaths(item, jsonValue[i], `${prop.name}[${i}]`, out);
    });
  }
  const jsonPages = schema.pages;
  if (Array.isArray(jsonPages)) {
    model.pages.forEach((page, i) => indexModelPaths(page, jsonPages[i], `pages[${i}]`, out));
  } else if (model.pages.length > 0) {
    indexModelPaths(model.pages[0], schema, "", out);
  }
  return out;
}

function expressionProblem(expression: string, error: IExpressionError): string | null {
  if (error.errorType === ExpressionErrorType.SyntaxError) return `表达式无法解析：${expression}`;
  if (error.errorType === ExpressionErrorType.UnknownFunction)
    return `表达式调用了未注册的函数 ${error.functionName}()：${expression}`;
  return null;
}

/** Syntax errors and calls to functions that survey-core's FunctionFactory does not know. */
function expressionErrors(expression: string): IExpressionError[] {
  const operand: Operand | undefined = new ConditionsParser().parseExpression(expression);
  if (!operand) return [{ errorType: ExpressionErrorType.SyntaxError }];
  const operands: Operand[] = [];
  operand.addOperandsToList(operands);
  const errors: IExpressionError[] = [];
  for (const op of operands) {
    if (op instanceof FunctionOperand && !FunctionFactory.Instance.hasFunction(op.functionName))
      errors.push({ errorType: ExpressionErrorType.UnknownFunction, functionName: op.functionName });
  }
  return errors;
}

/** What a published form may cost each submission (issue 14, item 3); configured in src/env.ts. */
export interface SchemaLimits {
  /** Largest schema JSON, in bytes (UTF-8). */
  maxBytes: number;
  /** Most expressions (conditions, calculated values, expression validators, value expressions…). */
  maxExpressions: number;
  /** Deepest expression, in levels of its parse tree (`a and b and c` is three). */
  maxExpressionDepth: number;
}

/** Levels of an expression's parse tree, walked without recursion: a chain of 10,000 `or` is 10,000 deep. */
function operandDepth(root: Operand): number {
  let deepest = 0;
  const seen = new Set<unknown>();
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) stack.push([item, depth]);
      continue;
    }
    if (typeof node !== "object" || node === null) continue;
    deepest = Math.max(deepest, depth);
    for (const value of Object.values(node)) {
      if (Array.isArray(value) || (typeof value === "object" && value !== null && "getType" in value))
        stack.push([value, depth + 1]);
    }
  }
  return deepest;
}

interface ExpressionStats {
  count: number;
  deepest: { depth: number; path: string; expression: string };
}

function checkExpressions(
  model: SurveyModel,
  paths: Map<Base, string>,
  stats?: ExpressionStats,
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  const report = (obj: Base, propertyName: string, expression: string, errors: IExpressionError[]): void => {
    const path = joinKey(paths.get(obj) ?? obj.getType(), propertyName);
    for (const error of errors) {
      const message = expressionProblem(expression, error);
      const key = `${path}\u0000${message}`;
      if (!message || seen.has(key)) continue;
      seen.add(key);
      problems.push({ path, message });
    }
  };
  // Every expression property of every object loaded from the schema, found through its metadata...
  for (const obj of paths.keys()) {
    for (const prop of Serializer.getPropertiesByObj(obj)) {
      if (!prop.isExpression) continue;
      const expression: unknown = (obj as unknown as Record<string, unknown>)[prop.name];
      if (typeof expression !== "string" || !expression.trim()) continue;
      report(obj, prop.name, expression, expressionErrors(expression));
      if (stats) {
        stats.count++;
        const operand = new ConditionsParser().parseExpression(expression);
        const depth = operand ? operandDepth(operand) : 0;
        if (depth > stats.deepest.depth)
          stats.deepest = { depth, path: joinKey(paths.get(obj) ?? obj.getType(), prop.name), expression };
      }
    }
  }
  // ...and survey-core's own expression check as a backstop for objects the walk did not reach.
  for (const result of model.validateExpressions({ functions: true, variables: false, semantics: false })) {
    const expression: unknown = (result.obj as unknown as Record<string, unknown>)[result.propertyName];
    report(result.obj, result.propertyName, String(expression ?? ""), result.errors);
  }
  return problems;
}

interface NamedItem {
  name: string;
  /** The object whose JSON path locates the name. */
  at: Base;
}

/** Elements that hold no answer, so their names (optional for survey-core) cannot collide with data. */
const NO_ANSWER_TYPES = new Set(["html", "image"]);

function holdsAnswer(at: Base): boolean {
  return !NO_ANSWER_TYPES.has(at.getType());
}

/** Question names share a namespace per data level; expressions look names up case-insensitively. */
function checkNames(model: SurveyModel, paths: Map<Base, string>): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const checkLevel = (all: NamedItem[]): void => {
    const byName = new Map<string, NamedItem>();
    // Elements without an answer collide with nothing; only names of answers must be unique.
    const items = all.filter((item) => holdsAnswer(item.at));
    for (const item of items) {
      if (!item.name) continue; // reported by survey-core as a missing required property
      const key = item.name.toLowerCase();
      const first = byName.get(key);
      if (!first) {
        byName.set(key, item);
        continue;
      }
      const firstPath = paths.get(first.at);
      problems.push({
        path: joinKey(paths.get(item.at) ?? "", "name"),
        message: `名称 "${item.name}" 重复（与 ${firstPath ? `${firstPath} 的 ` : ""}"${first.name}"）`,
      });
    }
  };
  const questions = model.getAllQuestions(false, false, false);
  checkLevel(questions.map((q) => ({ name: q.name, at: q })));
  const visit = (q: Question): void => {
    if (q instanceof QuestionPanelDynamicModel) {
      checkLevel(q.template.questions.map((t) => ({ name: t.name, at: t })));
      q.template.questions.forEach(visit);
    } else if (q instanceof QuestionMatrixDropdownModelBase) {
      // Columns and detail-panel questions share the row object.
      const detail = q.detailPanel.questions;
      checkLevel([
        ...q.columns.map((c) => ({ name: c.name, at: c })),
        ...detail.map((d) => ({ name: d.name, at: d })),
      ]);
      detail.forEach(visit);
    } else if (q instanceof QuestionMultipleTextModel) {
      checkLevel(q.items.map((item) => ({ name: item.name, at: item })));
    }
  };
  questions.forEach(visit);
  return problems;
}

/** Regex validators whose pattern cannot run on the server's linear-time engine (src/forms/linear-regex.ts). */
function checkRegexes(paths: Map<Base, string>): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const owner of paths.keys()) {
    const validators: unknown = (owner as unknown as { validators?: unknown }).validators;
    if (!Array.isArray(validators)) continue;
    const name = String((owner as unknown as { name?: unknown }).name ?? "");
    validators.forEach((validator: unknown, i) => {
      if (!(validator instanceof RegexValidator) || !validator.regex) return;
      const problem = linearRegexProblem(String(validator.regex), validator.caseInsensitive ? "i" : "");
      if (!problem) return;
      const path = joinKey(paths.get(validator) ?? `${paths.get(owner) ?? ""}.validators[${i}]`, "regex");
      problems.push({
        path,
        message: `题目 "${name}" 的正则表达式 ${String(validator.regex)} 不能在服务器上安全执行：${problem}`,
      });
    });
  }
  return problems;
}

function checkLimits(limits: SchemaLimits, stats: ExpressionStats): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (stats.count > limits.maxExpressions)
    problems.push({
      path: "",
      message: `表单中的表达式过多：${stats.count} 个，上限 ${limits.maxExpressions} 个（显示/启用/必填条件、计算值、表达式校验等）`,
    });
  const { depth, path, expression } = stats.deepest;
  if (depth > limits.maxExpressionDepth)
    problems.push({
      path,
      message: `表达式嵌套过深：${depth} 层，上限 ${limits.maxExpressionDepth} 层：${expression.slice(0, 80)}${expression.length > 80 ? "…" : ""}`,
    });
  return problems;
}

/** UTF-8 bytes of the schema's JSON text. */
function schemaBytes(schema: unknown): number {
  return new TextEncoder().encode(JSON.stringify(schema)).length;
}

/** A schema survey-core loads in design mode may still throw once conditions run; every response would then fail. */
function checkRuns(schema: JsonObject): SchemaProblem[] {
  let instance: FormInstance | undefined;
  try {
    instance = new FormInstance(schema, DEFAULT_LOCALE);
    instance.validate({}, DEFAULT_LOCALE, ownMessages(DEFAULT_LOCALE));
    return [];
  } catch (error) {
    return [{ path: "", message: `survey-core 运行此表单时出错：${(error as Error).message}` }];
  } finally {
    instance?.model.dispose();
  }
}

/**
 * Problems that make a form schema unsavable: not a JSON object, malformed element lists, element
 * types or required properties survey-core cannot load, duplicate question names (per data level,
 * case-insensitive), and expressions that fail to parse or call a function not registered in
 * survey-core's FunctionFactory, and regex validators the server's linear-time engine cannot run.
 * With `limits` (forms saved and published by administrators), also a schema too large, with too
 * many expressions or one nested too deep. Structural problems are reported alone, since later
 * paths would not line up with the JSON.
 *
 * @returns An empty array when the schema is fine.
 */
export function findSchemaProblems(schema: unknown, limits?: SchemaLimits): SchemaProblem[] {
  if (!isPlainObject(schema)) return [{ path: "", message: "表单定义必须是 JSON 对象" }];
  if (limits) {
    // Before survey-core loads it: loading and a trial run cost time in proportion to the size.
    const bytes = schemaBytes(schema);
    if (bytes > limits.maxBytes)
      return [
        {
          path: "",
          message: `表单定义过大：${Math.ceil(bytes / 1024)} KB，上限 ${Math.floor(limits.maxBytes / 1024)} KB`,
        },
      ];
  }
  const structural: SchemaProblem[] = [];
  checkElementLists(schema, "", structural);
  if (structural.length) return structural;

  return withoutRemoteChoices(() => {
    const model = new Model();
    try {
      // Design mode loads the structure without running conditions and expressions.
      model.setDesignMode(true);
      model.fromJSON(schema);
      const loadProblems = checkJsonErrors(model, schema);
      if (loadProblems.length) return loadProblems;
      const paths = indexSurveyPaths(model, schema);
      const stats: ExpressionStats = { count: 0, deepest: { depth: 0, path: "", expression: "" } };
      const problems = [
        ...checkNames(model, paths),
        ...checkExpressions(model, paths, stats),
        ...checkRegexes(paths),
      ];
      if (limits) problems.push(...checkLimits(limits, stats));
      if (!problems.length) problems.push(...checkRuns(schema));
      return problems;
    } catch (error) {
      return [{ path: "", message: `survey-core 无法加载此表单：${(error as Error).message}` }];
    } finally {
      model.dispose();
    }
  });
}
