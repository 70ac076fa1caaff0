/**
 * Opt-in (INGEST_WRITER_THREAD=1): runs the group committer's transactions on a worker thread that
 * holds its own connection to the same embedded file. libSQL's Node driver is synchronous, so on the
 * main thread every commit (statements plus the fsync of synchronous=FULL) stops the event loop; on
 * the writer thread it runs beside the parsing and validating of the next requests. The second
 * connection gets the same pragmas (openDatabase) and settles rare write contention with the main
 * connection through busy_timeout. Measured SLOWER than the default on the 2-core machine (the
 * thread hop costs more than the fsync it moves): see docs/PERFORMANCE.md before turning it on.
 */
import type { InStatement } from "@libsql/client";
import { Worker } from "node:worker_threads";
import type { SynchronousLevel } from "../db/client.ts";
import type { BatchClient, BatchResult } from "./group-commit.ts";

/** What the thread needs to open its connection. */
export interface WriterThreadOptions {
  url: string;
  synchronous: SynchronousLevel;
}

/** A message to the thread: one batch to run in one transaction. */
export interface BatchRequest {
  seq: number;
  stmts: InStatement[];
}

/** The thread's answer: the rows of every statement, or the error that rolled the batch back. */
export type BatchReply = { seq: number; rows: unknown[][][] } | { seq: number; error: string };

/** A `BatchClient` whose batches run on the writer thread. */
export class WriterThread implements BatchClient {
  private seq = 0;
  private readonly pending = new Map<
    number,
    { resolve: (r: BatchResult[]) => void; reject: (e: Error) => void }
  >();

  private constructor(private readonly worker: Worker) {
    worker.on("message", (reply: BatchReply) => this.settle(reply));
    worker.on("error", (err) => this.failAll(err));
    worker.on("exit", (code) => this.failAll(new Error(`writer thread exited with code ${code}`)));
  }

  /** Starts the thread and waits until its connection is open with the pragmas in force. */
  static async start(opts: WriterThreadOptions): Promise<WriterThread> {
    const worker = new Worker(new URL("./writer-thread-entry.mjs", import.meta.url), { workerData: opts });
    await new Promise<void>((resolve, reject) => {
      worker.once("message", (m: { ready?: true; error?: string }) =>
        m.ready ? resolve() : reject(new Error(`writer thread: ${m.error}`)),
      );
      worker.once("error", reject);
    });
    return new WriterThread(worker);
  }

  batch(stmts: InStatement[]): Promise<BatchResult[]> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.worker.postMessage({ seq, stmts } satisfies BatchRequest);
    });
  }

  /** Stops the thread (after the group committer has drained). */
  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private settle(reply: BatchReply) {
    const p = this.pending.get(reply.seq);
    if (!p) return;
    this.pending.delete(reply.seq);
    if ("error" in reply) p.reject(new Error(reply.error));
    else p.resolve(reply.rows.map((rows) => ({ rows })));
  }

  private failAll(err: Error) {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
