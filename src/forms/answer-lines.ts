import { negativeAnswers, questionsOf, valueText, withSurvey } from "./negative.ts";

/** One question and its answer as the respondent saw it, for reading an evaluation. */
export interface AnswerLine {
  name: string;
  title: string;
  value: unknown;
  text: string;
  negative: boolean;
}

/**
 * The answered questions of a response in form order, with the texts of the chosen values and a flag
 * on the negative ones (a panel or matrix is flagged when an answer inside it is). Read with the response's own form version, so old versions keep their labels.
 */
export function answerLines(schema: unknown, data: Record<string, unknown>): AnswerLine[] {
  const negative = negativeAnswers(schema, data).map((a) => a.name);
  // A container (dynamic panel, matrix) is negative when any answer inside it is: `q.row…`, `q[0]…`.
  const isNegative = (name: string) =>
    negative.some((n) => n === name || n.startsWith(`${name}.`) || n.startsWith(`${name}[`));
  return withSurvey(schema, (model) => {
    const lines: AnswerLine[] = [];
    const seen = new Set<string>();
    for (const q of questionsOf(model)) {
      const name = q.getValueName();
      if (seen.has(name) || !Object.hasOwn(data, name)) continue;
      seen.add(name);
      const value = data[name];
      const text = Array.isArray(value) ? value.map((v) => valueText(q, v)).join("、") : valueText(q, value);
      const other = data[`${name}-Comment`];
      lines.push({
        name,
        title: q.title,
        value,
        text: typeof other === "string" && other ? `${text}（${other}）` : text,
        negative: isNegative(name),
      });
    }
    return lines;
  });
}
