/** The product's check thread: the same validator cache as the event loop's, of its own. */
import { parentPort, workerData } from "node:worker_threads";
import { ValidatorCache } from "../forms/validator-cache.ts";
import { serveChecks } from "./check-thread-worker.ts";

serveChecks(parentPort!, new ValidatorCache((workerData as { cacheSize: number }).cacheSize));
