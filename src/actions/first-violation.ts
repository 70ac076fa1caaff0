/**
 * 首违不罚 (first violation, no penalty): a failed point the checklist form marks eligible is a first
 * violation when the same enterprise had no failure of the same catalog item and point in the previous
 * `years` years. Pure: it takes the history that was read and returns, with the result, what it looked at.
 */
import { localDate } from "../lib/time.ts";

export interface EarlierInspection {
  inspectionId: string;
  /** When its checklist was registered (epoch ms). */
  registeredAt: number;
  /** Point keys of this item that failed there. */
  failedPointKeys: string[];
}

export interface FirstViolationInput {
  eligible: boolean;
  itemCode: string;
  pointKey: string;
  now: number;
  years: number;
  timeZone: string;
  /** The enterprise's earlier registered inspections of this item (any period; the rule bounds it). */
  earlier: EarlierInspection[];
}

export interface FirstViolationResult {
  /** null: the point is not eligible. */
  kind: "first" | "repeat" | null;
  /** YYYY-MM-DD: the first day looked at, in the configured zone. */
  since: string;
  years: number;
  /** The earlier inspections inside the period, each with whether this point failed there. */
  lookedAt: { inspectionId: string; date: string; failed: boolean }[];
}

/** The first day of the look-back: the same calendar date `years` years earlier (29 Feb → 1 Mar). */
export function lookBackStart(now: number, years: number, timeZone: string): string {
  const [y, m, d] = localDate(now, timeZone).split("-").map(Number) as [number, number, number];
  const start = new Date(Date.UTC(y - years, m - 1, d));
  return start.toISOString().slice(0, 10);
}

export function firstViolation(input: FirstViolationInput): FirstViolationResult {
  const since = lookBackStart(input.now, input.years, input.timeZone);
  const lookedAt = input.earlier
    .map((e) => ({
      inspectionId: e.inspectionId,
      date: localDate(e.registeredAt, input.timeZone),
      failed: e.failedPointKeys.includes(input.pointKey),
    }))
    .filter((e) => e.date >= since)
    .sort((a, b) => a.date.localeCompare(b.date) || a.inspectionId.localeCompare(b.inspectionId));
  const kind = !input.eligible ? null : lookedAt.some((e) => e.failed) ? "repeat" : "first";
  return { kind, since, years: input.years, lookedAt };
}

/** What the enterprise's record and the public page say about a 首违 point. */
export function firstViolationLabel(
  kind: "first" | "repeat" | null,
  status: string,
  correctedOnTime: boolean | null,
): string | null {
  if (kind === "repeat") return "再次违反";
  if (kind !== "first") return null;
  if (status === "accepted" && correctedOnTime) return "首违不罚：已按期整改";
  return "首违";
}
