import { CHECKPOINT_PROPS } from "../../client/lib/checkpoint-type.ts";
import { FIRST_VIOLATION_PROPERTY, POINT_CHOICES, QUESTION_PROPS } from "./metadata.ts";

type Json = Record<string, unknown>;

/** Single-answer questions that become check points (合格 / 不合格 / 不适用). */
const POINT_TYPES = new Set(["radiogroup", "dropdown", "buttongroup"]);
/**
 * Questions the standard header and final pages ask once for the whole visit. Item forms built from the
 * checklist skeleton repeat them; they are taken from the standard pages instead of once per item.
 */
const STANDARD_NAMES = new Set([
  "enterprise_name",
  "credit_code",
  "address",
  "legal_representative",
  "inspection_place",
  "start_time",
  "end_time",
  "officers",
  "rights_notified",
  "photos",
  "officer_signature",
  "enterprise_signature",
]);
const STANDARD_TYPES = new Set(["file", "signaturepad"]);
/** Keys whose strings are data or identifiers, never text with `{variable}` references. */
const LITERAL_KEYS = new Set(["name", "valueName", "type", "value", "defaultValue", "correctAnswer"]);
/** Element lists whose questions live below the root of the answers (their names need no prefix). */
const NESTED_LISTS = new Set(["templateElements", "detailElements", "columns"]);
/** Variables that name the current row, panel, choice… in their context, not a question. */
const CONTEXT_ROOTS = new Set(["row", "panel", "parentpanel", "rootpanel"]);
const CHOICE_CONTEXT_KEYS = new Set([
  "choicesVisibleIf",
  "choicesEnableIf",
  "rowsVisibleIf",
  "columnsVisibleIf",
]);
const DATE_PATTERN = "^\\d{4}-\\d{2}-\\d{2}$";

export interface ConvertedItemForm {
  /** The elements of the item's page, names prefixed. */
  elements: Json[];
  /** The form's calculated values, names prefixed (they live at survey level). */
  calculatedValues: Json[];
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const lower = (s: string) => s.toLowerCase();

function formPages(schema: Json): Json[] {
  if (Array.isArray(schema.pages)) return schema.pages.filter(isObject);
  const elements = schema.elements ?? schema.questions;
  return [{ elements: Array.isArray(elements) ? elements : [] }];
}

/** Root-level elements (pages and plain panels, not dynamic panels or matrices), depth first. */
function* rootElements(list: unknown): Generator<Json> {
  if (!Array.isArray(list)) return;
  for (const el of list) {
    if (!isObject(el)) continue;
    yield el;
    if (el.type === "panel") yield* rootElements(el.elements);
  }
}

/**
 * Rewrites one item's checklist form for its page in the combined checklist: every answer name at the
 * root gets `prefix` (so two items asking `license` do not collide), expressions and `{name}` text
 * references follow the rename, and each single-answer question becomes a check point with choices
 * 合格/不合格/不适用 plus a 整改要求 and 整改期限 required when it fails. Signature and file questions,
 * questions named like the standard header/final ones, and an existing check point's own 整改
 * companions are left out: the generated checklist asks for those itself.
 */
export function convertItemForm(schema: Json, prefix: string): ConvertedItemForm {
  const pages = formPages(schema);
  const renames = new Map<string, string>();
  const points = new Set<string>();
  const calcs = (Array.isArray(schema.calculatedValues) ? schema.calculatedValues : []).filter(isObject);
  for (const page of pages) {
    for (const el of rootElements(page.elements)) {
      for (const key of ["name", "valueName"]) {
        const n = el[key];
        if (typeof n === "string" && n) renames.set(lower(n), prefix + n);
      }
      if (typeof el.name === "string" && POINT_TYPES.has(String(el.type))) points.add(lower(el.name));
    }
  }
  for (const calc of calcs)
    if (typeof calc.name === "string") renames.set(lower(calc.name), prefix + calc.name);
  const used = new Set([...renames.values()].map(lower));

  const fresh = (base: string) => {
    let name = base;
    for (let i = 2; used.has(lower(name)); i++) name = `${base}_${i}`;
    used.add(lower(name));
    return name;
  };

  const renameVariable = (variable: string, key: string): string | null => {
    const v = lower(variable);
    const root = v.split(/[.[]/)[0]!;
    if (CONTEXT_ROOTS.has(root)) return null;
    if (CHOICE_CONTEXT_KEYS.has(key) && (root === "item" || root === "choice")) return null;
    let best = "";
    for (const name of renames.keys()) {
      const matches =
        v === name || v === `${name}-unwrapped` || v.startsWith(`${name}.`) || v.startsWith(`${name}[`);
      if (matches && name.length > best.length) best = name;
    }
    return best ? renames.get(best)! + variable.slice(best.length) : null;
  };

  const rewrite = (text: string, key: string): string =>
    text
      .replace(/\{([^{}]+)\}/g, (whole, inner: string) => {
        const renamed = renameVariable(inner.trim(), key);
        return renamed === null ? whole : `{${renamed}}`;
      })
      .replace(
        /\b(displayValue|propertyValue)\(\s*(['"])([^'"]+)\2/gi,
        (whole, fn: string, q: string, n: string) => {
          const renamed = renames.get(lower(n));
          return renamed ? `${fn}(${q}${renamed}${q}` : whole;
        },
      );

  const isCompanion = (el: Json): boolean => {
    const name = typeof el.name === "string" ? lower(el.name) : "";
    const visibleIf = typeof el.visibleIf === "string" ? lower(el.visibleIf) : "";
    const title = JSON.stringify(el.title ?? "");
    for (const point of points) {
      if (name === `${point}_requirement` || name === `${point}_deadline`) return true;
      if (title.includes("整改") && visibleIf.includes(`{${point}}`)) return true;
    }
    return false;
  };

  const leftOut = (el: Json): boolean => {
    const type = String(el.type);
    if (POINT_TYPES.has(type)) return false;
    if (STANDARD_TYPES.has(type)) return true;
    if (typeof el.name === "string" && STANDARD_NAMES.has(lower(el.name))) return true;
    return isCompanion(el);
  };

  const copy = (value: unknown, key: string, root: boolean): unknown => {
    if (typeof value === "string") return LITERAL_KEYS.has(key) ? value : rewrite(value, key);
    if (Array.isArray(value)) return value.map((v) => copy(v, key, root));
    if (isObject(value)) return copyNode(value, root);
    return value;
  };

  const copyNode = (node: Json, root: boolean): Json => {
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if ((key === "name" || key === "valueName") && typeof value === "string") {
        out[key] = root ? prefix + value : value;
      } else if (key === "elements" && Array.isArray(value)) {
        out[key] = root ? convertList(value) : value.map((v) => copy(v, key, false));
      } else if (NESTED_LISTS.has(key) && Array.isArray(value)) {
        out[key] = value.map((v) => copy(v, key, false));
      } else {
        out[key] = LITERAL_KEYS.has(key) ? structuredClone(value) : copy(value, key, false);
      }
    }
    // A renamed question without its own title would show the prefixed name.
    if (root && node.type !== "panel" && node.title === undefined && typeof node.name === "string") {
      out.title = node.name;
    }
    return out;
  };

  const checkPoint = (el: Json): Json[] => {
    const name = prefix + String(el.name);
    const when = `{${name}} = 'fail'`;
    const point: Json = {
      type: "radiogroup",
      name,
      title: copy(el.title ?? el.name, "title", false),
      isRequired: true,
      colCount: 3,
      choices: POINT_CHOICES.map((c) => ({ ...c })),
      [QUESTION_PROPS.role]: "checkpoint",
    };
    if (el.description !== undefined) point.description = copy(el.description, "description", false);
    // A 检查要点 designed as such: its own legal basis, points and 首违不罚 eligibility go with it.
    const legalBasis = el[CHECKPOINT_PROPS.legalBasis];
    if (typeof legalBasis === "string" && legalBasis.trim()) {
      point[CHECKPOINT_PROPS.legalBasis] = legalBasis;
      if (el[CHECKPOINT_PROPS.marker] === true) point.description = `检查依据：${legalBasis}`;
    }
    if (typeof el[CHECKPOINT_PROPS.points] === "number")
      point[CHECKPOINT_PROPS.points] = el[CHECKPOINT_PROPS.points];
    // 首违不罚 eligibility travels under the checklist's own property, which the action rule reads.
    if (el[FIRST_VIOLATION_PROPERTY] === true) point[QUESTION_PROPS.firstViolation] = true;
    const requirement: Json = {
      type: "comment",
      name: fresh(`${name}__requirement`),
      title: "整改要求",
      visibleIf: when,
      requiredIf: when,
      maxLength: 2000,
      rows: 3,
      [QUESTION_PROPS.role]: "requirement",
      [QUESTION_PROPS.point]: name,
    };
    const deadline: Json = {
      type: "text",
      name: fresh(`${name}__deadline`),
      title: "整改期限",
      inputType: "date",
      minValueExpression: "today()",
      visibleIf: when,
      requiredIf: when,
      validators: [{ type: "regex", regex: DATE_PATTERN, text: "请填写日期（年-月-日）" }],
      [QUESTION_PROPS.role]: "deadline",
      [QUESTION_PROPS.point]: name,
    };
    const group = [point, requirement, deadline];
    if (typeof el.visibleIf !== "string" || !el.visibleIf.trim()) return group;
    // The condition moves to a panel around all three, so a hidden point never requires its companions.
    return [
      {
        type: "panel",
        name: fresh(`${name}__group`),
        visibleIf: rewrite(el.visibleIf, "visibleIf"),
        elements: group,
      },
    ];
  };

  function convertList(list: unknown[]): Json[] {
    const out: Json[] = [];
    for (const el of list) {
      if (!isObject(el) || leftOut(el)) continue;
      if (POINT_TYPES.has(String(el.type)) && typeof el.name === "string") out.push(...checkPoint(el));
      else out.push(copyNode(el, true));
    }
    return out;
  }

  const converted = pages
    .map((page, i) => ({ page, i, list: convertList(Array.isArray(page.elements) ? page.elements : []) }))
    .filter((p) => p.list.length > 0);
  const wrap =
    converted.length > 1 || converted.some((p) => typeof p.page.visibleIf === "string" && p.page.visibleIf);
  const elements: Json[] = [];
  for (const { page, i, list } of converted) {
    if (!wrap) {
      elements.push(...list);
      continue;
    }
    // Several pages of the item form become titled panels on the item's one page.
    const panel: Json = { type: "panel", name: fresh(`${prefix}page${i + 1}`), elements: list };
    for (const key of ["title", "description", "visibleIf"]) {
      if (page[key] !== undefined) panel[key] = copy(page[key], key, false);
    }
    elements.push(panel);
  }

  const calculatedValues = calcs.map((calc) => copyNode(calc, true));
  for (const calc of calculatedValues) delete calc.title;
  return { elements, calculatedValues };
}

/** Elements that ask nothing (text, pictures, layout) and so are no check point to miss. */
const NON_QUESTION_TYPES = new Set(["html", "image", "panel", "expression"]);

/**
 * The questions of an item's checklist form that the generated checklist will ask as they are, not
 * as check points (合格/不合格/不适用 with 整改要求): the designer is warned about them at publish.
 * Standard questions (asked once on the header and final pages) and 整改 companions are not listed.
 */
export function nonCheckpointQuestions(schema: Json): { name: string; title: string; type: string }[] {
  const out: { name: string; title: string; type: string }[] = [];
  for (const page of formPages(schema)) {
    for (const el of rootElements(page.elements)) {
      const type = String(el.type);
      const name = typeof el.name === "string" ? el.name : "";
      if (!name || POINT_TYPES.has(type) || NON_QUESTION_TYPES.has(type) || STANDARD_TYPES.has(type))
        continue;
      if (STANDARD_NAMES.has(lower(name))) continue;
      if (/_(requirement|deadline)$/i.test(name) || JSON.stringify(el.title ?? "").includes("整改")) continue;
      const title =
        typeof el.title === "string"
          ? el.title
          : isObject(el.title)
            ? String(el.title.default ?? name)
            : name;
      out.push({ name, title, type });
    }
  }
  return out;
}
