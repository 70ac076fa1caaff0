import { randomBytes, createHash } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** An opaque random id (Crockford-ish base32, 16 chars = 80 bits), never sequential. */
export function newId(length = 16): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * JSON with object keys sorted, so two equal bodies hash equally whatever their key order. It hashes
 * every submission, so it appends to one string instead of building arrays per level (the text is
 * the same as that of a `map`/`join` formulation, hence stored hashes stay valid).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + canonicalJson(value[i]);
    return out + "]";
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    out += (i === 0 ? "" : ",") + JSON.stringify(key) + ":" + canonicalJson(record[key]);
  }
  return out + "}";
}
