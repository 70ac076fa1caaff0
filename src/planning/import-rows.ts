/**
 * Checks the rows of a planned-task import file (CSV/XLSX). Pure: the caller reads the file, looks up
 * enterprises, departments and items by code, and stores the tasks only when no row was refused (all or
 * nothing per file).
 */
import type { PlannedKind } from "../db/schema.ts";
import { mapHeader, type TableRow } from "../directory/table-file.ts";

export type TaskField = "creditCode" | "department" | "kind" | "start" | "end" | "items" | "notes";

export const TASK_LABELS: Record<TaskField, string> = {
  creditCode: "统一社会信用代码",
  department: "部门代码",
  kind: "检查类型",
  start: "计划开始日期",
  end: "计划结束日期",
  items: "检查事项编码",
  notes: "备注",
};

const ALIASES: Record<TaskField, string[]> = {
  creditCode: ["统一社会信用代码", "社会信用代码", "信用代码", "creditCode", "uscc"],
  department: ["部门代码", "部门", "departmentCode", "department"],
  kind: ["检查类型", "类型", "kind", "type"],
  start: ["计划开始日期", "开始日期", "开始", "from", "start"],
  end: ["计划结束日期", "结束日期", "结束", "to", "end"],
  items: ["检查事项编码", "事项编码", "检查事项", "items", "itemCodes"],
  notes: ["备注", "说明", "notes"],
};

const KINDS: Record<string, PlannedKind> = {
  日常: "routine",
  日常检查: "routine",
  routine: "routine",
  双随机: "random",
  双随机抽查: "random",
  双随机一公开: "random",
  random: "random",
  专项: "campaign",
  专项检查: "campaign",
  campaign: "campaign",
};

/** The longest planned window, as for a task entered by hand. */
const MAX_TASK_DAYS = 92;
const DAY_MS = 86_400_000;

export interface ImportLookups {
  /** Enterprise id by credit code (upper case). */
  enterprises: Map<string, string>;
  /** Department by code (upper case). */
  departments: Map<string, { id: string; listed: boolean }>;
  /** Active catalog item by code (upper case). */
  items: Map<string, { id: string; departmentId: string }>;
  /** The importer's own department; null for administrators, who must name one per row. */
  ownDepartmentId: string | null;
  /** Epoch ms of 00:00 of a YYYY-MM-DD day in the configured time zone. */
  dayStart: (day: string) => number;
}

export interface ImportedTask {
  row: number;
  enterpriseId: string;
  departmentId: string;
  kind: PlannedKind;
  plannedStart: number;
  plannedEnd: number;
  itemIds: string[];
  notes: string;
}

export interface RefusedTaskRow {
  row: number;
  creditCode: string;
  errors: string[];
}

type Fields = Partial<Record<TaskField, string>>;

/** The first row is the header; the others become field maps keyed by the header's columns. */
export function readTaskRows(table: TableRow[]): {
  rows: { row: number; fields: Fields }[];
  ignored: string[];
} {
  const [header, ...data] = table;
  if (!header) return { rows: [], ignored: [] };
  const { columns, ignored } = mapHeader(
    header.cells,
    ALIASES,
    ["creditCode", "kind", "start", "end", "items"],
    TASK_LABELS,
  );
  const rows = data.map((r) => {
    const fields: Fields = {};
    for (const [field, col] of Object.entries(columns) as [TaskField, number][]) {
      fields[field] = (r.cells[col] ?? "").trim();
    }
    return { row: r.line, fields };
  });
  return { rows, ignored };
}

const DAY = /^\d{4}-\d{1,2}-\d{1,2}$/;

/** "2027-3-1" or "2027/03/01" as "2027-03-01"; null when it is not a real date. */
export function normalizeDay(text: string): string | null {
  const s = text
    .trim()
    .replace(/[/.年月]/g, "-")
    .replace(/日$/, "");
  if (!DAY.test(s)) return null;
  const [y, m, d] = s.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** Checks one row; returns the task or the reasons it was refused. */
function checkRow(fields: Fields, at: ImportLookups): { task?: Omit<ImportedTask, "row">; errors: string[] } {
  const errors: string[] = [];
  const enterpriseId = at.enterprises.get((fields.creditCode ?? "").toUpperCase());
  if (!enterpriseId) errors.push("企业不在企业名录中");
  const departmentId = rowDepartment(fields.department ?? "", at, errors);
  const kind = KINDS[(fields.kind ?? "").trim()];
  if (!kind) errors.push("检查类型应为 日常 / 双随机 / 专项");
  const startDay = normalizeDay(fields.start ?? "");
  const endDay = normalizeDay(fields.end ?? "");
  if (!startDay || !endDay) errors.push("日期格式应为 YYYY-MM-DD");
  const plannedStart = startDay ? at.dayStart(startDay) : 0;
  // The end day is inclusive: the window closes at 23:59 that day.
  const plannedEnd = endDay ? at.dayStart(endDay) + DAY_MS - 60_000 : 0;
  if (startDay && endDay && !(plannedEnd > plannedStart)) errors.push("计划结束日期不能早于开始日期");
  if (plannedEnd - plannedStart > MAX_TASK_DAYS * DAY_MS)
    errors.push(`计划时间段不能超过 ${MAX_TASK_DAYS} 天`);
  const itemIds = rowItems(fields.items ?? "", departmentId, at, errors);
  if (errors.length || !enterpriseId || !departmentId || !kind) return { errors };
  return {
    task: { enterpriseId, departmentId, kind, plannedStart, plannedEnd, itemIds, notes: fields.notes ?? "" },
    errors,
  };
}

function rowDepartment(code: string, at: ImportLookups, errors: string[]): string | undefined {
  if (!code) {
    if (at.ownDepartmentId) return at.ownDepartmentId;
    errors.push("请填写部门代码");
    return undefined;
  }
  const dept = at.departments.get(code.toUpperCase());
  if (!dept) {
    errors.push(`部门代码 ${code} 不存在`);
    return undefined;
  }
  if (at.ownDepartmentId && dept.id !== at.ownDepartmentId) {
    errors.push("部门管理员只能导入本部门的计划任务");
    return undefined;
  }
  if (!dept.listed) errors.push("该部门不在行政检查主体清单内");
  return dept.id;
}

function rowItems(text: string, departmentId: string | undefined, at: ImportLookups, errors: string[]) {
  const codes = [...new Set(text.split(/[;；,，、\s]+/).filter(Boolean))];
  if (codes.length === 0) errors.push("至少填写一项检查事项编码");
  const ids: string[] = [];
  for (const code of codes) {
    const item = at.items.get(code.toUpperCase());
    if (!item) errors.push(`检查事项 ${code} 不在现行清单中`);
    else if (departmentId && item.departmentId !== departmentId) errors.push(`检查事项 ${code} 不属于该部门`);
    else ids.push(item.id);
  }
  return ids.sort();
}

/** Every row checked: the tasks to store and the rows refused, with the reasons of each. */
export function planTaskImport(rows: { row: number; fields: Fields }[], at: ImportLookups) {
  const accepted: ImportedTask[] = [];
  const refused: RefusedTaskRow[] = [];
  for (const r of rows) {
    const { task, errors } = checkRow(r.fields, at);
    if (task) accepted.push({ row: r.row, ...task });
    else refused.push({ row: r.row, creditCode: r.fields.creditCode ?? "", errors });
  }
  return { accepted, refused };
}
