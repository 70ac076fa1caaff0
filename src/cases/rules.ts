/**
 * The life cycle of a supervision case (督办, issue 16) as plain functions over plain data: which step
 * a case in a given state takes, what a conclusion must hold, and when an answer is overdue. The routes
 * only load, call these, and write.
 */
import type { CaseConclusion, CaseLevel, CaseStatus } from "../db/schema.ts";

export type CaseStep = "send" | "answer" | "return" | "accept" | "close";

export interface StepRefusal {
  status: 409 | 422;
  code: string;
  message: string;
}

/** The states each step starts from, and where it leads. */
const STEPS: Record<Exclude<CaseStep, "close">, { from: readonly CaseStatus[]; to: CaseStatus }> = {
  send: { from: ["opened"], to: "sent" },
  answer: { from: ["sent", "returned"], to: "answered" },
  return: { from: ["answered"], to: "returned" },
  accept: { from: ["answered"], to: "accepted" },
};

export const STATUS_LABELS: Record<CaseStatus, string> = {
  opened: "已立案",
  sent: "已交办",
  answered: "已报送自查",
  returned: "已退回",
  accepted: "自查已认可",
  closed: "已办结",
};

export const LEVEL_LABELS: Record<CaseLevel, string> = { general: "一般", major: "重大" };

export const CONCLUSION_LABELS: Record<CaseConclusion, string> = {
  no_issue: "无问题",
  rectify: "责令整改",
  interview: "约谈",
  notice: "通报",
  transfer: "移送纪检监察",
  accountability: "追责",
};

export const STEP_NAMES: Record<CaseStep, string> = {
  send: "交办",
  answer: "报送自查",
  return: "退回",
  accept: "认可",
  close: "办结",
};

/** The refusal of `step` for a case in `status` at `level`, or null when the step may run. */
export function refuseStep(step: CaseStep, status: CaseStatus, level: CaseLevel): StepRefusal | null {
  if (step === "close") {
    if (status === "accepted") return null;
    if (status === "closed" || status === "answered") return invalidState(step, status);
    // Not answered (or the answer sent back): a general case may still close, a major one may not.
    if (level === "major")
      return { status: 409, code: "answer_required", message: "重大案件须经部门报送自查并认可后才能办结" };
    return null;
  }
  return STEPS[step].from.includes(status) ? null : invalidState(step, status);
}

/** Where `step` leads. */
export const nextStatus = (step: CaseStep): CaseStatus => (step === "close" ? "closed" : STEPS[step].to);

function invalidState(step: CaseStep, status: CaseStatus): StepRefusal {
  return {
    status: 409,
    code: "invalid_state",
    message: `案件当前为“${STATUS_LABELS[status]}”，不能${STEP_NAMES[step]}`,
  };
}

/** 追责方式; the two that touch the enforcement credential change the officer's status with the close. */
export const ACCOUNTABILITY_METHODS = [
  "批评教育",
  "责令书面检查",
  "诫勉谈话",
  "暂扣执法证",
  "收回执法证",
  "调离执法岗位",
  "建议给予处分",
] as const;

/** The officer status an accountability method sets, if it touches the credential at all. */
export function credentialEffect(method: string): "suspended" | "revoked" | null {
  if (method === "暂扣执法证") return "suspended";
  if (method === "收回执法证") return "revoked";
  return null;
}

export interface ConclusionInput {
  conclusion: CaseConclusion;
  note?: string;
  requirement?: string;
  interview?: { date?: string; attendees?: string; minutes?: string };
  notice?: { text?: string; publishable?: boolean };
  transfer?: { organ?: string; record?: string };
  accountability?: { subject?: string; situation?: string; method?: string; officerIds?: string[] };
}

const filled = (v: string | undefined) => typeof v === "string" && v.trim().length > 0;

/**
 * The fields a conclusion must bring, checked against the case's officers; returns the Chinese
 * message of the first thing missing, or null. Each conclusion keeps only its own fields.
 */
export function checkConclusion(input: ConclusionInput, caseOfficerIds: readonly string[]): string | null {
  switch (input.conclusion) {
    case "no_issue":
      return null;
    case "rectify":
      return filled(input.requirement) ? null : "责令整改须写明整改要求";
    case "interview": {
      const i = input.interview;
      if (!i || !filled(i.date) || !filled(i.attendees) || !filled(i.minutes))
        return "约谈须填写约谈日期、参加人员和约谈记录";
      return /^\d{4}-\d{2}-\d{2}$/.test(i.date!) ? null : "约谈日期格式应为 YYYY-MM-DD";
    }
    case "notice":
      return filled(input.notice?.text) ? null : "通报须填写通报内容";
    case "transfer":
      return filled(input.transfer?.organ) && filled(input.transfer?.record)
        ? null
        : "移送纪检监察须填写接收机关和移送记录";
    case "accountability": {
      const a = input.accountability;
      if (!a || !filled(a.subject) || !filled(a.situation) || !filled(a.method))
        return "追责须写明追责主体、追责情形和追责方式";
      if (!(ACCOUNTABILITY_METHODS as readonly string[]).includes(a.method!))
        return `追责方式应为：${ACCOUNTABILITY_METHODS.join("、")}`;
      const ids = a.officerIds ?? [];
      if (credentialEffect(a.method!) && ids.length === 0) return `${a.method}须指明被追责的执法人员`;
      if (ids.some((id) => !caseOfficerIds.includes(id))) return "被追责人员须是本案涉及的执法人员";
      return null;
    }
  }
}

/** The conclusion's own fields, as stored (the others the client may have sent are dropped). */
export function conclusionDetail(input: ConclusionInput): Record<string, unknown> {
  const note = input.note?.trim() ? { note: input.note.trim() } : {};
  switch (input.conclusion) {
    case "no_issue":
      return note;
    case "rectify":
      return { ...note, requirement: input.requirement!.trim() };
    case "interview":
      return { ...note, ...input.interview };
    case "notice":
      return { ...note, text: input.notice!.text!.trim(), publishable: input.notice!.publishable === true };
    case "transfer":
      return { ...note, ...input.transfer };
    case "accountability":
      return { ...note, ...input.accountability, officerIds: input.accountability!.officerIds ?? [] };
  }
}

/**
 * Whether the department's answer is late on `today` (YYYY-MM-DD, configured zone): still owed past
 * the due day, or given (`answeredOn`) after it.
 */
export function answerOverdue(
  c: { status: CaseStatus; answerDue: string; answeredOn: string | null },
  today: string,
): boolean {
  if (c.answeredOn) return c.answeredOn > c.answerDue;
  const owed = c.status === "sent" || c.status === "returned";
  return owed && today > c.answerDue;
}

/** 济司督〔2026〕第12号 */
export const caseNumber = (year: number, seq: number) => `济司督〔${year}〕第${seq}号`;
