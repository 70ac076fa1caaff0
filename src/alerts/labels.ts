// The alert's Chinese labels, free of server imports so that the pages import them too.
import type { AlertKind } from "../db/schema.ts";

export const ALERT_STATUS_LABELS = { open: "待处理", assigned: "处理中", closed: "已办结" } as const;
export const ALERT_KIND_LABELS: Record<AlertKind, string> = {
  negative_evaluation: "负面评价",
  complaint: "企业投诉",
  unregistered_visit: "检查未登记",
};
/** The steps of an alert's history (alert_events.kind). */
export const ALERT_EVENT_LABELS = {
  created: "生成告警",
  assigned: "指派",
  note: "跟进",
  closed: "办结",
} as const;
