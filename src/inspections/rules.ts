import { credentialValidThrough } from "../directory/credentials.ts";
import type { catalogItems, departments, enterprises, InspectionType, officers } from "../db/schema.ts";
import { localDate } from "../lib/time.ts";

type Department = Pick<typeof departments.$inferSelect, "id" | "name" | "listed">;
type Officer = Pick<
  typeof officers.$inferSelect,
  | "id"
  | "name"
  | "departmentId"
  | "isHelper"
  | "credentialNo"
  | "credentialIssuedOn"
  | "credentialExpiresOn"
  | "status"
>;
type Item = Pick<
  typeof catalogItems.$inferSelect,
  "id" | "code" | "name" | "departmentId" | "status" | "legalBasis" | "yearlyCap"
>;
type Enterprise = Pick<typeof enterprises.$inferSelect, "id">;

/** A broken filing rule: the route answers 422 with this code and message. */
export interface RuleViolation {
  code: string;
  message: string;
  details?: unknown;
}

export interface FilingFacts {
  /** Participating departments as found in the database (the filer's first). */
  departments: Department[];
  requestedDepartmentIds: string[];
  officers: Officer[];
  requestedOfficerIds: string[];
  items: Item[];
  requestedItemIds: string[];
  enterprise: Enterprise | undefined;
  type: InspectionType;
  caseReason?: string;
  plannedStart: number;
  plannedEnd: number;
  lateReason?: string;
  /** 补办 (R15): how many days in the past the planned start may lie. */
  lateFilingMaxDays: number;
  now: number;
  timeZone: string;
  /**
   * Own credentialed officers each department must bring when more than one department takes part, or
   * when `joining` (R18). Default 2.
   */
  jointMinOfficers?: number;
  /** A department asking to join a filed inspection: the visit already has its two inspectors. */
  joining?: boolean;
  /** 复查: the inspection whose corrective actions are re-inspected (filed from the actions only). */
  reinspectionOf?: string;
}

const missing = (requested: string[], found: { id: string }[]) =>
  requested.filter((id) => !found.some((f) => f.id === id));

/**
 * Checks a filing against R1–R4 and R6 (R5, the duplicate window and yearly cap, is settled by the
 * database in the same statement that inserts). Returns the first broken rule, or null.
 */
export function checkFiling(f: FilingFacts): RuleViolation | null {
  if (!f.enterprise) return { code: "unknown_enterprise", message: "企业不在企业名录中" };
  if (!(f.plannedEnd > f.plannedStart))
    return { code: "invalid_window", message: "计划结束时间必须晚于开始时间" };
  if (f.plannedEnd - f.plannedStart > 31 * 86_400_000) {
    return { code: "invalid_window", message: "一次检查的计划时间不能超过 31 天" };
  }
  if (f.type === "reinspection" && !f.reinspectionOf) {
    return { code: "reinspection_from_actions", message: "复查须从整改事项发起（整改事项页面的“发起复查”）" };
  }
  if (f.type === "case" && !f.caseReason?.trim()) {
    return { code: "case_reason_required", message: "个案检查必须说明触发原因（投诉举报、转办交办等）" };
  }
  const departmentIssue = checkDepartments(f);
  if (departmentIssue) return departmentIssue;
  const officerIssue = checkOfficers(f);
  if (officerIssue) return officerIssue;
  const itemIssue = checkItems(f);
  if (itemIssue) return itemIssue;
  if (f.plannedStart < f.now && !f.lateReason?.trim()) {
    return { code: "late_reason_required", message: "计划时间已过的检查属于事后补办，必须说明紧急原因" };
  }
  if (f.plannedStart < f.now - f.lateFilingMaxDays * 86_400_000) {
    return {
      code: "late_filing_too_late",
      message: `事后补办只能在检查开始后 ${f.lateFilingMaxDays} 天内提出，本次已超过期限`,
    };
  }
  return null;
}

function checkDepartments(f: FilingFacts): RuleViolation | null {
  const unknown = missing(f.requestedDepartmentIds, f.departments);
  if (unknown.length) return { code: "unknown_department", message: "部门不存在", details: unknown };
  const unlisted = f.departments.filter((d) => !d.listed);
  if (unlisted.length) {
    return {
      code: "department_not_listed",
      message: `${unlisted.map((d) => d.name).join("、")}不在行政检查主体清单内，不能备案检查`,
      details: unlisted.map((d) => d.id),
    };
  }
  return null;
}

function checkOfficers(f: FilingFacts): RuleViolation | null {
  const unknown = missing(f.requestedOfficerIds, f.officers);
  if (unknown.length) return { code: "unknown_officer", message: "执法人员不存在", details: unknown };
  const departmentIds = new Set(f.requestedDepartmentIds);
  const outside = f.officers.filter((o) => !departmentIds.has(o.departmentId));
  if (outside.length) {
    return {
      code: "officer_outside_department",
      message: `${outside.map((o) => o.name).join("、")}不属于参与检查的部门`,
      details: outside.map((o) => o.id),
    };
  }
  const startDay = localDate(f.plannedStart, f.timeZone);
  const endDay = localDate(f.plannedEnd, f.timeZone);
  // A credential counts when it is active and valid on every day of the planned visit.
  const invalid = f.officers.filter((o) => !o.isHelper && !credentialValidThrough(o, startDay, endDay));
  if (invalid.length) {
    return {
      code: "credential_invalid",
      message: `${invalid.map((o) => o.name).join("、")}的执法证在计划检查期间无效（未在有效期内或已暂停）`,
      details: invalid.map((o) => o.id),
    };
  }
  const inspectors = f.officers.filter((o) => !o.isHelper);
  const jointIssue = checkJointStaffing(f, inspectors);
  if (jointIssue) return jointIssue;
  if (inspectors.length < 2 && !f.joining) {
    return {
      code: "too_few_officers",
      message: `至少需要两名持有效执法证的执法人员，当前 ${inspectors.length} 名（辅助人员不计入）`,
    };
  }
  return null;
}

/** In a joint inspection each department brings its own credentialed officers; helpers never count. */
function checkJointStaffing(f: FilingFacts, inspectors: Officer[]): RuleViolation | null {
  if (f.requestedDepartmentIds.length < 2 && !f.joining) return null;
  const min = f.jointMinOfficers ?? 2;
  const short = f.departments.filter((d) => inspectors.filter((o) => o.departmentId === d.id).length < min);
  if (!short.length) return null;
  return {
    code: "too_few_department_officers",
    message: `联合检查中每个部门至少需要 ${min} 名本部门持有效执法证的执法人员（辅助人员不计入）：${short.map((d) => d.name).join("、")}人数不足`,
    details: short.map((d) => d.id),
  };
}

function checkItems(f: FilingFacts): RuleViolation | null {
  if (f.requestedItemIds.length === 0) {
    return {
      code: "items_required",
      message: "必须从涉企检查事项清单中选择至少一项检查事项（清单之外无检查）",
    };
  }
  const unknown = missing(f.requestedItemIds, f.items);
  const retired = f.items.filter((i) => i.status !== "active");
  if (unknown.length || retired.length) {
    return {
      code: "item_not_in_catalog",
      message: "检查事项不在现行涉企检查事项清单中（清单之外无检查）",
      details: [...unknown, ...retired.map((i) => i.id)],
    };
  }
  const departmentIds = new Set(f.requestedDepartmentIds);
  const foreign = f.items.filter((i) => !departmentIds.has(i.departmentId));
  if (foreign.length) {
    return {
      code: "item_outside_department",
      message: `${foreign.map((i) => i.code).join("、")}不属于参与检查的部门；其他部门的事项须以联合检查方式加入`,
      details: foreign.map((i) => i.id),
    };
  }
  return null;
}

/** The legal basis pre-filled from the items: each item's basis once, in item order. */
export function legalBasisFromItems(items: Pick<Item, "legalBasis">[]): string {
  return [...new Set(items.map((i) => i.legalBasis.trim()).filter(Boolean))].join("；");
}

/** The yearly cap for a department on this filing: the configured one, or a stricter item cap. */
export function effectiveYearlyCap(configured: number, items: { yearlyCap: number | null }[]): number {
  return Math.min(configured, ...items.map((i) => i.yearlyCap ?? Infinity));
}
