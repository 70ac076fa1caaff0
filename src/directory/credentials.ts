/** Enforcement credential (执法证) validity: pure functions over YYYY-MM-DD dates. */
import type { officers } from "../db/schema.ts";
import { daysBetween } from "../lib/time.ts";

export type CredentialState = "valid" | "expired" | "not_yet_valid" | "none" | "inactive";

type OfficerCredential = Pick<
  typeof officers.$inferSelect,
  "isHelper" | "status" | "credentialNo" | "credentialIssuedOn" | "credentialExpiresOn"
>;

/** A credential valid now but expiring within this many days is flagged on the officers page. */
export const EXPIRING_SOON_DAYS = 30;

/**
 * Where an officer's credential stands on `day`. Helpers (辅助人员) have none and never count; an
 * officer who is suspended or retired is inactive whatever the dates say. Both dates are inclusive.
 */
export function credentialState(o: OfficerCredential, day: string): CredentialState {
  if (o.isHelper || !o.credentialNo || !o.credentialIssuedOn || !o.credentialExpiresOn) return "none";
  if (o.status !== "active") return "inactive";
  if (day < o.credentialIssuedOn) return "not_yet_valid";
  if (day > o.credentialExpiresOn) return "expired";
  return "valid";
}

/** True when the credential counts on every day from `from` to `to` inclusive. */
export function credentialValidThrough(o: OfficerCredential, from: string, to: string = from): boolean {
  return credentialState(o, from) === "valid" && credentialState(o, to) === "valid";
}

/** The credential summary the officers API returns, evaluated on `day`. */
export function credentialSummary(o: OfficerCredential, day: string) {
  const state = credentialState(o, day);
  const expiresInDays = o.credentialExpiresOn && !o.isHelper ? daysBetween(day, o.credentialExpiresOn) : null;
  return {
    checkedOn: day,
    state,
    valid: state === "valid",
    expiresInDays,
    expiringSoon: state === "valid" && expiresInDays !== null && expiresInDays <= EXPIRING_SOON_DAYS,
  };
}
