/** A validator cache that accepts every response without looking at it: validation off, for the bench only. */
import type { ValidationResult } from "../src/forms/validation-types.ts";
import { ValidatorCache } from "../src/forms/validator-cache.ts";

const accepted: ValidationResult = { ok: true };

export class AcceptEverything extends ValidatorCache {
  override get(): (data: unknown) => ValidationResult {
    return () => accepted;
  }

  override has(): boolean {
    return true;
  }
}
