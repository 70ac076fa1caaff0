/**
 * `npm run soak [-- --duration 10m --rate 50]`: the real server (a child process over a fresh database
 * file, on loopback) under a steady open-loop load for a long time, to find what short tests cannot:
 * slow leaks, latency creeping up, errors after thousands of writes.
 *
 * Mix per request: 60 % public submissions, 28 % public schema reads, 11 % logged-in list reads, 1 %
 * logins (scrypt, the expensive one). Reports errors (any failed connection or an unexpected status),
 * p50/p99 per kind and overall, and the server's RSS sampled every 10 s (start, end, growth); writes the
 * report to bench/results/soak-<timestamp>.json. tests/node/soak-short.test.ts runs the same code for
 * ~20 s in CI. Figures depend on the machine and what else runs on it.
 */
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  ADMIN_PASSWORD,
  httpClient,
  startServer,
  tempDatabase,
  type Reply,
  type ServerProcess,
} from "../tests/node/support.ts";

export interface SoakOptions {
  durationMs: number;
  /** Requests started per second, whatever the answers' latency (open loop). */
  rate: number;
  /** RSS sampling period. */
  sampleMs?: number;
  /** Where to write soak-<ts>.json; nothing is written when unset. */
  resultsDir?: string;
  log?: (line: string) => void;
}

type Kind = "submit" | "schema" | "list" | "login";

interface KindStats {
  count: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export interface SoakReport {
  startedAt: string;
  durationS: number;
  rate: number;
  requests: number;
  errors: number;
  /** The first few errors, for the reader. */
  errorSamples: string[];
  serverErrors5xx: number;
  /** Requests sent again after the keep-alive race (tests/node/support.ts httpClient); not errors. */
  keepAliveRetries: number;
  p50Ms: number;
  p99Ms: number;
  byKind: Record<Kind, KindStats>;
  rss: { startBytes: number | null; endBytes: number | null; growthBytes: number | null; samples: number[] };
  healthyAtEnd: boolean;
  file?: string;
}

// Logins are rare on purpose: each is a deliberate ~0.1–0.3 s of scrypt CPU (src/auth/password.ts).
const MIX: [Kind, number][] = [
  ["submit", 0.6],
  ["schema", 0.28],
  ["list", 0.11],
  ["login", 0.01],
];
const SLOTS = 100;
const EXPECTED: Record<Kind, number> = { submit: 201, schema: 200, list: 200, login: 200 };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, i)]! * 10) / 10;
}

/** Picks kinds in a fixed repeating pattern with the MIX proportions, so every run has the same mix. */
function kindSequence(): Kind[] {
  const out: Kind[] = [];
  for (const [kind, share] of MIX) for (let i = 0; i < Math.round(share * SLOTS); i++) out.push(kind);
  // Interleave: spread each kind over the slots rather than in runs (7 and 100 are coprime).
  return out
    .map((k, i) => ({ k, key: (i * 7) % out.length }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.k);
}

/** Logs in as the administrator and publishes the form the crowd submits to. */
async function setUp(server: ServerProcess) {
  const client = httpClient(server.url, 4);
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { Cookie: cookie, "X-CSRF-Token": csrfToken };
  const schema = {
    title: "浸泡测试",
    pages: [
      {
        name: "p1",
        elements: [
          { type: "text", name: "name", title: "姓名", isRequired: true, maxLength: 40 },
          { type: "radiogroup", name: "rating", title: "评价", choices: ["good", "bad"], isRequired: true },
          { type: "comment", name: "note", title: "备注" },
        ],
      },
    ],
  };
  const created = await client.send(
    "POST",
    "/api/forms",
    { title: "浸泡测试", kind: "survey", schema },
    headers,
  );
  if (created.status !== 201) throw new Error(`form create failed: ${created.status}`);
  const formId = (created.body as { form: { id: string } }).form.id;
  const published = await client.send("POST", `/api/forms/${formId}/publish`, undefined, headers);
  if (published.status !== 201) throw new Error(`publish failed: ${published.status}`);
  client.close();
  return { formId, cookie };
}

/** Runs the soak against a fresh server and returns (and optionally writes) the report. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const tmp = tempDatabase("lianma-soak-");
  const server = await startServer(tmp.path);
  try {
    const { formId, cookie } = await setUp(server);
    const client = httpClient(server.url, 64);
    const send: Record<Kind, (i: number) => Promise<Reply>> = {
      submit: (i) =>
        client.send("POST", `/api/public/forms/${formId}/responses`, {
          id: randomUUID(),
          version: 1,
          data: { name: `浸泡${i}`, rating: i % 3 ? "good" : "bad", note: "备注".repeat(i % 50) },
        }),
      schema: () => client.send("GET", `/api/public/forms/${formId}`),
      list: () => client.send("GET", "/api/forms", undefined, { Cookie: cookie }),
      login: () => client.send("POST", "/api/auth/login", { username: "admin", password: ADMIN_PASSWORD }),
    };
    const latencies: Record<Kind, number[]> = { submit: [], schema: [], list: [], login: [] };
    const errors: Record<Kind, number> = { submit: 0, schema: 0, list: 0, login: 0 };
    const errorSamples: string[] = [];
    let serverErrors = 0;
    const fail = (kind: Kind, what: string) => {
      errors[kind]++;
      if (errorSamples.length < 10) errorSamples.push(`${kind}: ${what}`);
    };

    const startedAt = new Date();
    const rss: number[] = [];
    const sampleRss = async () => {
      const bytes = await server.rss();
      if (bytes !== null) rss.push(bytes);
    };
    await sampleRss();
    const sampler = setInterval(sampleRss, options.sampleMs ?? 10_000);

    const sequence = kindSequence();
    const inFlight = new Set<Promise<void>>();
    const t0 = performance.now();
    let started = 0;
    let lastLog = t0;
    while (performance.now() - t0 < options.durationMs) {
      const due = Math.floor(((performance.now() - t0) / 1000) * options.rate);
      for (; started < due; started++) {
        const kind = sequence[started % sequence.length]!;
        const begin = performance.now();
        const p: Promise<void> = send[kind](started).then(
          (reply) => {
            latencies[kind].push(performance.now() - begin);
            if (reply.status >= 500) serverErrors++;
            if (reply.status !== EXPECTED[kind])
              fail(kind, `HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
          },
          (error: Error) => fail(kind, error.message),
        );
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        const done = Object.values(latencies).reduce((a, l) => a + l.length, 0);
        log(`soak: ${Math.round((lastLog - t0) / 1000)} s, ${done} answered, rss ${rss.at(-1) ?? "?"} B`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(inFlight);
    clearInterval(sampler);
    await sampleRss();
    client.close();

    const health = await fetch(`${server.url}/healthz`).catch(() => null);
    const all = Object.values(latencies)
      .flat()
      .sort((a, b) => a - b);
    const byKind = Object.fromEntries(
      (Object.keys(latencies) as Kind[]).map((kind) => {
        const sorted = latencies[kind].sort((a, b) => a - b);
        return [
          kind,
          {
            count: sorted.length + errors[kind],
            errors: errors[kind],
            p50Ms: percentile(sorted, 50),
            p99Ms: percentile(sorted, 99),
          },
        ];
      }),
    ) as Record<Kind, KindStats>;
    const report: SoakReport = {
      startedAt: startedAt.toISOString(),
      durationS: Math.round((performance.now() - t0) / 100) / 10,
      rate: options.rate,
      requests: started,
      errors: Object.values(errors).reduce((a, b) => a + b, 0),
      errorSamples,
      serverErrors5xx: serverErrors,
      keepAliveRetries: client.retries(),
      p50Ms: percentile(all, 50),
      p99Ms: percentile(all, 99),
      byKind,
      rss: {
        startBytes: rss[0] ?? null,
        endBytes: rss.at(-1) ?? null,
        growthBytes: rss.length ? rss.at(-1)! - rss[0]! : null,
        samples: rss,
      },
      healthyAtEnd: health?.status === 200,
    };
    if (options.resultsDir) {
      await mkdir(options.resultsDir, { recursive: true });
      report.file = join(options.resultsDir, `soak-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
      await writeFile(report.file, JSON.stringify(report, null, 2) + "\n");
    }
    return report;
  } finally {
    await server.stop("SIGTERM");
    tmp.cleanup();
  }
}

/** "10m", "90s", "1h" or plain seconds. */
function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`--duration: cannot read "${text}" (e.g. 10m, 90s)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(m[1]) * unit;
}

async function main(args: string[]) {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const durationMs = parseDuration(value("--duration") ?? "10m");
  const rate = Number(value("--rate") ?? 50);
  if (!(rate > 0)) throw new Error("--rate must be a positive number of requests per second");
  const resultsDir = fileURLToPath(new URL("../bench/results", import.meta.url));
  console.log(`soak: ${durationMs / 1000} s at ${rate} requests/s against a fresh server on loopback`);
  const report = await runSoak({ durationMs, rate, resultsDir, log: console.log });
  const mb = (b: number | null) => (b === null ? "?" : `${(b / 1048576).toFixed(1)} MB`);
  console.log(
    `soak: ${report.requests} requests, ${report.errors} errors (${report.serverErrors5xx} 5xx, ` +
      `${report.keepAliveRetries} keep-alive retries), ` +
      `p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms; RSS ${mb(report.rss.startBytes)} → ${mb(report.rss.endBytes)} ` +
      `(growth ${mb(report.rss.growthBytes)}); healthy at end: ${report.healthyAtEnd}\n→ ${report.file}`,
  );
  process.exit(report.errors === 0 && report.healthyAtEnd ? 0 : 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(String(error?.stack ?? error));
    process.exit(1);
  });
}
