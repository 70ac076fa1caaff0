/**
 * The public inspection view as ready JSON text, per inspection. The page is read far more often than
 * anything on it changes, and building it costs several queries and a serialization.
 *
 * Correct on every target without an invalidation call anywhere: an entry is used only while
 *   - the database's public revision (table `public_revision`, bumped by triggers on every table the
 *     view reads, migrations/0018_public_revision.sql) is the one the entry was read under; each
 *     request reads it in the same read batch as the inspection row, so a Worker isolate that never
 *     saw the write still sees the new stamp; and
 *   - the clock has not passed the entry's expiry: the next local midnight (today's date, credential
 *     validity, the year of the count) or the evaluation window's next opening or closing.
 * The code itself (signature, expiry, nonce, status) is checked per request against the row the
 * entry was built from, which is current under the same stamp.
 */
import type { InspectionRow } from "../inspections/access.ts";
import { Lru } from "../lib/lru.ts";
import { localDate, parseBound } from "../lib/time.ts";
import { evaluationWindow } from "./window.ts";

export interface CachedView<V> {
  stamp: number;
  expiresAt: number;
  row: InspectionRow;
  view: V;
  /** The view as JSON, without the per-request `viewer`. */
  text: string;
  /** The same without the evaluation questionnaire: what the `/i/:code` HTML embeds (built when first asked). */
  pageText?: string;
  /** Codes whose signature was verified against `row` (same secret and nonce: the same answer). */
  verifiedCodes: Set<string>;
  /** The JSON with each viewer, encoded once. */
  bytes: Map<string, Uint8Array>;
}

const DAY_MS = 86_400_000;

/** The first instant after `now` at which a clock-dependent part of the view may read differently. */
export function viewExpiry(row: InspectionRow, now: number, timeZone: string, windowDays: number): number {
  const today = localDate(now, timeZone);
  const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  let expires = parseBound(tomorrow, timeZone) ?? now;
  const w = evaluationWindow(row, windowDays);
  for (const t of w ? [w.opensAt, w.closesAt] : []) if (t > now && t < expires) expires = t;
  return expires;
}

export class PublicViewCache<V = unknown> {
  private readonly entries: Lru<string, CachedView<V>>;

  constructor(maxEntries = 500) {
    this.entries = new Lru(maxEntries);
  }

  /** The entry for the inspection if it was built under `stamp` and has not expired at `now`. */
  get(inspectionId: string, stamp: number | null, now: number): CachedView<V> | undefined {
    if (stamp === null) return undefined;
    const hit = this.entries.get(inspectionId);
    return hit && hit.stamp === stamp && now < hit.expiresAt ? hit : undefined;
  }

  set(inspectionId: string, entry: CachedView<V>): void {
    this.entries.set(inspectionId, entry);
  }
}

/** The JSON text with the request's viewer as its last member (the cached text ends with "}"). */
export function withViewer(text: string, viewer: string): string {
  return `${text.slice(0, -1)},"viewer":${JSON.stringify(viewer)}}`;
}
