/**
 * Checks the rows of an enterprise import file. Pure: the caller reads the file, looks up which codes
 * already exist, and stores the result only when nothing was refused (all or nothing per file).
 */
import type { CREDIT_GRADES, RISK_LEVELS } from "../db/schema.ts";
import { normalizePhone, phoneProblem } from "../lib/phone.ts";
import { ENTERPRISE_LIMITS } from "./schemas.ts";
import { mapHeader, type TableRow } from "./table-file.ts";
import { creditCodeProblem, normalizeCreditCode } from "./uscc.ts";

export type EnterpriseField =
  | "creditCode"
  | "name"
  | "address"
  | "district"
  | "industry"
  | "legalRepresentative"
  | "contact"
  | "contactPhone"
  | "creditGrade"
  | "riskLevel";

export const ENTERPRISE_LABELS: Record<EnterpriseField, string> = {
  creditCode: "统一社会信用代码",
  name: "名称",
  address: "地址",
  district: "所属区县",
  industry: "行业",
  legalRepresentative: "法定代表人",
  contact: "联系方式",
  contactPhone: "联系电话/手机",
  creditGrade: "信用等级",
  riskLevel: "风险等级",
};

const ALIASES: Record<EnterpriseField, string[]> = {
  creditCode: ["统一社会信用代码", "社会信用代码", "信用代码", "creditCode", "credit_code", "uscc"],
  name: ["名称", "企业名称", "单位名称", "name"],
  address: ["地址", "住所", "经营地址", "address"],
  district: ["所属区县", "区县", "district"],
  industry: ["行业", "所属行业", "industry"],
  legalRepresentative: ["法定代表人", "法人代表", "legalRepresentative", "legal_representative"],
  contact: ["联系方式", "联系人", "contact"],
  // The mobile number that receives the enterprise's sign-in codes (validated, unlike 联系方式).
  contactPhone: [
    "联系电话",
    "手机",
    "手机号",
    "手机号码",
    "联系手机",
    "contactPhone",
    "contact_phone",
    "phone",
  ],
  creditGrade: ["信用等级", "creditGrade", "credit_grade"],
  riskLevel: ["风险等级", "riskLevel", "risk_level"],
};

export interface EnterpriseValues {
  creditCode: string;
  name: string;
  address: string;
  district: string;
  industry: string;
  legalRepresentative: string;
  contact: string;
  contactPhone: string | null;
  creditGrade: (typeof CREDIT_GRADES)[number];
  riskLevel: (typeof RISK_LEVELS)[number];
}

export interface RefusedRow {
  row: number;
  creditCode: string;
  errors: string[];
}

export interface ParsedRow {
  row: number;
  fields: Partial<Record<EnterpriseField, string>>;
}

export interface ImportPlan {
  total: number;
  accepted: { row: number; values: EnterpriseValues }[];
  refused: RefusedRow[];
}

/** The first row is the header; the others become field maps keyed by the header's columns. */
export function readEnterpriseRows(table: TableRow[]): { rows: ParsedRow[]; ignoredColumns: string[] } {
  const [header, ...data] = table;
  if (!header) return { rows: [], ignoredColumns: [] };
  const { columns, ignored } = mapHeader(header.cells, ALIASES, ["creditCode", "name"], ENTERPRISE_LABELS);
  const rows = data.map((r) => {
    const fields: Partial<Record<EnterpriseField, string>> = {};
    for (const [field, col] of Object.entries(columns) as [EnterpriseField, number][]) {
      fields[field] = r.cells[col] ?? "";
    }
    return { row: r.line, fields };
  });
  return { rows, ignoredColumns: ignored };
}

const GRADE_WORDS: Record<string, EnterpriseValues["creditGrade"]> = { A: "A", B: "B", C: "C", D: "D" };
const RISK_WORDS: Record<string, EnterpriseValues["riskLevel"]> = {
  low: "low",
  medium: "medium",
  high: "high",
  低: "low",
  中: "medium",
  高: "high",
  较低: "low",
  一般: "medium",
  较高: "high",
};

/** "a", "A级", "A 类" → "A"; empty → the default B; anything else → null. */
export function parseCreditGrade(text: string): EnterpriseValues["creditGrade"] | null {
  const key = text
    .trim()
    .toUpperCase()
    .replace(/\s*[级类]$/, "");
  if (key === "") return "B";
  return GRADE_WORDS[key] ?? null;
}

/** "high", "高", "高风险" → "high"; empty → the default medium; anything else → null. */
export function parseRiskLevel(text: string): EnterpriseValues["riskLevel"] | null {
  const key = text
    .trim()
    .toLowerCase()
    .replace(/\s*(风险|risk)$/, "");
  if (key === "") return "medium";
  return RISK_WORDS[key] ?? null;
}

/** Excel shows long digit strings in scientific notation and may save them so (9.14403E+17). */
const SCIENTIFIC = /^\d+(\.\d+)?E\+\d+$/i;

function codeProblem(code: string): string | null {
  if (code === "") return "缺少统一社会信用代码";
  if (SCIENTIFIC.test(code)) {
    return "统一社会信用代码被 Excel 存成了科学计数法，请把该列设为“文本”格式后重新填写";
  }
  return creditCodeProblem(code);
}

/**
 * Validates every row (credit code and its check character, required name, grade and risk values,
 * lengths, duplicates within the file and against `existing`: code → name of the stored enterprise).
 * The report lists each refused row once with all its problems.
 */
export function planEnterpriseImport(
  rows: ParsedRow[],
  existing: Map<string, string>,
  options: { phoneAllowed: boolean; gradingAllowed: boolean } = { phoneAllowed: true, gradingAllowed: true },
): ImportPlan {
  const accepted: ImportPlan["accepted"] = [];
  const refused: RefusedRow[] = [];
  const firstRowOf = new Map<string, number>();
  for (const { row, fields } of rows) {
    const errors: string[] = [];
    const creditCode = normalizeCreditCode(fields.creditCode ?? "");
    const problem = codeProblem(creditCode);
    if (problem) errors.push(problem);
    else {
      const earlier = firstRowOf.get(creditCode);
      if (earlier !== undefined) errors.push(`统一社会信用代码与第 ${earlier} 行重复`);
      else firstRowOf.set(creditCode, row);
      const stored = existing.get(creditCode);
      if (stored !== undefined) errors.push(`企业名录中已有此统一社会信用代码（${stored}）`);
    }
    const text = (
      field: Exclude<EnterpriseField, "creditCode" | "creditGrade" | "riskLevel" | "contactPhone">,
    ) => {
      const value = (fields[field] ?? "").trim();
      const max = ENTERPRISE_LIMITS[field];
      if (value.length > max) errors.push(`${ENTERPRISE_LABELS[field]}超过 ${max} 字`);
      return value;
    };
    const name = text("name");
    if (name === "") errors.push("缺少名称");
    const creditGrade = parseCreditGrade(fields.creditGrade ?? "");
    if (!creditGrade) errors.push(`信用等级“${fields.creditGrade}”无效，应为 A、B、C、D 之一`);
    const riskLevel = parseRiskLevel(fields.riskLevel ?? "");
    if (!riskLevel) errors.push(`风险等级“${fields.riskLevel}”无效，应为 低、中、高（low/medium/high）之一`);
    if (
      !options.gradingAllowed &&
      ((creditGrade && creditGrade !== "B") || (riskLevel && riskLevel !== "medium"))
    )
      errors.push(
        "信用等级和风险等级影响所有部门的抽查比例，只能由系统管理员设定；请删去这两列或交管理员导入",
      );
    const contactPhone = normalizePhone(fields.contactPhone ?? "") || null;
    if (contactPhone) {
      const phoneError = phoneProblem(contactPhone);
      if (phoneError) errors.push(phoneError);
      else if (!options.phoneAllowed)
        errors.push("手机号用于企业登录，只能由管理员导入；请删去该列或交管理员导入");
    }
    const values = {
      creditCode,
      contactPhone,
      name,
      address: text("address"),
      district: text("district"),
      industry: text("industry"),
      legalRepresentative: text("legalRepresentative"),
      contact: text("contact"),
    };
    if (errors.length || !creditGrade || !riskLevel) refused.push({ row, creditCode, errors });
    else accepted.push({ row, values: { ...values, creditGrade, riskLevel } });
  }
  return { total: rows.length, accepted, refused };
}
