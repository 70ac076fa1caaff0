import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // tests/worker/ runs under vitest.workers.config.ts (npm run test:worker), against the Worker bundle;
    // tests/node/ (the spawned-server tests) under vitest.process.config.ts (npm run test:process).
    exclude: ["tests/browser/**", "tests/worker/**", "tests/node/**", "node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
