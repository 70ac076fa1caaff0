// Shapes of the 案卷评查 API (src/reviews/routes.ts) as the pages read them.
export interface ReviewItem {
  id: string;
  inspectionId: string;
  departmentId: string;
  reviewerId: string | null;
  score: number | null;
  maxScore: number | null;
  scoredAt: string | null;
  caseId: string | null;
}

export interface ReviewTask {
  id: string;
  name: string;
  periodFrom: string;
  periodTo: string;
  perDepartment: number;
  threshold: number;
  status: "committed" | "drawn";
  commitment: string;
  snapshotHash: string;
  seed: string | null;
  items: ReviewItem[];
  verification: Record<string, unknown> | null;
}

export interface ReviewList {
  items: { id: string; name: string; periodFrom: string; periodTo: string; status: ReviewTask["status"] }[];
  reviewers: { id: string; name: string }[];
}

export const TASK_STATUS: Record<ReviewTask["status"], string> = { committed: "待抽取", drawn: "已抽取" };

/** A file's state as a reviewer reads it. */
export function itemStatus(item: ReviewItem, threshold: number): string {
  if (item.score === null) return "待评查";
  return item.score < threshold ? "低于分数线" : "已评查";
}
