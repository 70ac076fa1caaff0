import { convertItemForm } from "./item-form.ts";
import { FIXED, PAGE_PROPS, QUESTION_PROPS, registerChecklistProperties } from "./metadata.ts";
import { escapeHtml } from "../lib/html.ts";
import { localDateTime } from "../lib/time.ts";

registerChecklistProperties();

type Json = Record<string, unknown>;

export interface ChecklistOfficer {
  name: string;
  /** 执法证号; null for helpers. */
  credentialNo: string | null;
  isHelper: boolean;
  departmentName?: string;
}

export interface ChecklistItemInput {
  code: string;
  name: string;
  /** 检查依据 */
  legalBasis: string;
  /** 检查方式 */
  method: string;
  departmentName: string;
  /** The item's checklist form: its latest published version. */
  formId: string;
  formVersion: number;
  formSchema: Json;
}

/** What the generated checklist shows and asks: the filing's facts and its items, in page order. */
export interface ChecklistFacts {
  enterprise: { name: string; creditCode: string; address: string; legalRepresentative: string };
  officers: ChecklistOfficer[];
  /** Epoch milliseconds. */
  plannedStart: number;
  plannedEnd: number;
  departments: string[];
  items: ChecklistItemInput[];
  /** IANA zone for the planned window as shown; default Asia/Shanghai. */
  timeZone?: string;
  /**
   * 复查 (issue 15): per item code, the failed points re-inspected with their original requirement; the
   * checklist then holds only these points.
   */
  reinspection?: Map<string, ReinspectedPoint[]>;
}

export interface ReinspectedPoint {
  pointKey: string;
  requirement: string;
  deadline: string;
}

/** Keeps only the re-inspected points (and their 整改 companions) of an item page, with the original requirement. */
function onlyPoints(elements: Json[], prefix: string, points: ReinspectedPoint[]): Json[] {
  const byName = new Map(points.map((p) => [prefix + p.pointKey, p]));
  const out: Json[] = [];
  for (const el of elements) {
    const role = el[QUESTION_PROPS.role];
    if (role === "checkpoint" && byName.has(String(el.name))) {
      const p = byName.get(String(el.name))!;
      // Braces would be read as survey-core text variables.
      const safe = p.requirement.replace(/[{}]/g, (b) => (b === "{" ? "｛" : "｝"));
      out.push({
        ...el,
        description: `原整改要求：${safe}（原整改期限 ${p.deadline}）`,
        [QUESTION_PROPS.originalRequirement]: p.requirement,
      });
    } else if (
      (role === "requirement" || role === "deadline") &&
      byName.has(String(el[QUESTION_PROPS.point]))
    ) {
      out.push(el);
    } else if (el.type === "panel" && Array.isArray(el.elements)) {
      const kept = onlyPoints(el.elements as Json[], prefix, points);
      // The point failed before, so it applies: a condition of the original form no longer hides it.
      if (kept.length) out.push({ ...el, visibleIf: undefined, elements: kept });
    }
  }
  return out;
}

/** The answer-name prefix of the item at `index` (0-based) in the generated checklist. */
export const itemPrefix = (index: number) => `i${index + 1}__`;

const DATETIME_PATTERN = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?$";

/** Escapes text for an html question; braces too, so survey-core's `{name}` processing leaves it alone. */
function htmlText(text: string): string {
  return escapeHtml(text).replace(/[{}]/g, (ch) => (ch === "{" ? "&#123;" : "&#125;"));
}

function officerList(officers: ChecklistOfficer[]): string {
  const items = officers.map((o) => {
    const role = o.isHelper ? "辅助人员" : `执法证号 ${o.credentialNo ?? "—"}`;
    const department = o.departmentName ? `<br><small>${htmlText(o.departmentName)}</small>` : "";
    return `<li><strong>${htmlText(o.name)}</strong>　${htmlText(role)}${department}</li>`;
  });
  return `<p><strong>执法人员（出示执法证件）</strong></p><ul class="checklist-officers">${items.join("")}</ul>`;
}

function headerPage(facts: ChecklistFacts): Json {
  const zone = facts.timeZone ?? "Asia/Shanghai";
  const e = facts.enterprise;
  const window = `${localDateTime(facts.plannedStart, zone)} 至 ${localDateTime(facts.plannedEnd, zone)}`;
  const enterpriseRows = [
    ["被检查单位", e.name],
    ["统一社会信用代码", e.creditCode],
    ["地址", e.address || "—"],
    ["法定代表人", e.legalRepresentative || "—"],
    ["检查部门", facts.departments.join("、")],
    ["计划检查时间", window],
    ["检查事项", facts.items.map((i) => `${i.code} ${i.name}`).join("；")],
  ];
  return {
    name: "header",
    title: "基本信息",
    elements: [
      {
        type: "html",
        name: "enterprise_facts",
        html: `<dl class="checklist-facts">${enterpriseRows
          .map(([k, v]) => `<dt>${htmlText(k!)}</dt><dd>${htmlText(v!)}</dd>`)
          .join("")}</dl>`,
      },
      {
        type: "text",
        name: FIXED.place,
        title: "检查场所",
        description: "实际检查的地点（默认为企业登记地址）",
        isRequired: true,
        maxLength: 300,
        ...(e.address ? { defaultValue: e.address } : {}),
      },
      {
        type: "text",
        name: FIXED.start,
        title: "检查开始时间",
        inputType: "datetime-local",
        isRequired: true,
        validators: [{ type: "regex", regex: DATETIME_PATTERN, text: "请填写日期和时间" }],
      },
      {
        type: "text",
        name: FIXED.end,
        title: "检查结束时间",
        inputType: "datetime-local",
        isRequired: true,
        startWithNewLine: false,
        validators: [
          { type: "regex", regex: DATETIME_PATTERN, text: "请填写日期和时间" },
          {
            type: "expression",
            expression: `{${FIXED.end}} empty or {${FIXED.start}} empty or {${FIXED.end}} >= {${FIXED.start}}`,
            text: "结束时间不得早于开始时间",
          },
        ],
      },
      {
        type: "html",
        name: "officer_list",
        html: officerList(facts.officers),
      },
    ],
  };
}

function itemPage(item: ChecklistItemInput, index: number, elements: Json[]): Json {
  return {
    name: `item${index + 1}`,
    title: `${item.code} ${item.name}`,
    description: `检查依据：${item.legalBasis}\n检查方式：${item.method}\n实施部门：${item.departmentName}`,
    [PAGE_PROPS.itemCode]: item.code,
    [PAGE_PROPS.itemName]: item.name,
    [PAGE_PROPS.legalBasis]: item.legalBasis,
    [PAGE_PROPS.formId]: item.formId,
    [PAGE_PROPS.formVersion]: item.formVersion,
    elements:
      elements.length > 0
        ? elements
        : [{ type: "html", name: `${itemPrefix(index)}empty`, html: "<p>本事项的检查表没有检查要点。</p>" }],
  };
}

function closingPage(facts: ChecklistFacts): Json {
  const inspectors = facts.officers.filter((o) => !o.isHelper);
  const signers = inspectors.length > 0 ? inspectors : [{ name: "", credentialNo: null }];
  return {
    name: "closing",
    title: "现场照片、权利告知与签名",
    elements: [
      {
        type: "file",
        name: FIXED.photos,
        title: "现场照片",
        description: "拍摄或选择现场照片作为证据（JPEG/PNG/WebP；超过 5 MB 的照片自动压缩）。",
        allowMultiple: true,
        acceptedTypes: "image/*",
        storeDataAsText: false,
        waitForUpload: true,
        needConfirmRemoveFile: true,
      },
      {
        type: "boolean",
        name: FIXED.rights,
        title: "已告知企业陈述、申辩、申请回避等权利",
        labelTrue: "已告知",
        labelFalse: "未告知",
        isRequired: true,
        validators: [
          {
            type: "expression",
            expression: `{${FIXED.rights}} = true`,
            text: "须告知企业陈述、申辩、申请回避等权利",
          },
        ],
      },
      ...signers.map((o, i) => ({
        type: "signaturepad",
        name: FIXED.officerSignature(i + 1),
        title: o.name
          ? `执法人员签名：${o.name}${o.credentialNo ? `（执法证号 ${o.credentialNo}）` : ""}`
          : "执法人员签名",
        isRequired: true,
        dataFormat: "png",
        signatureAutoScaleEnabled: true,
        penColor: "#1f2328",
      })),
      {
        type: "text",
        name: FIXED.representative,
        title: "企业代表姓名",
        isRequired: true,
        maxLength: 50,
        ...(facts.enterprise.legalRepresentative
          ? { defaultValue: facts.enterprise.legalRepresentative }
          : {}),
      },
      {
        type: "signaturepad",
        name: FIXED.enterpriseSignature,
        title: "企业代表签名",
        isRequired: true,
        dataFormat: "png",
        signatureAutoScaleEnabled: true,
        penColor: "#1f2328",
      },
    ],
  };
}

/**
 * Builds the standardized on-site checklist (事中登记, R7) of one inspection: a header page with the
 * enterprise, window and officers; one page per filed item, in the given order, with the item's check
 * points (合格/不合格/不适用, 整改要求 and 整改期限 required on 不合格) and its legal basis; a final page
 * with photos, the notice of rights and the signatures. Pure: the result shares nothing with the input,
 * so it can be stored as the inspection's snapshot.
 */
export function generateChecklist(facts: ChecklistFacts): Json {
  const calculatedValues: Json[] = [];
  const itemPages = facts.items.map((item, index) => {
    const converted = convertItemForm(structuredClone(item.formSchema), itemPrefix(index));
    const points = facts.reinspection?.get(item.code);
    if (facts.reinspection) {
      return itemPage(item, index, onlyPoints(converted.elements, itemPrefix(index), points ?? []));
    }
    calculatedValues.push(...converted.calculatedValues);
    return itemPage(item, index, converted.elements);
  });
  return {
    title: facts.reinspection ? "涉企行政检查复查表" : "涉企行政检查现场检查表",
    description: facts.enterprise.name,
    showQuestionNumbers: "off",
    showProgressBar: "top",
    progressBarType: "pages",
    showTOC: true,
    checkErrorsMode: "onNextPage",
    clearInvisibleValues: "onHidden",
    // Answers reach the data (and the autosave) while typing, not only when the field loses focus.
    textUpdateMode: "onTyping",
    pagePrevText: "上一页",
    pageNextText: "下一页",
    completeText: "提交登记",
    ...(calculatedValues.length ? { calculatedValues } : {}),
    pages: [headerPage(facts), ...itemPages, closingPage(facts)],
  };
}
