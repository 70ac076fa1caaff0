import { PAGE_PROPS } from "./metadata.ts";

type Json = Record<string, unknown>;

/** Each item page's checklist form and version, by item code, from a generated checklist. */
export function checkpointPages(schema: Json): Map<string, { formId: string; formVersion: number }> {
  const pages = Array.isArray(schema.pages) ? (schema.pages as Json[]) : [];
  const out = new Map<string, { formId: string; formVersion: number }>();
  for (const p of pages) {
    const code = p[PAGE_PROPS.itemCode];
    if (typeof code !== "string") continue;
    out.set(code, {
      formId: String(p[PAGE_PROPS.formId] ?? ""),
      formVersion: Number(p[PAGE_PROPS.formVersion] ?? 0),
    });
  }
  return out;
}
