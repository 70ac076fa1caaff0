import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    workerBundle: string;
  }
}

/** The wrangler environment that keeps every test run offline and quiet. */
export const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

/**
 * Bundles src/worker.ts exactly as `npm run build:worker` / `wrangler deploy` do, once per run; every
 * test file then runs that bundle in workerd (tests/worker/target.ts).
 */
export default function setup(project: TestProject) {
  const outdir = resolve(".wrangler/test-build");
  const wrangler = resolve("node_modules/.bin/wrangler");
  const run = spawnSync(wrangler, ["deploy", "--dry-run", "--outdir", outdir], {
    env: { ...process.env, ...OFFLINE_ENV },
    encoding: "utf8",
  });
  const bundle = resolve(outdir, "worker.js");
  if (run.status !== 0 || !existsSync(bundle)) {
    throw new Error(`wrangler deploy --dry-run failed:\n${run.stdout}\n${run.stderr}`);
  }
  project.provide("workerBundle", bundle);
}
