import type { LogSink } from "../lib/log.ts";

/**
 * Log lines for the Node server: info lines (the access log) are gathered and written once per
 * event-loop turn, so a busy server makes one write per turn rather than one per request; warnings
 * and errors go out at once, and whatever waits is written before the process exits.
 */
export function bufferedStdoutSink(): LogSink {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending.length) return;
    const text = pending.join("\n") + "\n";
    pending = [];
    process.stdout.write(text);
  };
  process.once("exit", flush);
  return (line, level) => {
    if (level !== "info") {
      flush();
      process.stderr.write(line + "\n");
      return;
    }
    pending.push(line);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}
