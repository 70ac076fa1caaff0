import { defineConfig } from "vitest/config";

/**
 * `npm run test:worker`: the API suite of tests/*.test.ts against the Worker bundle in workerd, over
 * Hrana/HTTP (TEST_TARGET=worker, see tests/helpers.ts), plus the Worker's own tests in tests/worker/.
 */
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // tests/node/ holds process-level tests (real server, kill -9, files on disk): Node only.
    exclude: ["tests/browser/**", "tests/node/**", "node_modules/**"],
    env: {
      TEST_TARGET: "worker",
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_HIDE_BANNER: "true",
    },
    globalSetup: ["tests/worker/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file runs its own workerd and stand-in; a real LIBSQL_URL is one database, shared.
    fileParallelism: !process.env.LIBSQL_URL,
    maxWorkers: 2,
  },
});
