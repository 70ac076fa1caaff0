/** A 案卷评查 score from the review form: each rating question's value counts, up to its rateMax. */
interface Element {
  type?: string;
  name?: string;
  title?: string;
  rateMax?: number;
  rateMin?: number;
  isRequired?: boolean;
  elements?: Element[];
}

function ratings(schema: { pages?: { elements?: Element[] }[] }): Element[] {
  const out: Element[] = [];
  const walk = (els: Element[] = []) => {
    for (const e of els) {
      if (e.type === "rating" && e.name) out.push(e);
      walk(e.elements);
    }
  };
  for (const p of schema.pages ?? []) walk(p.elements);
  return out;
}

/** The score and maximum, with the reviewer's notes; or the first problem with the answers. */
export function scoreReview(
  schema: { pages?: { elements?: Element[] }[] },
  answers: Record<string, unknown>,
): { score: number; max: number; notes: string[] } | { problem: string } {
  const items = ratings(schema);
  if (items.length === 0) return { problem: "评查表没有评分项" };
  let score = 0;
  let max = 0;
  for (const e of items) {
    const top = e.rateMax ?? 5;
    const value = answers[e.name!];
    max += top;
    if (typeof value !== "number" || !Number.isFinite(value) || value < (e.rateMin ?? 0) || value > top)
      return { problem: `“${e.title ?? e.name}”须打 ${e.rateMin ?? 0}–${top} 分` };
    score += value;
  }
  const notes = Object.entries(answers)
    .filter(([k, v]) => k.endsWith("_note") && typeof v === "string" && v.trim())
    .map(([, v]) => String(v).trim().slice(0, 200));
  return { score, max, notes };
}
