import { defineConfig } from "vitest/config";

/**
 * The process-level tests (tests/node/: crash, backup, soak, the real server's sockets and headers):
 * each spawns the server, so they run on their own (`npm run test:process`, part of `npm test`) and
 * the API suite (`vitest run`) stays quick.
 */
export default defineConfig({
  test: {
    include: ["tests/node/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
