/**
 * Durable group commit of public form responses.
 *
 * Under synchronous=FULL every commit costs an fsync, and the embedded database has one connection,
 * so committing each submission alone caps ingest at the disk's fsync rate. The group committer
 * gathers the submissions that arrive within one event-loop turn and writes them in ONE `batch`
 * (one transaction, one fsync). Each submission's promise settles only after the transaction that
 * holds its row has committed, so an acknowledged response survives a crash. If a batch fails, it is
 * split in halves and retried, down to single rows, so one bad row fails only its own request.
 *
 * The insert is guarded: a row goes in only while its form is collecting (status "published") at
 * commit time, so a form version cache in front of it may be stale without letting a submission
 * into a form that was unpublished a moment ago. `INSERT … ON CONFLICT DO NOTHING` plus a read of the
 * stored body hashes in the same transaction settles idempotency keys, also between two submissions
 * of the same id in one batch (the first wins, the second is answered as a replay or a conflict).
 */
import type { InStatement } from "@libsql/client";
import { isStorageFailure } from "../db/health.ts";

/** One response row, ready to insert (data already serialized). */
export interface ResponseRow {
  id: string;
  formId: string;
  version: number;
  data: string;
  bodyHash: string;
  submittedAt: number;
}

/**
 * What happened to one row: stored now; not stored because the id was already taken (with the
 * stored body hash, to tell a replay from a conflict); or not stored because the form had stopped
 * collecting when the transaction ran.
 */
export type CommitOutcome =
  { kind: "inserted" } | { kind: "exists"; bodyHash: string } | { kind: "not_collecting" };

/** Where the submission route writes rows; the route does not care whether they are grouped. */
export interface ResponseWriter {
  write(row: ResponseRow): Promise<CommitOutcome>;
}

/** The rows of one statement's result, as positional values (a libSQL `ResultSet` is one). */
export interface BatchResult {
  rows: ArrayLike<unknown>[];
}

/**
 * The part of a libSQL client the writer needs: an embedded file, a remote server, or a test
 * double.
 */
export interface BatchClient {
  batch(stmts: InStatement[], mode: "write"): Promise<BatchResult[]>;
}

const COLUMNS = "id, form_id, version, data, body_hash, submitted_at";

/**
 * One INSERT for the whole batch (libSQL prepares every statement it runs, so one statement per row
 * would cost a prepare per row). Only the first row of each id is in it; later rows of the same id
 * in the batch are answered from the stored hash like any retry.
 */
function insertStatement(rows: ResponseRow[]): InStatement {
  return {
    sql:
      `INSERT INTO responses (${COLUMNS}) ` +
      `SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6 FROM (VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")}) AS v ` +
      "WHERE EXISTS (SELECT 1 FROM forms f WHERE f.id = v.column2 AND f.status = 'published') " +
      "ON CONFLICT (id) DO NOTHING RETURNING id",
    args: rows.flatMap((r) => [r.id, r.formId, r.version, r.data, r.bodyHash, r.submittedAt]),
  };
}

/** Reads back the stored hash of every id in the batch, inside the same transaction. */
function storedHashesStatement(ids: string[]): InStatement {
  return {
    sql: `SELECT id, body_hash FROM responses WHERE id IN (${ids.map(() => "?").join(",")})`,
    args: ids,
  };
}

/**
 * Writes `rows` in one transaction and tells, per row, what happened. Throws (and commits nothing)
 * if any row fails.
 */
export async function commitRows(client: BatchClient, rows: ResponseRow[]): Promise<CommitOutcome[]> {
  const firstOfId = new Map<string, ResponseRow>();
  for (const row of rows) if (!firstOfId.has(row.id)) firstOfId.set(row.id, row);
  const [inserted, storedRows] = await client.batch(
    [insertStatement([...firstOfId.values()]), storedHashesStatement([...firstOfId.keys()])],
    "write",
  );
  const insertedIds = new Set(inserted!.rows.map((r) => String(r[0])));
  const stored = new Map(storedRows!.rows.map((r) => [String(r[0]), String(r[1])]));
  return rows.map((row): CommitOutcome => {
    if (firstOfId.get(row.id) === row && insertedIds.has(row.id)) return { kind: "inserted" };
    const hash = stored.get(row.id);
    return hash === undefined ? { kind: "not_collecting" } : { kind: "exists", bodyHash: hash };
  });
}

/** Commits each row in its own transaction: for runtimes without a shared buffer (Workers, tests). */
export function directWriter(client: BatchClient): ResponseWriter {
  return { write: async (row) => (await commitRows(client, [row]))[0]! };
}

interface Pending {
  row: ResponseRow;
  resolve: (outcome: CommitOutcome) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** Rows per transaction at most; a full queue is flushed at once instead of waiting for the tick. */
  maxBatch?: number;
}

/** Counters for the benchmark and the metrics page. */
export interface GroupCommitStats {
  batches: number;
  rows: number;
  largestBatch: number;
  /** Batches that failed and were split to isolate the failing rows. */
  splits: number;
  failedRows: number;
}

/**
 * Collects rows written during one event-loop turn (flushed by `setImmediate`, or as soon as
 * `maxBatch` rows wait) and commits them together; one batch is in flight at a time, and rows that
 * arrive meanwhile form the next one. Created once per process (src/node/start.ts).
 */
export class GroupCommitter implements ResponseWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing: Promise<void> | null = null;
  private readonly maxBatch: number;
  private readonly counters: GroupCommitStats = {
    batches: 0,
    rows: 0,
    largestBatch: 0,
    splits: 0,
    failedRows: 0,
  };

  constructor(
    private readonly client: BatchClient,
    opts: GroupCommitOptions = {},
  ) {
    this.maxBatch = Math.max(1, Math.floor(opts.maxBatch ?? 128));
  }

  write(row: ResponseRow): Promise<CommitOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.schedule();
    });
  }

  /** Commits whatever is queued and waits until nothing is in flight (used at shutdown). */
  async drain(): Promise<void> {
    while (this.flushing || this.queue.length > 0) {
      if (!this.flushing) this.startFlush();
      await this.flushing;
    }
  }

  stats(): GroupCommitStats {
    return { ...this.counters };
  }

  private schedule() {
    if (this.flushing) return;
    if (this.queue.length >= this.maxBatch) {
      this.startFlush();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.flushing) this.startFlush();
    });
  }

  private startFlush() {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    this.flushing = this.commit(batch).finally(() => {
      this.flushing = null;
      if (this.queue.length > 0) this.schedule();
    });
  }

  /** Commits `batch`; on failure bisects it so that only the rows that fail on their own are refused. */
  private async commit(batch: Pending[]): Promise<void> {
    let outcomes: CommitOutcome[];
    try {
      outcomes = await commitRows(
        this.client,
        batch.map((p) => p.row),
      );
    } catch (err) {
      // A database that refuses every write (read-only or full disk) fails each half alike: no row
      // is to blame, so all are refused at once instead of after 2n - 1 attempts.
      if (batch.length === 1 || isStorageFailure(err)) {
        this.counters.failedRows += batch.length;
        for (const p of batch) p.reject(err);
        return;
      }
      this.counters.splits++;
      const half = Math.ceil(batch.length / 2);
      await this.commit(batch.slice(0, half));
      await this.commit(batch.slice(half));
      return;
    }
    this.counters.batches++;
    this.counters.rows += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    batch.forEach((p, i) => p.resolve(outcomes[i]!));
  }
}
