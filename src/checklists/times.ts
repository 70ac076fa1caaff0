/**
 * The visit's start and end as the officers enter them on the checklist, held against the filing (R7,
 * R15): a pure rule. A time in the future is refused (a small allowance covers clocks a few minutes
 * fast); an ordinary filing's times must lie in the planned window give or take `marginMs`; a 补办 was
 * filed after the visit, so its times must precede the filing.
 */
import { localDateTime, parseLocalDateTime } from "../lib/time.ts";
import { FIXED } from "./metadata.ts";

/** Phones' clocks run a little fast; a start "in the future" by less than this is not refused. */
const CLOCK_ALLOWANCE_MS = 5 * 60_000;

export interface VisitFacts {
  plannedStart: number;
  plannedEnd: number;
  filedAt: number;
  lateFiling: boolean;
}

export interface TimeProblem {
  name: string;
  message: string;
}

export function visitTimeProblems(
  data: Record<string, unknown>,
  visit: VisitFacts,
  now: number,
  marginMs: number,
  timeZone: string,
): TimeProblem[] {
  const problems: TimeProblem[] = [];
  const at = (v: number) => localDateTime(v, timeZone);
  for (const [name, label] of [
    [FIXED.start, "检查开始时间"],
    [FIXED.end, "检查结束时间"],
  ] as const) {
    const text = data[name];
    if (typeof text !== "string" || text === "") continue;
    const ms = parseLocalDateTime(text, timeZone);
    if (ms === null) continue; // the form's own pattern check names a malformed time
    if (ms > now + CLOCK_ALLOWANCE_MS) {
      problems.push({ name, message: `${label}不能晚于当前时间` });
    } else if (visit.lateFiling) {
      if (ms > visit.filedAt)
        problems.push({ name, message: `补办备案的${label}应早于备案时间（${at(visit.filedAt)}）` });
    } else if (ms < visit.plannedStart - marginMs || ms > visit.plannedEnd + marginMs) {
      problems.push({
        name,
        message: `${label}超出备案的检查时间（${at(visit.plannedStart)} 至 ${at(visit.plannedEnd)}）`,
      });
    }
  }
  return problems;
}
