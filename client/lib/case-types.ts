import type { z } from "@hono/zod-openapi";
import { STEP_NAMES } from "../../src/cases/rules";
import type { CaseDetailSchema, CaseItemSchema, CaseOptionsSchema } from "../../src/cases/schemas";

/** The supervision case (督办) as the API returns it: the server's zod schemas (type-only imports). */
export type CaseItem = z.infer<typeof CaseItemSchema>;
export type CaseDetail = z.infer<typeof CaseDetailSchema>;
export type CaseOptions = z.infer<typeof CaseOptionsSchema>;

/** A case's history: its opening, then the steps as the server names them (cases/rules.ts). */
export const EVENT_LABELS: Record<string, string> = { opened: "立案", ...STEP_NAMES };

const FIELD_LABELS: Record<string, string> = {
  note: "说明",
  requirement: "整改要求",
  date: "日期",
  attendees: "参加人员",
  minutes: "记录",
  text: "通报内容",
  publishable: "可公开",
  organ: "接收机关",
  record: "移送记录",
  subject: "追责主体",
  situation: "追责情形",
  method: "追责方式",
};

/** The conclusion's fields as label/value lines (officer ids left out: the officers are listed apart). */
export function conclusionLines(detail: Record<string, unknown> | null): [string, string][] {
  if (!detail) return [];
  return Object.entries(detail)
    .filter(([k]) => k in FIELD_LABELS)
    .map(([k, v]) => [FIELD_LABELS[k]!, typeof v === "boolean" ? (v ? "是" : "否") : String(v)]);
}
