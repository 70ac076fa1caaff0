/** The writer thread's body (see writer-thread.ts): one connection, one batch at a time. */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "../db/client.ts";
import type { BatchReply, BatchRequest, WriterThreadOptions } from "./writer-thread.ts";

async function main() {
  const opts = workerData as WriterThreadOptions;
  const port = parentPort!;
  let database;
  try {
    database = await openDatabase({ url: opts.url, synchronous: opts.synchronous });
  } catch (err) {
    port.postMessage({ error: (err as Error).message });
    return;
  }
  const { client } = database;
  port.on("message", async ({ seq, stmts }: BatchRequest) => {
    let reply: BatchReply;
    try {
      const results = await client.batch(stmts, "write");
      reply = { seq, rows: results.map((r) => r.rows.map((row) => Array.from(row))) };
    } catch (err) {
      reply = { seq, error: (err as Error).message };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true });
}

void main();
