/** The check thread's body (see check-thread.ts): answers each message's checks in order. */
import type { MessagePort } from "node:worker_threads";
import type { ValidatorCache } from "../forms/validator-cache.ts";
import { checkResponse } from "./checks.ts";
import type { FromThread, ToThread, WireCheck, WireChecked } from "./check-thread.ts";

function answer(validators: ValidatorCache, item: WireCheck): WireChecked {
  const { seq, key, schema, formId, version, text } = item;
  if (schema === undefined && !validators.has(key)) return { seq, missing: true };
  try {
    // The same text the event loop parsed and checked the envelope of: `data` is an object.
    const { data } = JSON.parse(text) as { data: Record<string, unknown> };
    return { seq, ...checkResponse(validators, { key, schema: schema ?? "", formId, version, data }) };
  } catch (err) {
    return { seq, error: String((err as Error)?.stack ?? err) };
  }
}

/** Serves checks arriving on `port` with `validators` (the bench passes an accept-all cache). */
export function serveChecks(port: MessagePort, validators: ValidatorCache): void {
  port.on("message", (msg: ToThread) => {
    const reply: FromThread =
      msg.type === "stats"
        ? { type: "stats", seq: msg.seq, stats: validators.stats() }
        : { type: "checked", items: msg.items.map((item) => answer(validators, item)) };
    port.postMessage(reply);
  });
  port.postMessage({ type: "ready" } satisfies FromThread);
}
