// The complaint's Chinese labels, free of server imports so that the pages import them too.
export const COMPLAINT_KIND_LABELS = {
  unfiled_visit: "未备案入企",
  conduct: "执法人员行为",
  repeat: "重复检查",
  other: "其他",
} as const;
export const COMPLAINT_STATUS_LABELS = { received: "已受理", handling: "处理中", closed: "已办结" } as const;
