import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // tests/worker/ runs under vitest.workers.config.ts (npm run test:worker), against the Worker bundle.
    exclude: ["tests/browser/**", "tests/worker/**", "node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
