import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // tests/worker/ runs under vitest.workers.config.ts (npm run test:worker), against the Worker bundle;
    // tests/node/ (the spawned-server tests) under vitest.process.config.ts (npm run test:process).
    exclude: ["tests/browser/**", "tests/worker/**", "tests/node/**", "node_modules/**"],
    // The files share one module graph per worker: importing the app (zod/OpenAPI routes, survey-core)
    // afresh for every file cost more CPU than most files' tests. Each test app is still its own
    // database and app (tests/helpers.ts), and module state is caches keyed by what they hold.
    isolate: false,
    // Two files at a time on two cores; each is single-threaded (in-memory libSQL, no sockets).
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
