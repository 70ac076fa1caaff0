/**
 * 案卷评查 (case-file review, issue 16): which registered inspections of each department are reviewed,
 * drawn with the 双随机 machinery (src/sampling/draw.ts) — the frozen snapshot is hashed, the seed
 * committed to by sha256 before the draw and published after it, so anyone can recompute the sample
 * (npm run verify-draw -- <file> takes this file too). The same seed and snapshot give the same sample.
 */
import { canonicalJson, commitmentOf, Stream } from "../sampling/draw.ts";
import { sha256HexOf } from "../sampling/sha256.ts";

export const REVIEW_ALGORITHM = "lianma-review-v1";
export const REVIEW_FILE_FORMAT = "lianma-review-sample/1";

export interface ReviewSnapshot {
  taskId: string;
  /** YYYY-MM-DD, both inclusive: inspections registered in the period. */
  periodFrom: string;
  periodTo: string;
  perDepartment: number;
  /** Each department's registered inspections, ids sorted; departments sorted by id. */
  departments: { id: string; inspectionIds: string[] }[];
}

export interface ReviewSample {
  picks: { departmentId: string; inspectionIds: string[]; pool: number }[];
}

export interface ReviewVerificationFile {
  format: typeof REVIEW_FILE_FORMAT;
  algorithm: typeof REVIEW_ALGORITHM;
  taskId: string;
  commitment: string;
  seed: string;
  snapshotHash: string;
  snapshot: ReviewSnapshot;
  result: ReviewSample;
}

const sorted = (ids: readonly string[]) => [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** The snapshot in its canonical order, so its hash does not depend on how the rows were read. */
export function reviewSnapshot(s: ReviewSnapshot): ReviewSnapshot {
  return {
    ...s,
    departments: [...s.departments]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((d) => ({ id: d.id, inspectionIds: sorted(d.inspectionIds) })),
  };
}

export const reviewSnapshotHash = (s: ReviewSnapshot) => sha256HexOf(canonicalJson(reviewSnapshot(s)));

/** Up to `perDepartment` inspections of each department: a partial Fisher–Yates on the sorted pool. */
export function drawReviewSample(snapshot: ReviewSnapshot, seed: string): ReviewSample {
  const s = reviewSnapshot(snapshot);
  return {
    picks: s.departments.map((d) => {
      const stream = new Stream(seed, `${REVIEW_ALGORITHM}/${d.id}`);
      const pool = [...d.inspectionIds];
      const k = Math.min(s.perDepartment, pool.length);
      for (let i = 0; i < k; i++) {
        const j = i + stream.below(pool.length - i);
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      return { departmentId: d.id, inspectionIds: pool.slice(0, k), pool: pool.length };
    }),
  };
}

/** Checks a published review sample: the seed against its commitment, the snapshot, the recomputed sample. */
export function verifyReviewFile(file: ReviewVerificationFile): { ok: boolean; problems: string[] } {
  const problems: string[] = [];
  if (file.format !== REVIEW_FILE_FORMAT || file.algorithm !== REVIEW_ALGORITHM)
    problems.push(`不支持的文件格式或算法：${file.format} / ${file.algorithm}`);
  if (commitmentOf(file.seed) !== file.commitment) problems.push("种子的 sha256 与事先公布的承诺值不符");
  if (reviewSnapshotHash(file.snapshot) !== file.snapshotHash) problems.push("名单快照与其哈希值不符");
  if (file.snapshot.taskId !== file.taskId) problems.push("快照不属于该评查任务");
  const again = drawReviewSample(file.snapshot, file.seed);
  if (canonicalJson(again) !== canonicalJson(file.result))
    problems.push("按公开种子重算的抽取结果与公布结果不符");
  return { ok: problems.length === 0, problems };
}
