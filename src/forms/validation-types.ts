/**
 * What the reference validator (reference-validator.ts), the compiled validator (compiled/) and the
 * pre-check share: the shape of a validation outcome and the few JSON helpers all of them need.
 */

/** One reason a response is invalid. `name` is a field path: a question name, `pd[0].q`, `matrix.row.col`; `""` means the whole response. */
export interface FieldError {
  name: string;
  message: string;
}

/** Outcome of validating one response. */
export type ValidationResult = { ok: true } | { ok: false; errors: FieldError[] };

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function joinKey(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

/** The errors without repeats (same field and message), first occurrence kept. */
export function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.name}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
