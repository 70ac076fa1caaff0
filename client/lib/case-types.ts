/** The supervision case (督办) as the API returns it (src/cases/schemas.ts). */
export interface CaseItem {
  id: string;
  number: string;
  title: string;
  department: { id: string; name: string };
  level: "general" | "major";
  levelLabel: string;
  situations: string[];
  status: "opened" | "sent" | "answered" | "returned" | "accepted" | "closed";
  statusLabel: string;
  answerDue: string;
  overdue: boolean;
  conclusion: string | null;
  conclusionLabel: string | null;
  openedAt: string;
  closedAt: string | null;
}

export interface CaseDetail extends CaseItem {
  facts: string;
  officers: { id: string; name: string; status: string }[];
  sources: { kind: string; kindLabel: string; ref?: string; summary?: string }[];
  conclusionDetail: Record<string, unknown> | null;
  answers: { at: string; report: string; attachments: { id: string; url: string; contentType: string }[] }[];
  events: { seq: number; at: string; kind: string; note: string; actor: string | null }[];
  sentAt: string | null;
  answeredAt: string | null;
  acceptedAt: string | null;
}

export interface CaseOptions {
  situations: string[];
  levels: { value: string; label: string }[];
  conclusions: { value: string; label: string }[];
  accountabilityMethods: string[];
  warningKinds: string[];
}

export const EVENT_LABELS: Record<string, string> = {
  opened: "立案",
  send: "交办",
  answer: "报送自查",
  return: "退回",
  accept: "认可",
  close: "办结",
};

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
