import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  drawReviewSample,
  REVIEW_ALGORITHM,
  REVIEW_FILE_FORMAT,
  reviewSnapshotHash,
  verifyReviewFile,
  type ReviewSnapshot,
  type ReviewVerificationFile,
} from "../src/reviews/sample.ts";
import { commitmentOf } from "../src/sampling/draw.ts";
import { WORKER_TARGET } from "./worker/target.ts";

const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, "0")}`);

const snapshot: ReviewSnapshot = {
  taskId: "review-2026-q4",
  periodFrom: "2026-10-01",
  periodTo: "2026-12-31",
  perDepartment: 5,
  departments: [
    { id: "dept-b", inspectionIds: ids("b", 40).reverse() },
    { id: "dept-a", inspectionIds: ids("a", 12) },
    { id: "dept-c", inspectionIds: ids("c", 3) },
  ],
};
const SEED = "5f1c0d9e2b7a4c6e8f0a1b2c3d4e5f60";

function file(seed = SEED): ReviewVerificationFile {
  return {
    format: REVIEW_FILE_FORMAT,
    algorithm: REVIEW_ALGORITHM,
    taskId: snapshot.taskId,
    commitment: commitmentOf(seed),
    seed,
    snapshotHash: reviewSnapshotHash(snapshot),
    snapshot,
    result: drawReviewSample(snapshot, seed),
  };
}

describe("案卷评查 sample", () => {
  it("draws the same sample from the same seed, whatever order the rows were read in", () => {
    const again = drawReviewSample(
      {
        ...snapshot,
        departments: [...snapshot.departments]
          .reverse()
          .map((d) => ({ ...d, inspectionIds: [...d.inspectionIds].reverse() })),
      },
      SEED,
    );
    expect(again).toEqual(drawReviewSample(snapshot, SEED));
    expect(drawReviewSample(snapshot, "another-seed")).not.toEqual(again);
  });

  it("takes up to N distinct inspections of each department's own pool", () => {
    const { picks } = drawReviewSample(snapshot, SEED);
    expect(picks.map((p) => [p.departmentId, p.inspectionIds.length, p.pool])).toEqual([
      ["dept-a", 5, 12],
      ["dept-b", 5, 40],
      ["dept-c", 3, 3],
    ]);
    for (const p of picks) {
      expect(new Set(p.inspectionIds).size).toBe(p.inspectionIds.length);
      const pool = snapshot.departments.find((d) => d.id === p.departmentId)!.inspectionIds;
      expect(p.inspectionIds.every((id) => pool.includes(id))).toBe(true);
    }
  });

  it("verifies a published sample and refuses a changed seed, snapshot or result", () => {
    expect(verifyReviewFile(file())).toEqual({ ok: true, problems: [] });
    expect(verifyReviewFile({ ...file(), seed: "guessed" }).ok).toBe(false);
    const swapped = file();
    swapped.result.picks[1]!.inspectionIds[0] = "b039";
    expect(verifyReviewFile(swapped).problems.join()).toContain("重算");
    const trimmed = file();
    trimmed.snapshot = { ...snapshot, departments: snapshot.departments.slice(1) };
    expect(verifyReviewFile(trimmed).ok).toBe(false);
  });
});

describe.skipIf(WORKER_TARGET)("npm run verify-draw on a review sample", () => {
  it("prints OK for the published file and FAILED for a tampered one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lianma-review-"));
    try {
      const run = promisify(execFile);
      const good = join(dir, "good.json");
      await writeFile(good, JSON.stringify(file()));
      const ok = await run(process.execPath, ["--import", "tsx", "scripts/verify-draw.ts", good]);
      expect(ok.stdout).toContain("OK 评查抽样验证通过");
      const bad = join(dir, "bad.json");
      await writeFile(bad, JSON.stringify({ ...file(), seed: "guessed" }));
      const failed = await run(process.execPath, ["--import", "tsx", "scripts/verify-draw.ts", bad]).catch(
        (e: { code: number; stdout: string }) => e,
      );
      expect((failed as { code: number }).code).toBe(1);
      expect((failed as { stdout: string }).stdout).toContain("承诺值不符");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
