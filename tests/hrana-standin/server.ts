/**
 * A STAND-IN for a libSQL server (sqld / Turso), for tests only: it speaks enough of the Hrana protocol
 * over HTTP (v2, JSON: `POST /v2/pipeline`) for `@libsql/client/web`, on top of the `libsql` npm engine
 * and a local file. Production uses real sqld or Turso; see README.md beside this file.
 *
 * What it honours, because the app relies on it: a batch runs its steps in order with their
 * conditions (ok / error / not / and / or / is_autocommit), so the client's BEGIN … COMMIT batch is
 * one transaction; each stream has its own connection (foreign keys on, as sqld), kept between
 * requests by a baton that changes with every response; integers travel as decimal strings, blobs as
 * base64, floats as JSON numbers (and are bound as REAL, as sqld binds them); errors carry SQLite's
 * message and code.
 */
import Database from "libsql";
import { randomBytes } from "node:crypto";
import { copyFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Conn = InstanceType<typeof Database>;
type SqlValue = null | bigint | number | string | Buffer;

interface ProtoValue {
  type: "null" | "integer" | "float" | "text" | "blob";
  value?: string | number;
  base64?: string;
}
interface ProtoStmt {
  sql?: string;
  sql_id?: number;
  args?: ProtoValue[];
  named_args?: { name: string; value: ProtoValue }[];
  want_rows?: boolean;
}
type ProtoCond =
  | { type: "ok" | "error"; step: number }
  | { type: "not"; cond: ProtoCond }
  | { type: "and" | "or"; conds: ProtoCond[] }
  | { type: "is_autocommit" };
interface ProtoBatch {
  steps: { condition?: ProtoCond | null; stmt: ProtoStmt }[];
}
type StreamRequest =
  | { type: "close" }
  | { type: "execute"; stmt: ProtoStmt }
  | { type: "batch"; batch: ProtoBatch }
  | { type: "sequence"; sql?: string; sql_id?: number }
  | { type: "describe"; sql?: string; sql_id?: number }
  | { type: "store_sql"; sql_id: number; sql: string }
  | { type: "close_sql"; sql_id: number }
  | { type: "get_autocommit" };

interface Stream {
  conn: Conn;
  sqls: Map<number, string>;
  timer?: ReturnType<typeof setTimeout>;
}

class HranaError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface StandinOptions {
  /** The SQLite file served; a fresh temporary one is the caller's business. */
  path: string;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  authToken?: string;
  port?: number;
  /** An idle stream (an open baton) is dropped, and its transaction rolled back, after this long. */
  streamIdleMs?: number;
}

export interface HranaStandin {
  /** Base URL for `createClient({ url })` and LIBSQL_URL. */
  url: string;
  path: string;
  /** Serves another file from now on (closing every stream); `from` is copied over it first. */
  useDatabase(path: string, from?: string): void;
  /** Pipeline requests served so far (for tests that want to see traffic). */
  requests(): number;
  close(): Promise<void>;
}

/** Starts the stand-in on 127.0.0.1 (an ephemeral port unless `port` is given). */
export async function startHranaStandin(opts: StandinOptions): Promise<HranaStandin> {
  let path = opts.path;
  const idleMs = opts.streamIdleMs ?? 15_000;
  const streams = new Map<string, Stream>();
  let pool: Conn[] = [];
  let served = 0;

  const openConn = (): Conn => {
    const conn = pool.pop() ?? new Database(path);
    // Per connection, as sqld: WAL for concurrent readers, foreign keys enforced, no busy waiting
    // (a wait would block this single-threaded server, including the stream holding the lock).
    conn.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 0");
    return conn;
  };
  const release = (conn: Conn) => {
    try {
      if (conn.inTransaction) conn.exec("ROLLBACK");
      pool.push(conn);
    } catch {
      conn.close();
    }
  };
  const dropStream = (baton: string) => {
    const stream = streams.get(baton);
    if (!stream) return;
    streams.delete(baton);
    clearTimeout(stream.timer);
    release(stream.conn);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) send(res, 500, { message: String(error), code: "INTERNAL" });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (opts.authToken && req.headers.authorization !== `Bearer ${opts.authToken}`) {
      return send(res, 401, { message: "Unauthorized", code: "AUTH_HEADER_NOT_FOUND" });
    }
    const url = new URL(req.url ?? "/", "http://standin");
    if (req.method === "GET" && (url.pathname === "/v2" || url.pathname === "/health")) {
      res.writeHead(200).end();
      return;
    }
    if (req.method !== "POST" || url.pathname !== "/v2/pipeline") {
      // v3 and v3-protobuf are not offered, so a client probing for them falls back to v2.
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
      baton?: string | null;
      requests: StreamRequest[];
    };
    served++;

    let stream: Stream | undefined;
    if (body.baton) {
      stream = streams.get(body.baton);
      if (!stream)
        return send(res, 400, {
          message: "The stream has expired or the baton is invalid",
          code: "STREAM_EXPIRED",
        });
      streams.delete(body.baton);
      clearTimeout(stream.timer);
    } else {
      stream = { conn: openConn(), sqls: new Map() };
    }

    // Runs synchronously from here on: no other request interleaves with this pipeline.
    let closed = false;
    const results = body.requests.map((request) => {
      if (closed) return { type: "error", error: { message: "The stream is closed", code: "STREAM_CLOSED" } };
      try {
        if (request.type === "close") closed = true;
        return { type: "ok", response: runRequest(stream!, request) };
      } catch (error) {
        return { type: "error", error: toProtoError(error) };
      }
    });

    let baton: string | null = null;
    if (closed) {
      release(stream.conn);
    } else {
      baton = randomBytes(18).toString("base64url");
      const b = baton;
      stream.timer = setTimeout(() => dropStream(b), idleMs);
      stream.timer.unref?.();
      streams.set(baton, stream);
    }
    send(res, 200, { baton, base_url: null, results });
  }

  // Longer than any client's keep-alive, so a client never reuses a socket the server is closing.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const closeAll = () => {
    for (const baton of [...streams.keys()]) dropStream(baton);
    for (const conn of pool) conn.close();
    pool = [];
  };

  return {
    url: `http://127.0.0.1:${port}`,
    get path() {
      return path;
    },
    useDatabase(next: string, from?: string) {
      closeAll();
      if (from) {
        for (const suffix of ["", "-wal", "-shm"]) rmSync(next + suffix, { force: true });
        copyFileSync(from, next);
      }
      path = next;
    },
    requests: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        closeAll();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function toProtoError(error: unknown): { message: string; code: string } {
  if (error instanceof HranaError) return { message: error.message, code: error.code };
  const e = error as { message?: string; code?: string };
  // sqld reports SQLite failures with the primary result code; the message keeps SQLite's text.
  const code = typeof e.code === "string" ? e.code.replace(/^(SQLITE_[A-Z]+)_.*$/, "$1") : "SQLITE_ERROR";
  return { message: `SQLite error: ${e.message ?? String(error)}`, code };
}

function sqlOf(stream: Stream, x: { sql?: string; sql_id?: number }): string {
  if (typeof x.sql === "string") return x.sql;
  if (x.sql_id !== undefined) {
    const sql = stream.sqls.get(x.sql_id);
    if (sql === undefined) throw new HranaError(`SQL text ${x.sql_id} is not stored`, "SQL_NOT_FOUND");
    return sql;
  }
  throw new HranaError("A statement needs sql or sql_id", "PROTO_ERROR");
}

function runRequest(stream: Stream, request: StreamRequest): Record<string, unknown> {
  switch (request.type) {
    case "close":
      return { type: "close" };
    case "execute":
      return { type: "execute", result: execute(stream, request.stmt) };
    case "batch":
      return { type: "batch", result: batch(stream, request.batch) };
    case "sequence":
      stream.conn.exec(sqlOf(stream, request));
      return { type: "sequence" };
    case "describe": {
      const stmt = stream.conn.prepare(sqlOf(stream, request));
      const cols = stmt.columns().map((c) => ({ name: c.name, decltype: c.type }));
      return {
        type: "describe",
        result: { params: [], cols, is_explain: false, is_readonly: !stmt.reader },
      };
    }
    case "store_sql":
      stream.sqls.set(request.sql_id, request.sql);
      return { type: "store_sql" };
    case "close_sql":
      stream.sqls.delete(request.sql_id);
      return { type: "close_sql" };
    case "get_autocommit":
      return { type: "get_autocommit", is_autocommit: !stream.conn.inTransaction };
    default:
      throw new HranaError(`Unsupported request ${(request as { type: string }).type}`, "PROTO_ERROR");
  }
}

function fromProto(v: ProtoValue): SqlValue {
  switch (v.type) {
    case "null":
      return null;
    case "integer":
      return BigInt(v.value as string);
    case "float":
      return Number(v.value);
    case "text":
      return String(v.value);
    case "blob":
      return Buffer.from(v.base64 ?? "", "base64");
    default:
      throw new HranaError(`Unknown value type ${(v as { type: string }).type}`, "PROTO_ERROR");
  }
}

function toProto(v: unknown): ProtoValue {
  if (v === null || v === undefined) return { type: "null" };
  if (typeof v === "bigint") return { type: "integer", value: v.toString() };
  if (typeof v === "number") return { type: "float", value: v };
  if (typeof v === "string") return { type: "text", value: v };
  if (v instanceof Uint8Array) return { type: "blob", base64: Buffer.from(v).toString("base64") };
  throw new HranaError(`Cannot encode a ${typeof v}`, "INTERNAL");
}

function execute(stream: Stream, s: ProtoStmt) {
  const conn = stream.conn;
  const stmt = conn.prepare(sqlOf(stream, s));
  const positional = (s.args ?? []).map(fromProto);
  const named = s.named_args ?? [];
  if (named.length && positional.length) {
    throw new HranaError("The stand-in does not mix positional and named arguments", "PROTO_ERROR");
  }
  const params: unknown[] = named.length
    ? [Object.fromEntries(named.map((a) => [a.name.replace(/^[:@$]/, ""), fromProto(a.value)]))]
    : positional;
  const before = totalChanges(conn);
  let cols: { name: string; decltype: string | null }[] = [];
  let rows: unknown[][] = [];
  if (stmt.reader) {
    stmt.raw(true).safeIntegers(true);
    cols = stmt.columns().map((c) => ({ name: c.name, decltype: c.type }));
    rows = stmt.all(...params) as unknown[][];
  } else {
    stmt.run(...params);
  }
  const changed = totalChanges(conn) !== before;
  const [[affected, rowid]] = conn
    .prepare("SELECT changes(), last_insert_rowid()")
    .raw(true)
    .safeIntegers(true)
    .all() as [[bigint, bigint]];
  return {
    cols,
    rows: s.want_rows === false ? [] : rows.map((row) => row.map(toProto)),
    affected_row_count: changed ? Number(affected) : 0,
    last_insert_rowid: rowid.toString(),
  };
}

function totalChanges(conn: Conn): bigint {
  const [[n]] = conn.prepare("SELECT total_changes()").raw(true).safeIntegers(true).all() as [[bigint]];
  return n;
}

function batch(stream: Stream, b: ProtoBatch) {
  const results: (ReturnType<typeof execute> | null)[] = [];
  const errors: ({ message: string; code: string } | null)[] = [];
  const holds = (c: ProtoCond): boolean => {
    switch (c.type) {
      case "ok":
        return results[c.step] != null;
      case "error":
        return errors[c.step] != null;
      case "not":
        return !holds(c.cond);
      case "and":
        return c.conds.every(holds);
      case "or":
        return c.conds.some(holds);
      case "is_autocommit":
        return !stream.conn.inTransaction;
      default:
        throw new HranaError(`Unknown condition ${(c as { type: string }).type}`, "PROTO_ERROR");
    }
  };
  b.steps.forEach((step, i) => {
    results[i] = null;
    errors[i] = null;
    if (step.condition && !holds(step.condition)) return;
    try {
      results[i] = execute(stream, step.stmt);
    } catch (error) {
      errors[i] = toProtoError(error);
    }
  });
  return { step_results: results, step_errors: errors };
}
