/**
 * The title a person saw for the answer at `path` (a validation error's field path, e.g. `问题5`,
 * `panel[0].q1` or `matrix[1].col`), so error messages say 「企业名称」 and not the designer's
 * generated name 问题5. Falls back to the name when the schema gives no title.
 */
export function questionTitle(schema: unknown, path: string): string {
  if (!path) return "";
  let parsed: unknown = schema;
  if (typeof schema === "string") {
    try {
      parsed = JSON.parse(schema);
    } catch {
      return path;
    }
  }
  const titles = new Map<string, string>();
  collectTitles(parsed, titles, 0);
  const segments = path.split(/\[\d+\]\.?|\./).filter(Boolean);
  const names = [path, ...segments.reverse()];
  for (const name of names) {
    const title = titles.get(name);
    if (title) return title;
  }
  return path;
}

function collectTitles(node: unknown, out: Map<string, string>, depth: number): void {
  if (depth > 64 || node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const item of node) collectTitles(item, out, depth + 1);
    return;
  }
  const record = node as Record<string, unknown>;
  if (typeof record.name === "string" && !out.has(record.name)) {
    const title = textOf(record.title);
    if (title) out.set(record.name, title);
  }
  for (const key of ["pages", "elements", "templateElements", "detailElements", "columns", "items"]) {
    if (record[key] !== undefined) collectTitles(record[key], out, depth + 1);
  }
}

function textOf(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (value && typeof value === "object") {
    const texts = value as Record<string, unknown>;
    for (const key of ["default", "zh-cn", "en"])
      if (typeof texts[key] === "string") return (texts[key] as string).trim();
  }
  return "";
}
