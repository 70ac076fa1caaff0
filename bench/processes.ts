/** Child processes under test: start on a free loopback port, wait until healthy, sample memory. */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * scripts/build-server.mjs's arguments for bench/unvalidated-server.ts: entry, bundle, and the
 * check thread it runs (accept-all, bench/unvalidated-check-thread.ts).
 */
export const UNVALIDATED_BUILD = [
  "bench/unvalidated-server.ts",
  "dist/bench-unvalidated-server.mjs",
  "bench/unvalidated-check-thread.ts",
] as const;

/** A port the kernel says is free right now (bound to 0 and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface Served {
  url: string;
  pid: number;
  /** Resident set size now, in MB (VmRSS). */
  rssMb(): number;
  /** Peak resident set size over the process's life, in MB (VmHWM). */
  peakRssMb(): number;
  /** CPU time (user + system) the process has used so far, in milliseconds, from /proc/<pid>/stat. */
  cpuMs(): number;
  /** Samples VmRSS every 100 ms until the returned function is called; that returns the maximum. */
  sampleRss(): () => number;
  /** Whether the process is still running, and the tail of what it printed (for diagnostics). */
  alive(): boolean;
  output(): string;
  stop(): Promise<void>;
}

function statusMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux this runs on (USER_HZ). */
const USER_HZ = 100;

function cpuMs(pid: number): number {
  // Fields after the parenthesized command name; utime and stime are the 12th and 13th of them.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

/**
 * Runs `node --import tsx <script>` (or plain `node <script>` for a prebuilt .mjs bundle) with `env`
 * and waits for GET /healthz to answer. `nodeArgs` go before the script (e.g. `--cpu-prof`).
 */
export async function startNodeServer(
  script: string,
  env: Record<string, string>,
  label: string,
  nodeArgs: string[] = [],
): Promise<Served> {
  const port = await freePort();
  const loader = script.endsWith(".mjs") ? [] : ["--import", "tsx"];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, script], {
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child, () => output, label);
  const pid = child.pid!;
  return {
    url,
    pid,
    rssMb: () => statusMb(pid, "VmRSS"),
    peakRssMb: () => statusMb(pid, "VmHWM"),
    cpuMs: () => cpuMs(pid),
    sampleRss() {
      let max = statusMb(pid, "VmRSS");
      const timer = setInterval(() => {
        max = Math.max(max, statusMb(pid, "VmRSS"));
      }, 100);
      return () => {
        clearInterval(timer);
        return Math.max(max, statusMb(pid, "VmRSS"));
      };
    },
    alive: () => child.exitCode === null && child.signalCode === null,
    output: () => output,
    stop: () => stopChild(child),
  };
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string, label: string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${label} exited (${child.exitCode}):\n${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGKILL");
  throw new Error(`${label} did not become healthy within 60 s:\n${output()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  // A child killed by a signal has a signalCode and no exitCode.
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
