/** The audit log as a spreadsheet (CSV with a BOM for Excel, or XLSX), cells neutralised (SECURITY.md #14). */
import { neutraliseCell } from "../lib/cells.ts";
import { localDateTimeSeconds } from "../lib/time.ts";
import type { AuditLine } from "./read.ts";

const HEADER = [
  "序号",
  "时间",
  "操作人",
  "角色",
  "操作",
  "对象类型",
  "对象",
  "变更前",
  "变更后",
  "其他",
  "IP",
  "哈希",
];

const json = (v: unknown) =>
  v === null || v === undefined || (typeof v === "object" && Object.keys(v).length === 0)
    ? ""
    : JSON.stringify(v);

function cells(l: AuditLine, timeZone: string): (string | number)[] {
  return [
    l.id,
    localDateTimeSeconds(Date.parse(l.at), timeZone),
    l.actor.name,
    l.actor.roleLabel,
    l.actionLabel,
    l.target?.typeLabel ?? "",
    l.target?.id ?? "",
    json(l.before),
    json(l.after),
    json(l.detail),
    l.ip ?? "",
    l.chain.hash ?? "（待链接）",
  ];
}

const csvField = (v: string | number) => {
  if (typeof v === "number") return String(v);
  const text = neutraliseCell(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export function auditCsv(lines: AuditLine[], timeZone: string): string {
  const rows = [HEADER, ...lines.map((l) => cells(l, timeZone))];
  return "\uFEFF" + rows.map((r) => r.map(csvField).join(",") + "\r\n").join("");
}

export async function auditXlsx(lines: AuditLine[], timeZone: string): Promise<ArrayBuffer> {
  // Loaded on the first export, not at start (as the dashboard's export).
  const { default: Excel } = await import("exceljs");
  const book = new Excel.Workbook();
  const ws = book.addWorksheet("操作记录");
  ws.addRow(HEADER).font = { bold: true };
  for (const l of lines)
    ws.addRow(cells(l, timeZone).map((v) => (typeof v === "string" ? neutraliseCell(v) : v)));
  ws.views = [{ state: "frozen", ySplit: 1 }];
  return (await book.xlsx.writeBuffer()) as ArrayBuffer;
}
