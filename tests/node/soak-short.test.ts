/**
 * The CI version of `npm run soak` (scripts/soak.ts): the same load on the real server for ~20 s. No
 * timing is asserted (the machine is shared); errors, 5xx and health are, and RSS growth only against
 * a bound a real leak under this load would cross.
 */
import { describe, expect, it } from "vitest";
import { runSoak } from "../../scripts/soak.ts";

const LEAK_BOUND_BYTES = 200 * 1024 * 1024;

describe("npm run soak, short", () => {
  it("serves a steady mixed load for 20 s with no errors and stays healthy", async () => {
    const report = await runSoak({ durationMs: 20_000, rate: 40, sampleMs: 2_000 });
    console.log(
      JSON.stringify({
        soakShort: {
          requests: report.requests,
          errors: report.errors,
          p50Ms: report.p50Ms,
          p99Ms: report.p99Ms,
          byKind: report.byKind,
          rssStartMB: report.rss.startBytes && +(report.rss.startBytes / 1048576).toFixed(1),
          rssEndMB: report.rss.endBytes && +(report.rss.endBytes / 1048576).toFixed(1),
        },
      }),
    );
    expect(report.errorSamples).toEqual([]);
    expect(report.errors).toBe(0);
    expect(report.serverErrors5xx).toBe(0);
    expect(report.requests).toBeGreaterThanOrEqual(20 * 40 * 0.9);
    expect(report.byKind.submit.count).toBeGreaterThan(0);
    expect(report.byKind.login.count).toBeGreaterThan(0);
    expect(report.healthyAtEnd).toBe(true);
    expect(report.rss.samples.length).toBeGreaterThan(2);
    expect(report.rss.growthBytes!).toBeLessThan(LEAK_BOUND_BYTES);
  }, 90_000);
});
