// npm run verify-draw -- <file>: checks a published 双随机 draw (the verification file downloaded from the
// public 公示 page) — sha256(seed) against the commitment, the snapshot against its hash, and the outcome
// against a recomputation with the same algorithm. Prints OK or the differences; exit code 0 / 1.
import { readFile } from "node:fs/promises";
import { REVIEW_FILE_FORMAT, verifyReviewFile, type ReviewVerificationFile } from "../src/reviews/sample.ts";
import { verifyDrawFile, type VerificationFile } from "../src/sampling/draw.ts";

async function main(path: string | undefined): Promise<number> {
  if (!path) {
    console.error("用法：npm run verify-draw -- <验证文件.json>");
    return 1;
  }
  let file: VerificationFile;
  try {
    file = JSON.parse(await readFile(path, "utf8")) as VerificationFile;
  } catch (error) {
    console.error(`无法读取 ${path}：${(error as Error).message}`);
    return 1;
  }
  // A 案卷评查 sample (issue 16) is drawn with the same machinery and checked the same way.
  if ((file as { format?: string }).format === REVIEW_FILE_FORMAT) {
    const review = file as unknown as ReviewVerificationFile;
    const checked = verifyReviewFile(review);
    if (checked.ok) {
      const n = review.result.picks.reduce((sum, p) => sum + p.inspectionIds.length, 0);
      console.log(
        `OK 评查抽样验证通过：任务 ${review.taskId}，承诺值 ${review.commitment}，抽中案卷 ${n} 件`,
      );
      return 0;
    }
    console.log("验证失败 FAILED：");
    for (const p of checked.problems) console.log(`  - ${p}`);
    return 1;
  }
  const { ok, problems } = verifyDrawFile(file);
  if (ok) {
    const picks = file.result.picks.length;
    console.log(
      `OK 抽取结果验证通过：任务 ${file.taskId}，承诺值 ${file.commitment}，抽中 ${picks} 户，结果可由公开种子重算`,
    );
    return 0;
  }
  console.log("验证失败 FAILED：");
  for (const p of problems) console.log(`  - ${p}`);
  return 1;
}

process.exitCode = await main(process.argv[2]);
