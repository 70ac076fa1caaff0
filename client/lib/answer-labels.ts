/** How a form version names its questions and answers: title for name, text for a choice's value. */
export interface QuestionLabels {
  title: string;
  texts: Map<string, string>;
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function localized(value: unknown): string {
  if (typeof value === "string") return value;
  if (isRecord(value)) {
    for (const key of ["default", "zh-cn", "en"])
      if (typeof value[key] === "string") return value[key] as string;
  }
  return "";
}

function choiceTexts(list: unknown): Map<string, string> {
  const texts = new Map<string, string>();
  if (!Array.isArray(list)) return texts;
  for (const entry of list) {
    if (typeof entry === "string" && entry.includes("|")) {
      const bar = entry.indexOf("|");
      texts.set(entry.slice(0, bar), entry.slice(bar + 1));
    } else if (isRecord(entry) && entry.value !== undefined && entry.value !== null) {
      const text = localized(entry.text);
      if (text) texts.set(String(entry.value), text);
    }
  }
  return texts;
}

/**
 * The labels of every question of a SurveyJS schema, by question name — what the exports show
 * (src/responses/export.ts), so the responses list reads 检查结果: 合格 rather than question3: item1.
 */
export function questionLabels(schema: unknown): Map<string, QuestionLabels> {
  const labels = new Map<string, QuestionLabels>();
  const visit = (elements: unknown) => {
    if (!Array.isArray(elements)) return;
    for (const element of elements) {
      if (!isRecord(element)) continue;
      visit(element.elements);
      visit(element.templateElements);
      if (typeof element.name !== "string") continue;
      const texts = choiceTexts(element.type === "rating" ? element.rateValues : element.choices);
      if (element.type === "boolean") {
        texts.set(String(element.valueTrue ?? true), localized(element.labelTrue) || "是");
        texts.set(String(element.valueFalse ?? false), localized(element.labelFalse) || "否");
      }
      labels.set(element.name, { title: localized(element.title) || element.name, texts });
    }
  };
  if (isRecord(schema)) {
    visit(schema.elements);
    if (Array.isArray(schema.pages))
      for (const page of schema.pages) if (isRecord(page)) visit(page.elements);
  }
  return labels;
}

/** One answer as the person saw it: choice texts for values, "、" between several. */
export function answerText(value: unknown, labels: QuestionLabels | undefined): string {
  const one = (v: unknown): string => {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean")
      return labels?.texts.get(String(v)) ?? String(v);
    return isRecord(v) ? "{…}" : String(v);
  };
  return Array.isArray(value) ? value.map(one).join("、") : one(value);
}
