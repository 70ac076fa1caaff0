/**
 * `npm run seed:demo` as a process on DATABASE_URL (tests/seed.test.ts covers seedDemo itself in the
 * API suite): it spawns the CLI twice, so it runs with the other process tests.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lianma-seed-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("npm run seed:demo", () => {
  it("runs as `npm run seed:demo` on DATABASE_URL, twice, printing the demo password once", async () => {
    const run = () =>
      promisify(execFile)(process.execPath, ["--import", "tsx", "src/seed/demo.ts"], {
        env: {
          ...process.env,
          DATABASE_URL: `file:${join(dir, "cli.db")}`,
          DEMO_PASSWORD: "Cli-demo-password",
        },
      });
    const firstRun = await run();
    expect(firstRun.stdout).toContain("200 enterprises");
    expect(firstRun.stdout).toContain("password: Cli-demo-password");
    expect(firstRun.stdout).toContain("sfj-supervisor");
    const secondRun = await run();
    expect(secondRun.stdout).toContain("new this run: 0 filings");
    expect(secondRun.stdout).not.toContain("Cli-demo-password");
  }, 90_000);
});
