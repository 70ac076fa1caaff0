/** The check thread of bench/unvalidated-server.ts: the product's thread body over an accept-all cache. */
import { parentPort } from "node:worker_threads";
import { serveChecks } from "../src/responses/check-thread-worker.ts";
import { AcceptEverything } from "./accept-everything.ts";

serveChecks(parentPort!, new AcceptEverything(1));
