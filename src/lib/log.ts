/**
 * Error lines for the server log. A failed query's error (drizzle's DrizzleQueryError) carries the
 * statement's bound values in its message and stack — session hashes, CSRF tokens, passwords' hashes,
 * answers — so it is logged by its statement and the driver's own message, never its values.
 */

interface QueryError extends Error {
  query: string;
  params: unknown[];
}

const isQueryError = (err: unknown): err is QueryError =>
  err instanceof Error && typeof (err as QueryError).query === "string" && "params" in err;

/** The stack's frames only (`    at …` lines), without the message that heads it. */
const frames = (err: Error) =>
  (err.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .join("\n");

/** The text of `err` safe for the log: statements without their values, causes followed. */
export function describeError(err: unknown, depth = 0): string {
  if (!(err instanceof Error)) return String(err);
  const cause =
    depth < 3 && err.cause !== undefined ? `\ncaused by: ${describeError(err.cause, depth + 1)}` : "";
  if (isQueryError(err)) {
    return `${err.name}: Failed query: ${err.query} (${err.params.length} bound values, not logged)\n${frames(err)}${cause}`;
  }
  const code = (err as { code?: unknown }).code;
  const head = `${err.name}${typeof code === "string" ? ` [${code}]` : ""}: ${err.message}`;
  return `${head}\n${frames(err)}${cause}`;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Where log lines go: one JSON text per call, without the newline. */
export type LogSink = (line: string, level: LogLevel) => void;

const consoleSink: LogSink = (line, level) => (level === "info" ? console.log(line) : console.error(line));
let sink: LogSink = consoleSink;

/** Replaces where lines go (the Node server buffers them; tests capture them); returns the previous sink. */
export function setLogSink(next: LogSink): LogSink {
  const previous = sink;
  sink = next;
  return previous;
}

/**
 * The one structured logger: a JSON line with the time, the level, the event and `fields`. Fields
 * are chosen by the caller and must never hold request values (answers, query strings, tokens, a
 * path that carries an inspection code): log route patterns and ids of our own.
 */
export function log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  sink(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }), level);
}

/** One line at level error: `fields` (event, route, requestId, …) and the error described safely. */
export function logError(fields: Record<string, unknown>, err: unknown): void {
  const { event = "error", ...rest } = fields;
  log("error", String(event), { ...rest, error: describeError(err) });
}

const logged = new Set<string>();

/**
 * A debug line the first time `event` happens in this process, and never again: for events a client
 * can cause by the thousand (bodies cut off by slow or vanished clients), which are no server fault.
 */
export function logOnce(event: string, message: string): void {
  if (logged.has(event)) return;
  logged.add(event);
  log("debug", event, { message, note: "logged once per process" });
}
