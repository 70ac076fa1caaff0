import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { forms, formVersions } from "../db/schema.ts";

/** A published version's public JSON, serialized once: `{"id","title","version","schema"}`. */
export interface PublishedForm {
  formId: string;
  kind: string;
  title: string;
  version: number;
  /** The version's schema as stored (already JSON text, never re-serialized). */
  schemaJson: string;
  /** The public schema GET's whole body, ready to send. */
  body: Uint8Array;
}

/**
 * Published form versions kept in memory as ready bytes. A version's schema never changes once
 * published, so an entry keyed by (form, version) can never be stale; what can change is which
 * version, if any, a form serves. Two ways to know that, chosen per deployment:
 *
 * - `trustLocal` (the Node server on its own database file): this process is the only writer of
 *   forms, so the routes that publish, stop, archive or restore call `invalidate()` and a hit costs no
 *   query at all.
 * - otherwise (Workers, or several servers on one libSQL server): another isolate may have stopped the
 *   form, and nothing tells this one. Every request reads the form's status and live version (one
 *   primary-key row, no schema) and takes the bytes only for that version; a stopped or archived form
 *   has no live version, so it is never served, whatever any isolate holds.
 */
export class PublishedFormCache {
  private readonly byForm = new Map<string, PublishedForm | null>();
  private readonly byVersion = new Map<string, PublishedForm>();
  /** Bumped by invalidate(), so a read that raced a change never stores what it saw before it. */
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly options: { trustLocal: boolean; maxEntries?: number } = { trustLocal: false },
  ) {}

  /** The form's live version, if it is published and of `kind`; null when it is not collecting. */
  async live(db: Db, formId: string, kind?: string): Promise<PublishedForm | null> {
    if (this.options.trustLocal && this.byForm.has(formId)) {
      const hit = this.byForm.get(formId)!;
      return hit && (kind === undefined || hit.kind === kind) ? hit : null;
    }
    const generation = this.generations.get(formId) ?? 0;
    const [row] = await db
      .select({
        status: forms.status,
        kind: forms.kind,
        version: forms.publishedVersion,
      })
      .from(forms)
      .where(eq(forms.id, formId))
      .limit(1);
    if (!row || row.status !== "published" || row.version === null) {
      if (this.options.trustLocal) this.remember(formId, null, generation);
      return null;
    }
    const entry =
      this.byVersion.get(`${formId}\n${row.version}`) ?? (await this.load(db, formId, row.kind, row.version));
    if (this.options.trustLocal && entry) this.remember(formId, entry, generation);
    return entry && (kind === undefined || entry.kind === kind) ? entry : null;
  }

  /** Forgets which version the form serves; called by every change of its status or live version. */
  invalidate(formId: string): void {
    this.byForm.delete(formId);
    this.generations.set(formId, (this.generations.get(formId) ?? 0) + 1);
  }

  private async load(db: Db, formId: string, kind: string, version: number): Promise<PublishedForm | null> {
    const [row] = await db
      .select({ title: formVersions.title, schema: formVersions.schema })
      .from(formVersions)
      .where(and(eq(formVersions.formId, formId), eq(formVersions.version, version)))
      .limit(1);
    if (!row) return null;
    const text = `{"id":${JSON.stringify(formId)},"title":${JSON.stringify(row.title)},"version":${version},"schema":${row.schema}}`;
    const entry: PublishedForm = {
      formId,
      kind,
      title: row.title,
      version,
      schemaJson: row.schema,
      body: new TextEncoder().encode(text),
    };
    const max = this.options.maxEntries ?? 500;
    if (this.byVersion.size >= max) this.byVersion.delete(this.byVersion.keys().next().value!);
    this.byVersion.set(`${formId}\n${version}`, entry);
    return entry;
  }

  private remember(formId: string, entry: PublishedForm | null, generation: number) {
    if ((this.generations.get(formId) ?? 0) !== generation) return;
    const max = this.options.maxEntries ?? 500;
    if (this.byForm.size >= max && !this.byForm.has(formId))
      this.byForm.delete(this.byForm.keys().next().value!);
    this.byForm.set(formId, entry);
  }
}

/**
 * A schema carried as its stored JSON text through a view object: JSON.stringify writes a marker
 * in its place, and `stringifyWithSchema` puts the text back, so the schema is never parsed or
 * re-serialized per request.
 */
export class SchemaText {
  static readonly MARKER = "\u0000schema\u0000";
  constructor(readonly text: string) {}
  toJSON() {
    return SchemaText.MARKER;
  }
}

/** JSON.stringify(value), with the one SchemaText inside (if any) written as its raw JSON text. */
export function stringifyWithSchema(value: unknown, schema: SchemaText | null): string {
  const text = JSON.stringify(value);
  return schema ? text.replace(JSON.stringify(SchemaText.MARKER), () => schema.text) : text;
}
