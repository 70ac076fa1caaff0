// The inspection's Chinese labels, free of server imports so that the pages import them too.
import type { InspectionStatus, InspectionType } from "../db/schema.ts";

export const STATUS_LABELS: Record<InspectionStatus, string> = {
  draft: "草稿",
  filed: "已备案待审批",
  approved: "已批准",
  refused: "不予通过",
  in_progress: "检查中",
  registered: "已登记",
  evaluated: "已评价",
  closed: "已办结",
  cancelled: "已撤回",
};

export const TYPE_LABELS: Record<InspectionType, string> = {
  routine: "日常检查",
  random: "双随机抽查",
  campaign: "专项检查",
  case: "个案检查",
  reinspection: "复查",
};
