import type { NegativeAnswer } from "../forms/negative.ts";
import { localDate } from "../lib/time.ts";

/** Fewest evaluations a month must hold before a department sees anything of it (R9 anonymity). */
export const MIN_GROUP_SIZE = 5;

export interface EvaluationFacts {
  submittedAt: number;
  score: number | null;
  negative: boolean;
  negativeAnswers: Pick<NegativeAnswer, "name" | "title">[];
}

export interface Aggregate {
  count: number;
  averageScore: number | null;
  negativeCount: number;
  negativeRate: number | null;
  questions: { name: string; title: string; negativeCount: number }[];
  /** Evaluations left out because their month held fewer than `minGroupSize`. */
  suppressed: number;
  minGroupSize: number;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Aggregates evaluations: count, average score, negative rate and negative answers per question.
 * With `minGroupSize` > 1, whole calendar months (in `timeZone`) holding fewer evaluations are left
 * out, so no single evaluation can be read off a narrow period, nor off the difference between two
 * queries (their difference is always a set of whole months of at least that size).
 */
export function aggregate(rows: EvaluationFacts[], minGroupSize: number, timeZone: string): Aggregate {
  const months = new Map<string, EvaluationFacts[]>();
  for (const row of rows) {
    const key = localDate(row.submittedAt, timeZone).slice(0, 7);
    const list = months.get(key);
    if (list) list.push(row);
    else months.set(key, [row]);
  }
  const kept = [...months.values()].filter((m) => m.length >= minGroupSize).flat();
  const scores = kept.map((r) => r.score).filter((s): s is number => s !== null);
  const negativeCount = kept.filter((r) => r.negative).length;
  const questions = new Map<string, { name: string; title: string; negativeCount: number }>();
  for (const row of kept) {
    for (const name of new Set(row.negativeAnswers.map((a) => a.name))) {
      const title = row.negativeAnswers.find((a) => a.name === name)?.title ?? name;
      const q = questions.get(name) ?? { name, title, negativeCount: 0 };
      q.negativeCount++;
      questions.set(name, q);
    }
  }
  return {
    count: kept.length,
    averageScore: scores.length ? round(scores.reduce((a, b) => a + b, 0) / scores.length, 1) : null,
    negativeCount,
    negativeRate: kept.length ? round(negativeCount / kept.length, 4) : null,
    questions: [...questions.values()].sort(
      (a, b) => b.negativeCount - a.negativeCount || a.name.localeCompare(b.name),
    ),
    suppressed: rows.length - kept.length,
    minGroupSize,
  };
}
