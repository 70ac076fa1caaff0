import { createRoute, z } from "@hono/zod-openapi";
import { and, count, eq } from "drizzle-orm";
import { createHash } from "node:crypto";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { runBatch } from "../db/client.ts";
import { checklists, photos } from "../db/schema.ts";
import { loadInspection } from "../inspections/access.ts";
import { InspectionIdParam } from "../inspections/schemas.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, jsonResponse, newRouter } from "../lib/router.ts";
import { mediaType, PHOTO_UPLOAD } from "../lib/security.ts";
import { photoUrl } from "./answers.ts";

const anyone = requireUser();
const MAX_PHOTOS_PER_INSPECTION = 200;
const EXTENSIONS: Record<string, string> = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" };

/**
 * The image type the bytes themselves say, from their signature (magic bytes); null for anything else,
 * so an HTML or SVG file sent as image/jpeg is recognised as what it is not.
 */
export function sniffImageType(bytes: Uint8Array): "image/jpeg" | "image/png" | "image/webp" | null {
  const starts = (sig: number[], at = 0) =>
    bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
  return null;
}

const PhotoParams = InspectionIdParam.extend({ photoId: z.string().min(1).max(64) });
const PhotoRef = z.object({ id: z.string(), url: z.string() });

const upload = createRoute({
  method: "post",
  path: "/{id}/photos",
  summary: "上传现场照片（请求体为图片本身）",
  description:
    "请求体为图片本身，`Content-Type: image/jpeg|image/png|image/webp`，不超过 5 MB（413）。字节须与类型相符（魔数）：SVG/HTML 或冒名的其他类型 → 415。同一检查再传相同字节 → 200 返回已存的照片。每次检查最多 200 张（409 `too_many_photos`）；提交后 → 409。只有可填写检查单的人可上传。审计 `photo.upload`（id、类型、大小、SHA-256）。",
  tags: ["checklists"],
  middleware: [anyone] as const,
  request: {
    params: InspectionIdParam,
    body: {
      required: true,
      content: Object.fromEntries(
        PHOTO_UPLOAD.contentTypes.map((t) => [t, { schema: z.string().openapi({ format: "binary" }) }]),
      ),
    },
  },
  responses: {
    201: jsonResponse("已上传", PhotoRef),
    200: jsonResponse("同一张照片此前已上传", PhotoRef),
    ...errors(401, 403, 404, 409, 413, 415),
  },
});

const download = createRoute({
  method: "get",
  path: "/{id}/photos/{photoId}",
  summary: "现场照片",
  description:
    "按所存的 `Content-Type` 返回图片，带 `nosniff`、`Content-Disposition: inline`、`Cache-Control: private, max-age=86400`、ETag。其他检查的照片 → 404。",
  tags: ["checklists"],
  middleware: [anyone] as const,
  request: { params: PhotoParams },
  responses: { 200: { description: "照片（原样返回所存的类型）" }, ...errors(401, 404) },
});

export function photoRoutes() {
  const app = newRouter();

  app.openapi(upload, async (c) => {
    const { id } = c.req.valid("param");
    const inspection = await loadInspection(c, id, "act");
    if (inspection.status !== "approved" && inspection.status !== "in_progress") {
      throw new ApiError(409, "invalid_state", "检查当前状态不能上传现场照片");
    }
    const [checklist] = await c.var.db
      .select({ status: checklists.status })
      .from(checklists)
      .where(eq(checklists.inspectionId, id));
    if (checklist?.status === "submitted")
      throw new ApiError(409, "already_submitted", "现场检查表已提交登记");

    const declared = mediaType(c.req.header("content-type"));
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength > PHOTO_UPLOAD.maxBytes)
      throw new ApiError(413, "payload_too_large", "照片超过 5 MB 上限");
    const actual = sniffImageType(bytes);
    if (!actual || actual !== declared) {
      throw new ApiError(
        415,
        "unsupported_media_type",
        "文件内容不是所声明类型的图片（仅支持 JPEG、PNG、WebP）",
      );
    }
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const [same] = await c.var.db
      .select({ id: photos.id })
      .from(photos)
      .where(and(eq(photos.inspectionId, id), eq(photos.sha256, sha256)))
      .limit(1);
    // A retry after a lost response uploads the same bytes again: answer with the photo already stored.
    if (same) return c.json({ id: same.id, url: photoUrl(id, same.id) }, 200);
    const [{ n }] = (await c.var.db
      .select({ n: count() })
      .from(photos)
      .where(eq(photos.inspectionId, id))) as [{ n: number }];
    if (n >= MAX_PHOTOS_PER_INSPECTION) {
      throw new ApiError(409, "too_many_photos", `每次检查最多上传 ${MAX_PHOTOS_PER_INSPECTION} 张照片`);
    }

    const photoId = newId();
    await runBatch(c.var.db, [
      c.var.db.insert(photos).values({
        id: photoId,
        inspectionId: id,
        contentType: actual,
        byteSize: bytes.byteLength,
        sha256,
        data: Buffer.from(bytes),
        uploadedBy: currentUser(c).id,
        createdAt: Date.now(),
      }),
      auditInsert(c, {
        action: "photo.upload",
        targetType: "inspection",
        targetId: id,
        detail: { photoId, contentType: actual, byteSize: bytes.byteLength, sha256 },
      }),
    ]);
    return c.json({ id: photoId, url: photoUrl(id, photoId) }, 201);
  });

  app.openapi(download, async (c) => {
    const { id, photoId } = c.req.valid("param");
    await loadInspection(c, id, "read");
    const [photo] = await c.var.db
      .select({ contentType: photos.contentType, data: photos.data, sha256: photos.sha256 })
      .from(photos)
      .where(and(eq(photos.id, photoId), eq(photos.inspectionId, id)))
      .limit(1);
    if (!photo) throw notFound("照片");
    const etag = `"${photo.sha256}"`;
    const headers = {
      "Content-Type": photo.contentType,
      "X-Content-Type-Options": "nosniff",
      "Content-Disposition": `inline; filename="${photoId}.${EXTENSIONS[photo.contentType] ?? "bin"}"`,
      "Cache-Control": "private, max-age=86400",
      ETag: etag,
    };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
    return c.body(new Uint8Array(photo.data), 200, headers);
  });

  return app;
}
