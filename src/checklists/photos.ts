import { createRoute, z } from "@hono/zod-openapi";
import { and, count, eq, sql } from "drizzle-orm";
import { createHash } from "node:crypto";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { runBatch, type Db } from "../db/client.ts";
import { checklists, photos } from "../db/schema.ts";
import { loadInspection } from "../inspections/access.ts";
import { InspectionIdParam } from "../inspections/schemas.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, jsonResponse, newRouter } from "../lib/router.ts";
import { mediaType, PHOTO_UPLOAD } from "../lib/security.ts";
import { sniffImageType } from "../lib/image-type.ts";
import { photoUrl } from "./answers.ts";
import { deviceTimeEntry, skewed, type DeviceClock } from "./device-times.ts";

const anyone = requireUser();
const MAX_PHOTOS_PER_INSPECTION = 200;
const EXTENSIONS: Record<string, string> = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" };

const PhotoParams = InspectionIdParam.extend({ photoId: z.string().min(1).max(64) });
const PhotoRef = z.object({ id: z.string(), url: z.string() });
const ClientId = z.string().uuid("照片的客户端编号（clientId）必须是 UUID");
const Instant = z.string().datetime({ offset: true, message: "时间须为带时区的 ISO 8601 格式" });
/**
 * Offline photos (issue 17): the page names each photo with a UUID, so a repeated upload is the same
 * photo; the body is the image itself, so the id and the device clock travel as headers (or the id as
 * a query parameter, for clients that cannot set headers).
 */
const UploadQuery = z.object({ clientId: ClientId.optional() });
const UploadHeaders = z.object({
  "x-client-id": ClientId.optional(),
  /** The device's clock when it sent the upload, and when the photo was taken if it waited offline. */
  "x-device-time": Instant.optional(),
  "x-happened-at": Instant.optional(),
});

const upload = createRoute({
  method: "post",
  path: "/{id}/photos",
  summary: "上传现场照片（请求体为图片本身）",
  description:
    "请求体为图片本身，`Content-Type: image/jpeg|image/png|image/webp`，不超过 5 MB（413）。字节须与类型相符（魔数）：SVG/HTML 或冒名的其他类型 → 415。同一检查再传相同字节 → 200 返回已存的照片。每次检查最多 200 张（409 `too_many_photos`）；提交后 → 409。只有可填写检查单的人可上传。审计 `photo.upload`（id、类型、大小、SHA-256、clientId、设备时间）。离线照片（可选）：`X-Client-Id` 头或 `?clientId=`（UUID）为页面给这张照片的编号，同一编号同样字节再传 → 200 返回已存的照片（同时到达也只存一张），同一编号不同字节 → 409 `client_id_conflict`，不是 UUID 或头与参数不一致 → 400；`X-Device-Time`、`X-Happened-At`（带时区的 ISO 8601）为手机发送时与拍摄时的时钟，记入检查单的 `deviceTimes`（photo 条目，偏差标记同保存/提交，不产生新版本）。",
  tags: ["checklists"],
  middleware: [anyone] as const,
  request: {
    params: InspectionIdParam,
    query: UploadQuery,
    headers: UploadHeaders,
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
    ...errors(400, 401, 403, 404, 409, 413, 415),
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

/**
 * The photo stored earlier under this client id: the same bytes are the same photo (a retry); other
 * bytes under the same id are a page bug or a forgery, refused rather than silently swapped.
 */
async function sameClientPhoto(db: Db, inspectionId: string, clientId: string, sha256: string) {
  const [row] = await db
    .select({ id: photos.id, sha256: photos.sha256 })
    .from(photos)
    .where(and(eq(photos.inspectionId, inspectionId), eq(photos.clientId, clientId)))
    .limit(1);
  if (!row) return null;
  if (row.sha256 !== sha256) {
    throw new ApiError(409, "client_id_conflict", "该照片编号已用于另一张照片，请重新拍摄后上传");
  }
  return { id: row.id, url: photoUrl(inspectionId, row.id) };
}

export function photoRoutes() {
  const app = newRouter();

  app.openapi(upload, async (c) => {
    const { id } = c.req.valid("param");
    const headers = c.req.valid("header");
    const query = c.req.valid("query");
    if (headers["x-client-id"] && query.clientId && headers["x-client-id"] !== query.clientId)
      throw new ApiError(400, "invalid_request", "请求头与查询参数中的照片客户端编号不一致");
    const clientId = headers["x-client-id"] ?? query.clientId ?? null;
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
    if (clientId) {
      const earlier = await sameClientPhoto(c.var.db, id, clientId, sha256);
      if (earlier) return c.json(earlier, 200);
    }
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
    const now = Date.now();
    const clock: DeviceClock = {
      deviceTime: headers["x-device-time"],
      happenedAt: headers["x-happened-at"],
    };
    const entry = deviceTimeEntry("photo", clock, now);
    const flagged = entry ? skewed(entry, c.var.deps.config.inspections.clockSkewLimitMinutes) : false;
    const statements = [
      c.var.db.insert(photos).values({
        id: photoId,
        inspectionId: id,
        contentType: actual,
        byteSize: bytes.byteLength,
        sha256,
        data: Buffer.from(bytes),
        uploadedBy: currentUser(c).id,
        createdAt: now,
        clientId,
      }),
      // Appended in SQL, so photos uploaded side by side each keep their entry (no read-modify-write),
      // and without a new revision: a photo is not an answer, the page's next save stays current.
      ...(entry
        ? [
            c.var.db
              .update(checklists)
              .set({
                deviceTimes: sql`json_insert(${checklists.deviceTimes}, '$[#]', json(${JSON.stringify(entry)}))`,
                clockSkewFlagged: flagged ? 1 : sql`${checklists.clockSkewFlagged}`,
              })
              .where(and(eq(checklists.inspectionId, id), eq(checklists.status, "draft"))),
          ]
        : []),
      auditInsert(c, {
        action: "photo.upload",
        targetType: "inspection",
        targetId: id,
        detail: {
          photoId,
          contentType: actual,
          byteSize: bytes.byteLength,
          sha256,
          ...(clientId ? { clientId } : {}),
          ...(entry ? { deviceTime: { ...entry, flagged } } : {}),
        },
      }),
    ];
    try {
      await runBatch(c.var.db, statements);
    } catch (error) {
      // The same client id arrived twice at once: the unique index let one in; the other is that one.
      const earlier = clientId ? await sameClientPhoto(c.var.db, id, clientId, sha256) : null;
      if (earlier) return c.json(earlier, 200);
      throw error;
    }
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
