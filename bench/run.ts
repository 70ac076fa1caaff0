/**
 * `npm run bench` — the ingest benchmark of issue 6, side by side in one run, loopback only:
 *   (a) a bare insert route: same table, pragmas and group commit, nothing else (bench/baseline-server.ts),
 *   (a') the product's own endpoint with validation off (bench/unvalidated-server.ts): the ratio
 *        of (b) to it is what validating costs; the goal's ratio is to (a),
 *   (b) the product's submission endpoint with a published 30-question checklist,
 *   (b') the same with VALIDATION_THREAD=1: checks on the check thread instead of the event loop,
 *   (c) the public form schema with and without If-None-Match, and the public inspection data (/i/:code),
 *       beside a bare read route (the schema row read from libSQL per request, parsed, serialized;
 *       bench/baseline-server.ts): schema GET ≥ 1.0× it (goal 2×), inspection data ≥ 0.7×,
 *   (d) the QR PNG endpoint,
 *   (e) CSV export of 100k responses (time, peak RSS),
 *   and the dashboard queries when bench/dashboard.ts exists.
 * Load comes from autocannon in this process, so on a 2-core machine the load generator and the
 * server share the CPU. Flags: --duration <s> (default 10), --connections <n> (default 50),
 * --quick (a few seconds per scenario, 10k export rows, one round: a smoke run), --ingest-only (the
 * four ingest scenarios alone, to compare code changes), --reads-only (the read scenarios (c) alone),
 * --rounds <n> (alternating rounds of the
 * ingest scenarios, default 3; each scenario is reported by its median round). DB_SYNCHRONOUS (default FULL)
 * and every other server variable pass through to all servers.
 */
import autocannon from "autocannon";
import { createClient } from "@libsql/client";
import { execFileSync } from "node:child_process";
import { randomUUID, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { answerPool } from "./checklist.ts";
import { seedPublicInspection } from "./public-inspection.ts";
import { login, publishChecklist, type Admin } from "./api.ts";
import { UNVALIDATED_BUILD, startNodeServer, type Served } from "./processes.ts";

const BENCH_SECRET = "bench-secret-".padEnd(40, "x");
/** The form bench/baseline-server.ts publishes (not imported: that module starts its server). */
const BASELINE_FORM = "baseline";
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

interface Options {
  durationSec: number;
  connections: number;
  exportRows: number;
  quick: boolean;
  dashboardDb?: string;
  /** Only the four ingest scenarios: for comparing code changes quickly. */
  ingestOnly: boolean;
  /** Alternating rounds of the four ingest scenarios (default 3, 1 with --quick). */
  rounds: number;
  /** Only the read scenarios: bare read route, schema GET, public inspection data. */
  readsOnly: boolean;
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes("--quick");
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
    return n;
  };
  return {
    quick,
    durationSec: value("--duration") ?? (quick ? 2 : 10),
    connections: value("--connections") ?? 50,
    exportRows: quick ? 10_000 : 100_000,
    dashboardDb: argv.includes("--dashboard-db") ? argv[argv.indexOf("--dashboard-db") + 1] : undefined,
    ingestOnly: argv.includes("--ingest-only"),
    readsOnly: argv.includes("--reads-only"),
    rounds: value("--rounds") ?? (quick ? 1 : 3),
  };
}

/** One load scenario's figures. */
interface LoadResult {
  scenario: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  /** Responses whose status was not the one the scenario expects (201, 200 or 304). */
  unexpectedStatus: number;
  peakRssMb: number;
  /** Server CPU time per answered request: robust to a busy machine, unlike req/s. */
  cpuUsPerRequest: number;
  /** Share of one core the server used, and the load generator (this process) used, in %. */
  serverCpuPct: number;
  loadGenCpuPct: number;
  ratioToBaseline?: number;
  /** req/s of every round, for the ingest scenarios measured in alternating rounds. */
  roundsReqPerSec?: number[];
}

interface LoadSpec {
  scenario: string;
  served: Served;
  path: string;
  expectStatus: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** Builds each request's body (a fresh one per request). */
  body?: () => string;
}

/** autocannon never settles when a request builder throws; fail the run instead of hanging. */
function guarded<T>(durationSec: number, run: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error("autocannon did not finish in time")),
      (durationSec + 30) * 1000,
    );
  });
  return Promise.race([run, limit]).finally(() => clearTimeout(timer));
}

async function load(spec: LoadSpec, opts: Options): Promise<LoadResult> {
  console.log(`… ${spec.scenario}`);
  const run = (duration: number) =>
    guarded(
      duration,
      autocannon({
        url: spec.served.url,
        connections: opts.connections,
        duration,
        requests: [
          {
            method: spec.method ?? "GET",
            path: spec.path,
            // autocannon calls any setupRequest key it finds, so an absent one must not be present.
            ...(spec.headers ? { headers: spec.headers } : {}),
            ...(spec.body
              ? { setupRequest: (req: Record<string, unknown>) => ({ ...req, body: spec.body!() }) }
              : {}),
          },
        ],
      }),
    );
  await run(opts.quick ? 1 : 2); // warm-up: JIT, caches, compiled validator; not recorded
  const stopSampling = spec.served.sampleRss();
  const cpuBefore = spec.served.cpuMs();
  const ownBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const r = await run(opts.durationSec);
  const cpuUsed = spec.served.cpuMs() - cpuBefore;
  const own = process.cpuUsage(ownBefore);
  const wallMs = performance.now() - wallBefore;
  const peakRssMb = stopSampling();
  const stats = (r.statusCodeStats ?? {}) as Record<string, { count: number }>;
  const answered = Object.values(stats).reduce((n, s) => n + s.count, 0);
  return {
    scenario: spec.scenario,
    reqPerSec: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: answered,
    errors: r.errors + r.timeouts,
    unexpectedStatus: answered - (stats[String(spec.expectStatus)]?.count ?? 0),
    peakRssMb,
    cpuUsPerRequest: answered ? (cpuUsed * 1000) / answered : 0,
    serverCpuPct: (cpuUsed / wallMs) * 100,
    loadGenCpuPct: ((own.user + own.system) / 1000 / wallMs) * 100,
  };
}

/** Inserts `count` responses straight into the database file (seeding, not measuring). */
async function seedResponses(dbFile: string, formId: string, version: number, count: number) {
  const client = createClient({ url: `file:${dbFile}`, concurrency: 1 });
  const pool = answerPool(500);
  const start = Date.now() - count * 1000;
  const chunk = 5000;
  for (let done = 0; done < count; done += chunk) {
    const n = Math.min(chunk, count - done);
    await client.batch(
      Array.from({ length: n }, (_, i) => ({
        sql: "INSERT INTO responses (id, form_id, version, data, body_hash, submitted_at) VALUES (?, ?, ?, ?, ?, ?)",
        args: [
          randomUUID(),
          formId,
          version,
          pool[(done + i) % pool.length]!,
          randomBytes(32).toString("hex"),
          start + (done + i) * 1000,
        ],
      })),
      "write",
    );
  }
  client.close();
}

/**
 * fetch, retried once when a pooled keep-alive socket turns out to have been closed by the server
 * while idle (seeding 100k rows takes longer than Node's keep-alive timeout).
 */
async function fetchFresh(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw err;
    return fetch(url, init);
  }
}

interface ExportResult {
  rows: number;
  seconds: number;
  megabytes: number;
  peakRssMb: number;
  status: number;
}

async function timeCsvExport(
  served: Served,
  admin: Admin,
  formId: string,
  rows: number,
): Promise<ExportResult> {
  const stopSampling = served.sampleRss();
  const t0 = performance.now();
  const res = await fetchFresh(`${served.url}/api/forms/${formId}/responses.csv`, {
    headers: { Cookie: admin.cookie },
  }).catch((err) => {
    throw new Error(`CSV export failed (server ${served.alive() ? "alive" : "gone"}):\n${served.output()}`, {
      cause: err,
    });
  });
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
  const seconds = (performance.now() - t0) / 1000;
  return { rows, seconds, megabytes: bytes / 1e6, peakRssMb: stopSampling(), status: res.status };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The round whose req/s is the median (the lower middle one for an even count), with all rounds' req/s. */
function medianRound(runs: LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.reqPerSec - b.reqPerSec);
  const chosen = sorted[(sorted.length - 1) >> 1]!;
  return { ...chosen, roundsReqPerSec: runs.map((r) => Math.round(r.reqPerSec)) };
}

interface DashboardRow {
  name: string;
  p50Ms: number;
  p99Ms: number;
  runs: number;
}

/** Where `npm run seed:large` writes the city data set the dashboard queries are timed on. */
const LARGE_DB = "data/large.db";

/**
 * Runs bench/dashboard.ts (written with the dashboard) when it exists, on `dbFile`; its queries need
 * inspection data: data/large.db (npm run seed:large) when present, or `--dashboard-db <file>`.
 */
async function dashboardBench(dbFile: string): Promise<DashboardRow[] | { skipped: string }> {
  if (!existsSync(here("./dashboard.ts"))) return { skipped: "bench/dashboard.ts not present" };
  const mod = (await import(new URL("./dashboard.ts", import.meta.url).href)) as {
    runDashboardBench(opts: { dbFile: string }): Promise<DashboardRow[]>;
  };
  try {
    return await mod.runDashboardBench({ dbFile });
  } catch (err) {
    return { skipped: `${dbFile}: ${(err as Error).message.split("\n")[0]}` };
  }
}

async function metrics(url: string, admin: Admin): Promise<unknown> {
  const res = await fetch(`${url}/api/metrics`, { headers: { Cookie: admin.cookie } });
  return res.status === 200 ? res.json() : null;
}

const GOALS = { reqPerSec: 5000, p99Ms: 50, ratio: 0.65, rssMb: 250 };
/** Issue 17: the public reads against the bare read route (schema GET: ≥ 1.0×, aiming at 2×). */
const READ_GOALS = { schema: 1.0, schemaAim: 2.0, inspection: 0.7 };

function readGoalLines(reads: LoadResult[], peakRssMb: number): string[] {
  const line = (ok: boolean, text: string) => `${ok ? "PASS" : "FAIL"}  ${text}`;
  const [, schema, inspection] = reads as [LoadResult, LoadResult, LoadResult];
  const x = (r: LoadResult) => r.ratioToBaseline ?? 0;
  return [
    line(
      x(schema) >= READ_GOALS.schema,
      `schema GET ${x(schema).toFixed(2)}× the bare read route ≥ ${READ_GOALS.schema}× (aim ${READ_GOALS.schemaAim}×: ${x(schema) >= READ_GOALS.schemaAim ? "reached" : "not reached"})`,
    ),
    line(
      x(inspection) >= READ_GOALS.inspection,
      `public inspection data ${x(inspection).toFixed(2)}× the bare read route ≥ ${READ_GOALS.inspection}×`,
    ),
    line(peakRssMb <= GOALS.rssMb, `server RSS peak ${peakRssMb.toFixed(0)} MB ≤ ${GOALS.rssMb} MB`),
    line(
      reads.every((r) => r.errors === 0 && r.unexpectedStatus === 0),
      "no errors or unexpected statuses while reading",
    ),
  ];
}

/**
 * The ratio goal is checked against the bare insert route, the baseline (a). The ratio to
 * the product's own endpoint with validation off isolates what validating costs; it is printed
 * beside it as information, not as the goal.
 */
function goalLines(submit: LoadResult, unvalidated: LoadResult): string[] {
  const line = (ok: boolean, text: string) => `${ok ? "PASS" : "FAIL"}  ${text}`;
  const ratio = submit.ratioToBaseline ?? 0;
  return [
    line(
      submit.reqPerSec >= GOALS.reqPerSec,
      `validated ingest ${submit.reqPerSec.toFixed(0)} req/s ≥ ${GOALS.reqPerSec}`,
    ),
    line(submit.p99Ms <= GOALS.p99Ms, `p99 ${submit.p99Ms} ms ≤ ${GOALS.p99Ms} ms`),
    line(
      ratio >= GOALS.ratio,
      `${(ratio * 100).toFixed(1)}% of the bare insert route (the unvalidated insert ceiling) ≥ ${GOALS.ratio * 100}%`,
    ),
    `INFO  ${((submit.reqPerSec / unvalidated.reqPerSec) * 100).toFixed(0)}% of the same endpoint with validation off (${unvalidated.reqPerSec.toFixed(0)} req/s): what validating costs`,
    line(
      submit.peakRssMb <= GOALS.rssMb,
      `server RSS under load ${submit.peakRssMb.toFixed(0)} MB ≤ ${GOALS.rssMb} MB`,
    ),
    line(
      submit.errors === 0 && submit.unexpectedStatus === 0,
      `no errors or unexpected statuses while submitting`,
    ),
  ];
}

function table(rows: LoadResult[]): string {
  const head = [
    "scenario",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "non-expected",
    "RSS MB",
    "CPU µs/req",
    "CPU % server/loadgen",
    "vs baseline",
  ];
  const body = rows.map((r) => [
    r.scenario,
    r.reqPerSec.toFixed(0),
    String(r.p50Ms),
    String(r.p99Ms),
    String(r.errors),
    String(r.unexpectedStatus),
    r.peakRssMb.toFixed(0),
    r.cpuUsPerRequest.toFixed(0),
    `${r.serverCpuPct.toFixed(0)}/${r.loadGenCpuPct.toFixed(0)}`,
    r.ratioToBaseline === undefined ? "" : `${(r.ratioToBaseline * 100).toFixed(0)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [fmt(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(fmt)].join("\n");
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const synchronous = (process.env.DB_SYNCHRONOUS || "FULL").toUpperCase();
  const dir = mkdtempSync(join(tmpdir(), "lianma-bench-"));
  const password = randomBytes(12).toString("hex");
  const pool = answerPool(2000);
  let next = 0;
  const started: Served[] = [];
  console.log(
    `lianma bench: ${opts.durationSec}s per scenario, ${opts.connections} connections, synchronous=${synchronous}, ` +
      `${cpus().length} CPUs, Node ${process.version}, temp dir ${dir}`,
  );
  try {
    const results: LoadResult[] = [];
    // What `npm start` runs: the server bundled by scripts/build-server.mjs, without the tsx loader;
    // the reference (the same endpoint, validation off) is bundled the same way.
    execFileSync(process.execPath, [here("../scripts/build-server.mjs")], { stdio: "inherit" });
    execFileSync(process.execPath, [here("../scripts/build-server.mjs"), ...UNVALIDATED_BUILD], {
      stdio: "inherit",
    });
    // All four ingest servers run side by side (an idle one costs no CPU) and are measured in
    // alternating rounds, so that a machine getting faster or slower affects all four alike.
    const baseline = await startNodeServer(
      here("./baseline-server.ts"),
      { DATABASE_URL: `file:${join(dir, "baseline.db")}` },
      "baseline server",
    );
    started.push(baseline);
    const productEnv = (file: string) => ({
      DATABASE_URL: `file:${join(dir, file)}`,
      ADMIN_PASSWORD: password,
      APP_SECRET: BENCH_SECRET,
      SUBMIT_RATE_PER_MINUTE: "1000000000",
    });
    const unvalidated = await startNodeServer(
      here("../dist/bench-unvalidated-server.mjs"),
      productEnv("unvalidated.db"),
      "unvalidated reference server",
    );
    started.push(unvalidated);
    const dbFile = join(dir, "lianma.db");
    const server = await startNodeServer(
      here("../dist/server.mjs"),
      productEnv("lianma.db"),
      "lianma server",
    );
    started.push(server);
    // The product again with its checks on the check thread (VALIDATION_THREAD=1, opt-in): what
    // the thread buys, measured beside the default (docs/PERFORMANCE.md).
    const threaded = await startNodeServer(
      here("../dist/server.mjs"),
      { ...productEnv("threaded.db"), VALIDATION_THREAD: "1" },
      "lianma server, VALIDATION_THREAD=1",
    );
    started.push(threaded);
    const idleRssMb = server.rssMb();
    const admin = await login(server.url, password);
    const form = await publishChecklist(server.url, admin, "基准测试检查表");
    const unvalidatedForm = await publishChecklist(
      unvalidated.url,
      await login(unvalidated.url, password),
      "基准测试检查表",
    );
    const threadedForm = await publishChecklist(
      threaded.url,
      await login(threaded.url, password),
      "基准测试检查表",
    );
    const submitBody = (version: number) => () =>
      `{"id":"${randomUUID()}","version":${version},"data":${pool[next++ % pool.length]}}`;
    const json = { "Content-Type": "application/json" };
    const ingest: LoadSpec[] = [
      {
        scenario: "bare insert route (no validation)",
        served: baseline,
        path: "/insert",
        method: "POST",
        headers: json,
        body: submitBody(1),
        expectStatus: 201,
      },
      {
        scenario: "same endpoint, validation off",
        served: unvalidated,
        path: `/api/public/forms/${unvalidatedForm.id}/responses`,
        method: "POST",
        headers: json,
        body: submitBody(unvalidatedForm.version),
        expectStatus: 201,
      },
      {
        scenario: "submit 30-question checklist",
        served: server,
        path: `/api/public/forms/${form.id}/responses`,
        method: "POST",
        headers: json,
        body: submitBody(form.version),
        expectStatus: 201,
      },
      {
        scenario: "same, checked on a thread",
        served: threaded,
        path: `/api/public/forms/${threadedForm.id}/responses`,
        method: "POST",
        headers: json,
        body: submitBody(threadedForm.version),
        expectStatus: 201,
      },
    ];
    const rounds: LoadResult[][] = ingest.map(() => []);
    for (let round = 0; round < (opts.readsOnly ? 0 : opts.rounds); round++)
      for (const [i, spec] of ingest.entries()) rounds[i]!.push(await load(spec, opts));
    // Each scenario is reported by its median round (so its figures belong to one run); the ratio
    // to the bare route is the median of the per-round ratios.
    if (!opts.readsOnly) for (const runs of rounds) results.push(medianRound(runs));
    for (const [i, r] of results.entries())
      if (i > 0)
        r.ratioToBaseline = median(rounds[i]!.map((run, k) => run.reqPerSec / rounds[0]![k]!.reqPerSec));
    const submit = results[2];

    // The public reads, each against the bare read route of the same run.
    const reads: LoadResult[] = [];
    if (!opts.ingestOnly) {
      const code = await seedPublicInspection(dbFile, BENCH_SECRET);
      reads.push(
        await load(
          {
            scenario: "bare read route",
            served: baseline,
            path: `/read/${BASELINE_FORM}`,
            expectStatus: 200,
          },
          opts,
        ),
        await load(
          {
            scenario: "GET form schema (200)",
            served: server,
            path: `/api/public/forms/${form.id}`,
            expectStatus: 200,
          },
          opts,
        ),
        await load(
          {
            scenario: "GET public inspection data",
            served: server,
            path: `/api/public/inspections/${code}`,
            expectStatus: 200,
          },
          opts,
        ),
      );
      for (const r of reads.slice(1)) r.ratioToBaseline = r.reqPerSec / reads[0]!.reqPerSec;
    }
    await baseline.stop();
    await unvalidated.stop();
    await threaded.stop();
    const etag = `"${form.id}-v${form.version}"`;
    if (!opts.ingestOnly && !opts.readsOnly)
      results.push(
        await load(
          {
            scenario: "GET form schema (304, If-None-Match)",
            served: server,
            path: `/api/public/forms/${form.id}`,
            headers: { "If-None-Match": etag },
            expectStatus: 304,
          },
          opts,
        ),
        await load(
          {
            scenario: "GET QR PNG (cached render)",
            served: server,
            path: `/api/forms/${form.id}/qr.png`,
            headers: { Cookie: admin.cookie },
            expectStatus: 200,
          },
          opts,
        ),
      );
    if (!opts.readsOnly)
      for (const r of results.slice(4)) r.ratioToBaseline = r.reqPerSec / results[0]!.reqPerSec;

    let csv: ExportResult | undefined;
    let seedSec = 0;
    if (!opts.ingestOnly && !opts.readsOnly) {
      const exportForm = await publishChecklist(server.url, admin, "导出基准");
      console.log(`… seeding ${opts.exportRows} responses, then CSV export`);
      const seedStart = performance.now();
      await seedResponses(dbFile, exportForm.id, exportForm.version, opts.exportRows);
      seedSec = (performance.now() - seedStart) / 1000;
      console.log("… CSV export download");
      csv = await timeCsvExport(server, admin, exportForm.id, opts.exportRows);
    }
    const dashboardDb = opts.dashboardDb ?? (existsSync(LARGE_DB) ? LARGE_DB : undefined);
    if (dashboardDb && !opts.ingestOnly) console.log("… dashboard queries");
    const dashboard = opts.ingestOnly
      ? { skipped: "--ingest-only" }
      : opts.readsOnly
        ? { skipped: "--reads-only" }
        : dashboardDb
          ? await dashboardBench(dashboardDb)
          : {
              skipped: `no city data set: run npm run seed:large (${LARGE_DB}) or pass --dashboard-db <file>`,
            };
    const serverMetrics = await metrics(server.url, admin);
    const peakRssMb = server.peakRssMb();

    if (results.length) console.log(`\n${table(results)}\n`);
    if (reads.length) console.log(`\npublic reads (vs the bare read route):\n${table(reads)}\n`);
    console.log(
      `ingest scenarios in ${opts.rounds} alternating round(s), req/s per round (the table shows the median round):`,
    );
    for (const r of results.filter((r) => r.roundsReqPerSec))
      console.log(`  ${r.scenario.padEnd(36)} ${r.roundsReqPerSec!.join(" · ")}`);
    console.log("");
    if (csv)
      console.log(
        `CSV export: ${csv.rows} responses (seeded by SQL in ${seedSec.toFixed(1)} s) → ${csv.megabytes.toFixed(1)} MB in ` +
          `${csv.seconds.toFixed(2)} s (${(csv.rows / csv.seconds).toFixed(0)} rows/s), HTTP ${csv.status}, ` +
          `server RSS peak during export ${csv.peakRssMb.toFixed(0)} MB`,
      );
    console.log(
      `server RSS: ${idleRssMb.toFixed(0)} MB idle after start, peak over the whole run (VmHWM) ${peakRssMb.toFixed(0)} MB`,
    );
    if (Array.isArray(dashboard)) {
      console.log(`\ndashboard queries (${dashboardDb}):`);
      for (const d of dashboard)
        console.log(
          `  ${d.name.padEnd(40)} p50 ${d.p50Ms.toFixed(1)} ms  p99 ${d.p99Ms.toFixed(1)} ms  (${d.runs} runs)`,
        );
    } else console.log(`dashboard queries skipped: ${dashboard.skipped}`);
    if (serverMetrics) console.log(`\nGET /api/metrics: ${JSON.stringify(serverMetrics)}`);
    else console.log("GET /api/metrics: not available");
    const goals = submit ? goalLines(submit, results[1]!) : [];
    if (reads.length) goals.push(...readGoalLines(reads, peakRssMb));
    console.log(
      `\ngoal check (issues 6 and 17, synchronous=${synchronous}${opts.quick ? ", QUICK run: indicative only" : ""}):`,
    );
    for (const g of goals) console.log(`  ${g}`);

    mkdirSync(here("./results"), { recursive: true });
    const out = here(`./results/${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    const report = {
      takenAt: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
      options: { ...opts, synchronous },
      scenarios: results,
      reads,
      csvExport: csv ? { ...csv, seedSeconds: seedSec } : null,
      serverIdleRssMb: idleRssMb,
      serverPeakRssMb: peakRssMb,
      dashboard,
      metrics: serverMetrics,
      goals,
    };
    writeFileSync(out, JSON.stringify(report, null, 2));
    console.log(`\nresults written to ${out}`);
  } finally {
    for (const s of started) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
