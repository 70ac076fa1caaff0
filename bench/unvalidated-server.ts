/**
 * The product's submission endpoint with validation off, for `npm run bench`: the product's own
 * server (src/node/start.ts: the same middleware, rate limiter, envelope parsing, body hash, version
 * cache and group commit) whose validator cache accepts every response without looking at it. Run
 * bundled beside the real server, the ratio of the two is what validating costs. It exists only
 * here: the product has no switch that turns validation off.
 */
import { ValidatorCache, type ValidationResult } from "../src/forms/validation.ts";
import { startNodeServer } from "../src/node/start.ts";

const accepted: ValidationResult = { ok: true };

class AcceptEverything extends ValidatorCache {
  override get(): (data: unknown) => ValidationResult {
    return () => accepted;
  }
}

startNodeServer(process.env, { validators: new AcceptEverything(1) }).catch((err) => {
  console.error(err);
  process.exit(1);
});
