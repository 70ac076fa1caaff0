import { and, asc, eq, sql } from "drizzle-orm";
import type { Context } from "hono";
import { createHash } from "node:crypto";
import { sealAuditLog } from "../audit/chain.ts";
import { issuedDocuments, type DocumentKind } from "../db/schema-documents.ts";
import type { AppEnv } from "../env.ts";
import type { InspectionRow } from "../inspections/access.ts";
import { signInspectionCode } from "../inspections/code.ts";
import { ApiError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { iso } from "../lib/router.ts";
import { logError } from "../lib/log.ts";
import { Lru } from "../lib/lru.ts";
import { publicOrigin } from "../share/routes.ts";
import { DOCUMENT_STATUSES, DOCUMENT_TITLES, noticeFacts, recordFacts } from "./facts.ts";
import { pdfFont } from "./font.ts";
import { renderDocument } from "./render.ts";

export type Channel = "staff" | "enterprise" | "code";

export interface IssuedDocument {
  bytes: Uint8Array;
  sha256: string;
  version: number;
  filename: string;
}

/**
 * The origin the record prints. Without PUBLIC_URL it is the request's, and an allowed host matches
 * with any port: each `Host: localhost:N` a client makes up would be a new record (a render's CPU, a
 * version, an audit line). On Node the socket tells the port the request really came in on; a Host
 * naming another one is refused as share links refuse unknown hosts. Behind a proxy, PUBLIC_URL.
 */
function documentOrigin(c: Context<AppEnv>): string {
  const origin = publicOrigin(c);
  const { publicUrl, trustProxy } = c.var.deps.config;
  const env = c.env as { incoming?: { socket?: { localPort?: number } } } | undefined;
  const localPort = env?.incoming?.socket?.localPort;
  if (publicUrl || trustProxy || localPort === undefined) return origin;
  const url = new URL(origin);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  if (port !== String(localPort)) {
    throw new ApiError(
      409,
      "public_url_required",
      "无法生成文书中的检查码链接：本次访问的端口与服务端口不符。请管理员设置 PUBLIC_URL（如 https://forms.example.gov.cn）",
    );
  }
  return origin;
}

/** The public page's address for this inspection, as the QR code on the record prints it. */
function codeUrl(c: Context<AppEnv>, row: InspectionRow): string {
  const expiresAt = row.plannedEnd + c.var.deps.config.inspections.codeTtlDays * 86_400_000;
  return `${documentOrigin(c)}/i/${signInspectionCode(c.var.deps.config.secret, row.id, expiresAt, row.codeNonce)}`;
}

/** Renders the document of an inspection from its stored record; 409 while it does not exist yet. */
async function render(c: Context<AppEnv>, row: InspectionRow, kind: DocumentKind): Promise<Uint8Array> {
  if (!DOCUMENT_STATUSES[kind].includes(row.status)) {
    throw new ApiError(
      409,
      "document_not_available",
      kind === "notice" ? "检查备案经审批通过后才有行政检查通知书" : "现场检查表提交登记后才有现场检查笔录",
    );
  }
  const { db, deps } = c.var;
  const tz = deps.config.timeZone;
  const facts =
    kind === "notice" ? await noticeFacts(db, row, tz) : await recordFacts(db, row, tz, codeUrl(c, row));
  if (!facts) throw new ApiError(409, "document_not_available", "现场检查表提交登记后才有现场检查笔录");
  // Subsetting the CJK font is the costly part of a document: the same facts (the output is
  // deterministic) are rendered once, so repeated downloads of one record cannot tie up the server.
  const key = `${kind}:${createHash("sha256").update(JSON.stringify(facts)).digest("hex")}`;
  let bytes = rendered.get(key);
  if (!bytes) {
    bytes = pdfFont(deps).then((font) => renderDocument(facts, font, tz));
    rendered.set(key, bytes);
    bytes.catch(() => rendered.delete(key));
  }
  return bytes;
}

/** Recently rendered documents by kind and facts (a few MB at most), shared by concurrent requests. */
const rendered = new Lru<string, Promise<Uint8Array>>(32);

/**
 * Renders a document and, the first time these exact bytes go out, records them: a row in
 * issued_documents (the next version number of this inspection's documents of this kind) and the
 * audit line with the SHA-256, in one batch; the audit line is written only when the row was.
 * A re-download of the same record finds its row and writes nothing.
 */
export async function issueDocument(
  c: Context<AppEnv>,
  row: InspectionRow,
  kind: DocumentKind,
  channel: Channel,
  actorName: string | null,
): Promise<IssuedDocument> {
  const bytes = await render(c, row, kind);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const db = c.var.db;
  const find = async () => {
    const [hit] = await db
      .select({ version: issuedDocuments.version })
      .from(issuedDocuments)
      .where(
        and(
          eq(issuedDocuments.inspectionId, row.id),
          eq(issuedDocuments.kind, kind),
          eq(issuedDocuments.sha256, sha256),
        ),
      );
    return hit?.version;
  };
  let version = await find();
  if (version === undefined) {
    const now = Date.now();
    const user = c.var.user;
    const detail = JSON.stringify({
      kind,
      title: DOCUMENT_TITLES[kind],
      sha256,
      byteSize: bytes.length,
      channel,
    });
    await db.batch([
      db.run(sql`INSERT INTO issued_documents (id, inspection_id, kind, version, sha256, byte_size, issued_at, issued_by, channel)
        SELECT ${newId()}, ${row.id}, ${kind},
          coalesce((SELECT max(version) FROM issued_documents WHERE inspection_id = ${row.id} AND kind = ${kind}), 0) + 1,
          ${sha256}, ${bytes.length}, ${now}, ${user?.id ?? null}, ${channel}
        WHERE NOT EXISTS (SELECT 1 FROM issued_documents
          WHERE inspection_id = ${row.id} AND kind = ${kind} AND sha256 = ${sha256})`),
      db.run(sql`INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, ip, detail)
        SELECT ${now}, ${user?.id ?? null}, ${actorName}, 'document.issued', 'inspection', ${row.id},
          ${c.var.clientIp ?? null}, ${detail}
        WHERE changes() = 1`),
    ]);
    // A GET is not sealed by the middleware unless it went through auditInsert; link the line now.
    await sealAuditLog(db).catch((error: unknown) => logError({ event: "audit_seal_failed" }, error));
    version = await find();
  }
  const suffix = kind === "notice" ? "行政检查通知书" : "现场检查笔录";
  return { bytes, sha256, version: version ?? 1, filename: `${row.id}-${suffix}-v${version ?? 1}.pdf` };
}

/** The versions of an inspection's documents issued so far, oldest first. */
export async function issuedVersions(c: Context<AppEnv>, inspectionId: string) {
  const rows = await c.var.db
    .select({
      kind: issuedDocuments.kind,
      version: issuedDocuments.version,
      sha256: issuedDocuments.sha256,
      byteSize: issuedDocuments.byteSize,
      issuedAt: issuedDocuments.issuedAt,
      channel: issuedDocuments.channel,
    })
    .from(issuedDocuments)
    .where(eq(issuedDocuments.inspectionId, inspectionId))
    .orderBy(asc(issuedDocuments.kind), asc(issuedDocuments.version));
  return rows.map((r) => ({ ...r, issuedAt: iso(r.issuedAt)! }));
}

/** The response of a document download: the PDF, never cached by shared caches, named for saving. */
export function pdfResponse(c: Context<AppEnv>, doc: IssuedDocument): Response {
  const ascii = doc.filename.replace(/[^\x20-\x7e]/g, "_");
  return c.body(doc.bytes as Uint8Array<ArrayBuffer>, 200, {
    "Content-Type": "application/pdf",
    "Content-Disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(doc.filename)}`,
    "Cache-Control": "private, no-store",
    "X-Document-SHA256": doc.sha256,
    "X-Document-Version": String(doc.version),
  });
}
