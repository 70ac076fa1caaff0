/**
 * When the enterprise may evaluate an inspection (R14): a pure rule over the inspection's times.
 *
 * The evaluation opens when the officers arrive (as an officer or the enterprise recorded it) or at the
 * planned start, whichever comes first, and stays open until `windowDays` after the registration of the
 * checklist — or, while nothing is registered, after the planned end. No act of the inspecting
 * department shuts it: not registering keeps it open, closing (办结) changes nothing. Filings that never
 * became a visit (refused, withdrawn, not yet filed) take no evaluation.
 */
import type { InspectionStatus } from "../db/schema.ts";

const DAY_MS = 86_400_000;

const NO_VISIT: readonly InspectionStatus[] = ["draft", "refused", "cancelled"];

export interface WindowFacts {
  status: InspectionStatus;
  plannedStart: number;
  plannedEnd: number;
  arrivedAt: number | null;
  enterpriseArrivalAt: number | null;
  registeredAt: number | null;
}

export type EvaluationState =
  | { open: true; closesAt: number }
  | {
      open: false;
      reason: "no_visit" | "not_yet_open" | "window_passed";
      opensAt?: number;
      closesAt?: number;
    };

/** The instants the evaluation opens and closes at, or null for a filing that never became a visit. */
export function evaluationWindow(
  f: WindowFacts,
  windowDays: number,
): { opensAt: number; closesAt: number } | null {
  if (NO_VISIT.includes(f.status)) return null;
  const opensAt = Math.min(f.plannedStart, f.arrivedAt ?? Infinity, f.enterpriseArrivalAt ?? Infinity);
  const closesAt = Math.max(f.plannedEnd, f.registeredAt ?? -Infinity) + windowDays * DAY_MS;
  return { opensAt, closesAt };
}

/** Whether the evaluation is open at `now`, and if not, why. */
export function evaluationState(f: WindowFacts, now: number, windowDays: number): EvaluationState {
  const w = evaluationWindow(f, windowDays);
  if (!w) return { open: false, reason: "no_visit" };
  if (now < w.opensAt) return { open: false, reason: "not_yet_open", ...w };
  if (now >= w.closesAt) return { open: false, reason: "window_passed", ...w };
  return { open: true, closesAt: w.closesAt };
}
