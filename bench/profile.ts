/**
 * `npm run bench:profile` — where the submission endpoint spends its CPU. Starts the bundled server
 * (what `npm start` runs) with `node --cpu-prof`, publishes the benchmark checklist, drives it with
 * autocannon like `npm run bench` does, stops the server and prints the profile: self time per
 * function (top 30) and per place (our source file, or npm package). The .cpuprofile is kept for
 * Chrome DevTools / speedscope. Flags: --duration <s> (default 8), --connections <n> (default 50),
 * --baseline (profile bench/baseline-server.ts instead, the bare insert route), --unvalidated (the
 * product's server with validation off, bench/unvalidated-server.ts).
 */
import autocannon from "autocannon";
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { login, publishChecklist } from "./api.ts";
import { answerPool } from "./checklist.ts";
import { UNVALIDATED_BUILD, startNodeServer } from "./processes.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function flag(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number`);
  return n;
}

/** Our file relative to the repository, an npm package's name, or a Node/V8 category. */
function place(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return "node internals";
  const repo = fileURLToPath(new URL("../", import.meta.url));
  return url.replace(/^file:\/\//, "").replace(repo, "");
}

function summarize(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const label = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    return `${functionName || "(anonymous)"}  ${place(url, functionName)}${url ? `:${lineNumber + 1}` : ""}`;
  };
  const fns = new Map<string, number>();
  const places = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url } = byId.get(id)!.callFrame;
    const where = place(url, functionName);
    const fn = label(byId.get(id)!);
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    places.set(where, (places.get(where) ?? 0) + us);
  }
  // Inclusive time: a sample counts once for every distinct function on its stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      seen.add(label(byId.get(at)!));
    for (const fn of seen) inclusive.set(fn, (inclusive.get(fn) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${k}`)
      .join("\n");
  return { total, functions: top(fns, 30), places: top(places, 20), inclusive: top(inclusive, 60) };
}

async function main() {
  const argv = process.argv.slice(2);
  const duration = flag(argv, "--duration", 8);
  const connections = flag(argv, "--connections", 50);
  const baselineOnly = argv.includes("--baseline");
  // --unvalidated: the product's server with validation off (bench/unvalidated-server.ts).
  const build: readonly string[] = argv.includes("--unvalidated")
    ? UNVALIDATED_BUILD
    : ["src/server.ts", "dist/server.mjs"];
  const bundle = build[1]!;
  const dir = mkdtempSync(join(tmpdir(), "lianma-profile-"));
  const profDir = join(dir, "profiles");
  const password = randomBytes(12).toString("hex");
  const nodeArgs = ["--cpu-prof", `--cpu-prof-dir=${profDir}`];
  let server;
  let path: string;
  let version = 1;
  if (baselineOnly) {
    server = await startNodeServer(
      here("./baseline-server.ts"),
      { DATABASE_URL: `file:${join(dir, "baseline.db")}` },
      "baseline server",
      nodeArgs,
    );
    path = "/insert";
  } else {
    execFileSync(process.execPath, [here("../scripts/build-server.mjs"), ...build], {
      stdio: "inherit",
    });
    server = await startNodeServer(
      here(`../${bundle}`),
      {
        DATABASE_URL: `file:${join(dir, "lianma.db")}`,
        ADMIN_PASSWORD: password,
        SUBMIT_RATE_PER_MINUTE: "1000000000",
      },
      "lianma server",
      nodeArgs,
    );
    const admin = await login(server.url, password);
    const form = await publishChecklist(server.url, admin, "性能剖析检查表");
    path = `/api/public/forms/${form.id}/responses`;
    version = form.version;
  }
  const pool = answerPool(2000);
  let next = 0;
  const run = (seconds: number) =>
    autocannon({
      url: server.url,
      connections,
      duration: seconds,
      requests: [
        {
          method: "POST",
          path,
          headers: { "Content-Type": "application/json" },
          setupRequest: (req: Record<string, unknown>) => ({
            ...req,
            body: `{"id":"${randomUUID()}","version":${version},"data":${pool[next++ % pool.length]}}`,
          }),
        },
      ],
    });
  await run(2); // warm-up, in the profile too but small next to the measured run
  const cpuBefore = server.cpuMs();
  const r = await run(duration);
  const cpuMs = server.cpuMs() - cpuBefore;
  await server.stop();
  const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no profile written to ${profDir}:\n${server.output()}`);
  const { total, functions, places, inclusive } = summarize(
    JSON.parse(readFileSync(join(profDir, file), "utf8")),
  );
  const answered = r.requests.total;
  console.log(
    `${baselineOnly ? "baseline insert" : "submit 30-question checklist"}: ${r.requests.average.toFixed(0)} req/s, ` +
      `p99 ${r.latency.p99} ms, ${((cpuMs * 1000) / answered).toFixed(0)} µs server CPU per request, ` +
      `profile ${(total / 1e6).toFixed(1)} s sampled`,
  );
  console.log(
    `\nself time by place:\n${places}\n\nself time by function (top 30):\n${functions}\n\ntotal time by function, callees included (top 60):\n${inclusive}`,
  );
  console.log(`\nprofile: ${join(profDir, file)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
