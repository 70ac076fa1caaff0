import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { inspections, type InspectionStatus } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import type { InspectionRow } from "../inspections/access.ts";
import { parseInspectionCode, verifyInspectionCode } from "../inspections/code.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import type { LimitKey } from "../lib/rate-limit.ts";

/** Statuses in which the public page exists: the filing was approved, so the visit is real. */
export const PUBLIC_STATUSES: readonly InspectionStatus[] = [
  "approved",
  "in_progress",
  "registered",
  "evaluated",
  "closed",
];

const invalidCode = () => new ApiError(401, "invalid_code", "检查码无效，请核对后重新扫码");

/** Stands in for a missing inspection's nonce, so an unknown id costs the same check as a known one. */
const NO_NONCE = "no-such-inspection";

/**
 * The inspection a code opens. Malformed, tampered or naming no inspection → 401 `invalid_code`
 * alike, so a forged code tells nothing about which inspection ids exist; expired → 401
 * `expired_code`; a genuine code of an inspection not (yet) approved → 404. The code itself is never
 * logged or echoed; only the inspection id inside it is used as a key.
 */
export async function inspectionByCode(c: Context<AppEnv>, code: string): Promise<InspectionRow> {
  const parsed = parseInspectionCode(code);
  if (!parsed) throw invalidCode();
  const [row] = await c.var.db
    .select()
    .from(inspections)
    .where(eq(inspections.id, parsed.inspectionId))
    .limit(1);
  return checkedRow(c, code, row);
}

/** The inspection id a code names, before any check (null when malformed). */
export function codeInspectionId(code: string): string | null {
  return parseInspectionCode(code)?.inspectionId ?? null;
}

/**
 * The row a code opens, or the refusal, given the row read by the id inside the code (or a cached copy
 * of it that is current, see src/evaluations/public-view-cache.ts).
 */
export function checkedRow(
  c: Context<AppEnv>,
  code: string,
  row: InspectionRow | undefined,
  /** This code's signature already verified against this very row: only its expiry is left to check. */
  signatureVerified = false,
): InspectionRow {
  const parsed = parseInspectionCode(code);
  if (!parsed) throw invalidCode();
  const now = c.var.deps.now?.() ?? Date.now();
  const check: { ok: true } | { ok: false; reason: string } = signatureVerified
    ? parsed.exp * 1000 < now
      ? { ok: false, reason: "expired" }
      : { ok: true }
    : verifyInspectionCode(c.var.deps.config.secret, code, row?.codeNonce ?? NO_NONCE, now);
  if (!row) throw invalidCode();
  if (!check.ok) {
    if (check.reason === "expired") throw new ApiError(401, "expired_code", "检查码已过期");
    throw invalidCode();
  }
  if (!PUBLIC_STATUSES.includes(row.status)) throw notFound("检查");
  return row;
}

/** Anonymous requests per client across all codes, checked before the code is even parsed. */
export async function limitClient(c: Context<AppEnv>, action: "view" | "evaluate"): Promise<void> {
  const limit = c.var.deps.config.submitRatePerMinute * (action === "view" ? 4 : 1);
  await hit(c, `inspection-${action}:ip:${c.var.clientIp}`, limit);
}

/**
 * Submissions per inspection, counted only once the code verified, so nobody can use up a genuine
 * inspection's allowance with forged codes.
 */
export async function limitInspection(c: Context<AppEnv>, inspectionId: string): Promise<void> {
  await hit(c, `inspection-evaluate:code:${inspectionId}`, c.var.deps.config.submitRatePerMinute);
}

async function hit(c: Context<AppEnv>, key: LimitKey, limit: number) {
  const result = await c.var.deps.rateLimiter.hit(key, limit, 60_000);
  if (!result.allowed) {
    c.header("Retry-After", String(Math.ceil(result.retryAfterMs / 1000)));
    throw new ApiError(429, "rate_limited", "操作过于频繁，请稍后再试");
  }
}
