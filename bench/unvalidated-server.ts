/**
 * The product's submission endpoint with validation off, for `npm run bench`: the product's own
 * server (src/node/start.ts: the same middleware, rate limiter, envelope parsing, version cache
 * and group commit) whose validator caches, on the event loop and, with VALIDATION_THREAD=1, on the
 * check thread (bench/unvalidated-check-thread.ts, bundled as this server's thread: see
 * UNVALIDATED_BUILD), accept every response without looking at it. The body hash and the stored
 * JSON are still computed. Run bundled beside the real server, the ratio of the two is what validating costs. It
 * exists only here: the product has no switch that turns validation off.
 */
import { startNodeServer } from "../src/node/start.ts";
import { AcceptEverything } from "./accept-everything.ts";

startNodeServer(process.env, { validators: new AcceptEverything(1) }).catch((err) => {
  console.error(err);
  process.exit(1);
});
