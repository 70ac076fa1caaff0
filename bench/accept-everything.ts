/** A validator cache that accepts every response without looking at it: validation off, for the bench only. */
import { ValidatorCache, type ValidationResult } from "../src/forms/validation.ts";

const accepted: ValidationResult = { ok: true };

export class AcceptEverything extends ValidatorCache {
  override get(): (data: unknown) => ValidationResult {
    return () => accepted;
  }

  override has(): boolean {
    return true;
  }
}
