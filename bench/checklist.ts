/**
 * The benchmark's form: a 30-question on-site checklist like the ones officers fill (R7), with the
 * features that cost a validator something: required answers, choices, a length limit, and
 * follow-up questions that become visible (and required) when an item fails.
 */

const RESULTS = ["合格", "不合格", "不适用"] as const;
const ITEMS = 25;
const FOLLOW_UPS = 3;

/** 2 text + 25 items + 3 conditional follow-ups = 30 questions. */
export function checklistSchema(title = "基准测试检查表") {
  const elements: Record<string, unknown>[] = [
    { type: "text", name: "unit", title: "被检查单位", isRequired: true, maxLength: 100 },
    { type: "text", name: "place", title: "检查地点", maxLength: 200 },
  ];
  for (let i = 1; i <= ITEMS; i++) {
    elements.push({
      type: "radiogroup",
      name: `item${i}`,
      title: `检查项 ${i}`,
      isRequired: true,
      choices: [...RESULTS],
    });
    if (i <= FOLLOW_UPS) {
      elements.push({
        type: "comment",
        name: `item${i}_fix`,
        title: `检查项 ${i} 整改要求`,
        visibleIf: `{item${i}} = '不合格'`,
        isRequired: true,
        maxLength: 500,
      });
    }
  }
  return { title, pages: [{ name: "checklist", elements }] };
}

/** A valid random answer set: mostly 合格, some 不适用 and 不合格 (with the required follow-up). */
export function randomAnswers(rand: () => number = Math.random): Record<string, string> {
  const data: Record<string, string> = { unit: `单位${Math.floor(rand() * 1e6)}`, place: "生产车间" };
  for (let i = 1; i <= ITEMS; i++) {
    const r = rand();
    const result = r < 0.85 ? RESULTS[0] : r < 0.95 ? RESULTS[2] : RESULTS[1];
    data[`item${i}`] = result;
    if (i <= FOLLOW_UPS && result === "不合格") data[`item${i}_fix`] = "限期十日内整改完毕";
  }
  return data;
}

/** Serialized answer sets to draw request bodies from without paying JSON.stringify per request. */
export function answerPool(size: number): string[] {
  return Array.from({ length: size }, () => JSON.stringify(randomAnswers()));
}
