/**
 * The Node server's check thread (opt-in, `VALIDATION_THREAD=1`): submissions are validated, hashed
 * and serialized (checks.ts) on a worker thread beside the event loop, which is left with the HTTP
 * work and the group commit. The requests of one event-loop turn travel as one message, and the
 * thread parses each body's JSON text itself, so the loop pays for passing a message instead of the
 * check. It did not reliably raise throughput on the reference machine and costs a second isolate with
 * survey-core in memory, hence off by default (docs/PERFORMANCE.md). Where forms fall back to
 * survey-core, whose checks are slow, it keeps those from stopping every other request.
 *
 * The thread keeps its own validator cache; a schema crosses over with the first check of its form
 * version (or again if the thread evicted it). If the thread dies, the checks in flight and those
 * that follow run on the event loop with `fallback`, and the thread is restarted a second later.
 * Without it every check runs on the event loop (src/node/start.ts).
 */
import { Worker } from "node:worker_threads";
import type { ValidatorCache, ValidatorCacheStats } from "../forms/validator-cache.ts";
import { logError } from "../lib/log.ts";
import {
  checkResponse,
  type CheckRequest,
  type CheckedResponse,
  type CheckerStats,
  type ResponseChecker,
} from "./checks.ts";

/** Set by scripts/build-server.mjs in the bundle: the address of the thread's own bundle. */
declare const __CHECK_THREAD_BUNDLE__: string | undefined;

/** A check as it crosses to the thread: the body's text instead of its parsed data. */
export interface WireCheck {
  seq: number;
  key: string;
  /** Present when the thread may not have this form version's schema yet. */
  schema?: string;
  formId: string;
  version: number;
  text: string;
}

export type WireChecked =
  ({ seq: number } & CheckedResponse) | { seq: number; missing: true } | { seq: number; error: string };

export type ToThread = { type: "check"; items: WireCheck[] } | { type: "stats"; seq: number };
export type FromThread =
  | { type: "ready" }
  | { type: "checked"; items: WireChecked[] }
  | { type: "stats"; seq: number; stats: ValidatorCacheStats };

export interface CheckThreadOptions {
  /** Validators the thread keeps (its LRU cache's capacity). */
  cacheSize: number;
  /** Checks on the event loop while the thread is down. */
  fallback: ValidatorCache;
}

interface Pending {
  request: CheckRequest;
  resolve: (checked: CheckedResponse) => void;
  reject: (err: Error) => void;
}

const RESTART_DELAY_MS = 1000;
const YOUNG_GENERATION_MB = 4;

/** The thread's module: its bundle under `npm start`, else its TypeScript through tsx (tests, dev). */
function entry(): URL {
  return typeof __CHECK_THREAD_BUNDLE__ === "string"
    ? new URL(__CHECK_THREAD_BUNDLE__)
    : new URL("./check-thread-entry.mjs", import.meta.url);
}

export class CheckThread implements ResponseChecker {
  private worker: Worker | null = null;
  private starting: Promise<void> | null = null;
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly inFlight = new Map<number, Pending>();
  private readonly statsWaiting = new Map<number, (stats: ValidatorCacheStats) => void>();
  private seq = 0;
  /** Keys whose schema was sent to the current thread. */
  private readonly sent = new Set<string>();
  private restartAfter = 0;
  private restarts = 0;
  private checkedOnLoop = 0;
  private closed = false;

  private constructor(private readonly opts: CheckThreadOptions) {}

  /** Starts the thread and waits until it is ready. */
  static async start(opts: CheckThreadOptions): Promise<CheckThread> {
    const thread = new CheckThread(opts);
    await thread.spawn();
    return thread;
  }

  check(request: CheckRequest): Promise<CheckedResponse> {
    if (!this.worker) {
      this.restartIfDue();
      return Promise.resolve(this.onLoop(request));
    }
    return new Promise((resolve, reject) => this.enqueue({ request, resolve, reject }));
  }

  /** The thread's counters (asked of the thread), or the fallback's while it is down. */
  async stats(): Promise<CheckerStats> {
    const own = { restarts: this.restarts, checkedOnLoop: this.checkedOnLoop };
    const worker = this.worker;
    if (!worker) return { running: false, ...own, validators: this.opts.fallback.stats() };
    const seq = ++this.seq;
    const validators = await new Promise<ValidatorCacheStats>((resolve) => {
      this.statsWaiting.set(seq, resolve);
      worker.postMessage({ type: "stats", seq } satisfies ToThread);
    });
    return { running: true, ...own, validators };
  }

  /** Stops the thread; checks still waiting finish on the event loop. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker) await worker.terminate();
  }

  private spawn(): Promise<void> {
    this.starting ??= new Promise<void>((resolve, reject) => {
      const worker = new Worker(entry(), {
        workerData: { cacheSize: this.opts.cacheSize },
        // What it allocates per check dies young; V8's default young generation (up to 48 MB per
        // isolate) would mostly add resident memory (docs/PERFORMANCE.md).
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      });
      worker.once("message", (msg: FromThread) => {
        if (msg.type !== "ready") return reject(new Error(`check thread: unexpected ${msg.type}`));
        worker.on("message", (m: FromThread) => this.receive(m));
        this.worker = worker;
        resolve();
      });
      worker.on("error", (err) => (this.worker === worker ? this.lost(err) : reject(err)));
      worker.on("exit", (code) =>
        this.worker === worker
          ? this.lost(new Error(`check thread exited with code ${code}`))
          : reject(new Error(`check thread exited with code ${code} while starting`)),
      );
    }).finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private restartIfDue() {
    if (this.closed || this.starting || Date.now() < this.restartAfter) return;
    this.restarts++;
    this.spawn().catch((err) => {
      this.restartAfter = Date.now() + RESTART_DELAY_MS;
      logError({ event: "check_thread_start_failed" }, err);
    });
  }

  private enqueue(pending: Pending) {
    this.queue.push(pending);
    if (this.scheduled) return;
    this.scheduled = true;
    // After the I/O callbacks of this loop turn: every request read in it goes in one message.
    setImmediate(() => this.flush());
  }

  private flush() {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const worker = this.worker;
    if (!worker) {
      for (const p of batch) this.settleOnLoop(p);
      return;
    }
    const items = batch.map((p): WireCheck => {
      const seq = ++this.seq;
      this.inFlight.set(seq, p);
      const { key, schema, formId, version, text } = p.request;
      const fresh = !this.sent.has(key);
      if (fresh) this.remember(key);
      return fresh ? { seq, key, schema, formId, version, text } : { seq, key, formId, version, text };
    });
    worker.postMessage({ type: "check", items } satisfies ToThread);
  }

  private remember(key: string) {
    // Only a hint: a key the thread no longer has comes back as `missing` and is sent again.
    if (this.sent.size >= this.opts.cacheSize * 4) this.sent.clear();
    this.sent.add(key);
  }

  private receive(msg: FromThread) {
    if (msg.type === "stats") {
      this.statsWaiting.get(msg.seq)?.(msg.stats);
      this.statsWaiting.delete(msg.seq);
      return;
    }
    if (msg.type !== "checked") return;
    for (const item of msg.items) {
      const p = this.inFlight.get(item.seq);
      if (!p) continue;
      this.inFlight.delete(item.seq);
      if ("missing" in item) {
        this.sent.delete(p.request.key);
        this.enqueue(p);
      } else if ("error" in item) p.reject(new Error(item.error));
      else p.resolve({ result: item.result, bodyHash: item.bodyHash, dataJson: item.dataJson });
    }
  }

  /** The thread died: what it held is checked on the event loop, and it is restarted later. */
  private lost(err: Error) {
    this.worker = null;
    this.sent.clear();
    this.restartAfter = Date.now() + RESTART_DELAY_MS;
    if (!this.closed) logError({ event: "check_thread_lost" }, err);
    const held = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const p of held) this.settleOnLoop(p);
    for (const resolve of this.statsWaiting.values()) resolve(this.opts.fallback.stats());
    this.statsWaiting.clear();
  }

  private settleOnLoop(p: Pending) {
    try {
      p.resolve(this.onLoop(p.request));
    } catch (err) {
      p.reject(err as Error);
    }
  }

  private onLoop(request: CheckRequest): CheckedResponse {
    this.checkedOnLoop++;
    return checkResponse(this.opts.fallback, request);
  }
}
