import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The inspection code (检查码) is `<inspectionId>.<expiry, base36 seconds>.<signature>`, signed with
 * HMAC-SHA256 over the id, the expiry and the inspection's random nonce (kept in the database, so a
 * code can be reissued by changing the nonce). It is unguessable, bound to one inspection, and expires.
 */
export interface CodeClaims {
  inspectionId: string;
  expiresAt: number;
}

const SIG_BYTES = 18;

function signature(secret: string, inspectionId: string, expSeconds: number, nonce: string): Buffer {
  return createHmac("sha256", secret)
    .update(`lianma-inspection-code|${inspectionId}|${expSeconds}|${nonce}`)
    .digest()
    .subarray(0, SIG_BYTES);
}

export function signInspectionCode(
  secret: string,
  inspectionId: string,
  expiresAt: number,
  nonce: string,
): string {
  const exp = Math.floor(expiresAt / 1000);
  return `${inspectionId}.${exp.toString(36)}.${signature(secret, inspectionId, exp, nonce).toString("base64url")}`;
}

/** Splits a code without trusting it: the caller loads the nonce for `inspectionId`, then verifies. */
export function parseInspectionCode(code: string): { inspectionId: string; exp: number; sig: string } | null {
  if (code.length > 200) return null;
  const parts = code.split(".");
  if (parts.length !== 3) return null;
  const [inspectionId, exp36, sig] = parts as [string, string, string];
  if (
    !/^[0-9a-z]{8,64}$/.test(inspectionId) ||
    !/^[0-9a-z]{1,12}$/.test(exp36) ||
    !/^[\w-]{10,64}$/.test(sig)
  ) {
    return null;
  }
  return { inspectionId, exp: parseInt(exp36, 36), sig };
}

export type CodeCheck =
  { ok: true; claims: CodeClaims } | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

export function verifyInspectionCode(
  secret: string,
  code: string,
  nonce: string,
  now = Date.now(),
): CodeCheck {
  const parsed = parseInspectionCode(code);
  if (!parsed) return { ok: false, reason: "malformed" };
  const expected = signature(secret, parsed.inspectionId, parsed.exp, nonce);
  const given = Buffer.from(parsed.sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "bad_signature" };
  if (parsed.exp * 1000 < now) return { ok: false, reason: "expired" };
  return { ok: true, claims: { inspectionId: parsed.inspectionId, expiresAt: parsed.exp * 1000 } };
}
