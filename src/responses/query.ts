import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import type { Db } from "../db/client.ts";
import { responses } from "../db/schema.ts";
import { decodeCursor as decode, encodeCursor as encode } from "../lib/cursor.ts";
import { ApiError } from "../lib/errors.ts";
import { parseBound } from "../lib/time.ts";

export const ResponseFilterQuery = z.object({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  version: z.coerce.number().int().min(1).optional(),
});

export const ResponseListQuery = ResponseFilterQuery.extend({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface ResponseFilter {
  formId: string;
  fromMs?: number;
  toMs?: number;
  version?: number;
}

/** Turns query text into a filter; a bad date is a 400, never silently ignored. */
export function toFilter(
  formId: string,
  q: z.infer<typeof ResponseFilterQuery>,
  timeZone: string,
): ResponseFilter {
  const bound = (text: string | undefined, name: string, endOfDay: boolean) => {
    if (text === undefined || text === "") return undefined;
    const ms = parseBound(text, timeZone, endOfDay);
    if (ms === null)
      throw new ApiError(400, "invalid_request", `${name} 不是有效日期（YYYY-MM-DD 或 ISO 时间）`);
    return ms;
  };
  return { formId, fromMs: bound(q.from, "from", false), toMs: bound(q.to, "to", true), version: q.version };
}

/** Keyset cursor over (submitted_at DESC, id DESC): stable while new responses arrive. */
export function encodeCursor(submittedAt: number, id: string): string {
  return encode([submittedAt, id]);
}

export function decodeCursor(cursor: string): { at: number; id: string } {
  const c = decode(cursor, ["number", "string"] as const);
  if (!c) throw new ApiError(400, "invalid_request", "cursor 无效");
  return { at: c[0], id: c[1] };
}

export function filterWhere(f: ResponseFilter, after?: { at: number; id: string }): SQL | undefined {
  return and(
    eq(responses.formId, f.formId),
    f.version !== undefined ? eq(responses.version, f.version) : undefined,
    f.fromMs !== undefined ? gte(responses.submittedAt, f.fromMs) : undefined,
    f.toMs !== undefined ? lt(responses.submittedAt, f.toMs) : undefined,
    after
      ? or(
          lt(responses.submittedAt, after.at),
          and(eq(responses.submittedAt, after.at), lt(responses.id, after.id)),
        )
      : undefined,
  );
}

export type ResponseRow = typeof responses.$inferSelect;

export async function pageOfResponses(
  db: Db,
  f: ResponseFilter,
  limit: number,
  after?: { at: number; id: string },
): Promise<ResponseRow[]> {
  return db
    .select()
    .from(responses)
    .where(filterWhere(f, after))
    .orderBy(desc(responses.submittedAt), desc(responses.id))
    .limit(limit);
}

/** Every matching response, read a page at a time so an export never holds all rows in memory. */
export async function* allResponses(db: Db, f: ResponseFilter, pageSize = 1000): AsyncGenerator<ResponseRow> {
  let after: { at: number; id: string } | undefined;
  for (;;) {
    const page = await pageOfResponses(db, f, pageSize, after);
    yield* page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = { at: last.submittedAt, id: last.id };
  }
}
