/** Chinese labels shared by the sampling pages (admin and public) — no imports, safe for the browser. */

export const STATUS_LABELS: Record<string, string> = {
  draft: "草稿",
  committed: "已承诺待抽取",
  drawn: "已抽取待公示",
  published: "已公示",
};

export const FILING_LABELS: Record<string, { text: string; tone: "ok" | "warn" | "bad" }> = {
  filed: { text: "已生成备案", tone: "ok" },
  duplicate_window: { text: "窗口期内已有检查，未重复备案", tone: "warn" },
  yearly_cap: { text: "已达年度检查上限", tone: "warn" },
  unstaffed: { text: "回避后执法人员不足", tone: "bad" },
  refused: { text: "不符合备案规则", tone: "bad" },
};

export const RISK_LABELS: Record<string, string> = { high: "高", medium: "中", low: "低" };

/** A basis-point ratio or a percent number, shown as a percent. */
export const percent = (p: number): string => `${Number(p.toFixed(2))}%`;
