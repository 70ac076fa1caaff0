import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requireUser } from "../auth/session.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { errors, jsonResponse, newRouter } from "../lib/router.ts";
import { loadForm } from "../forms/access.ts";
import { FormIdParam } from "../forms/schemas.ts";
import { qrPng, qrSvg } from "./qr.ts";

const readers = requireUser("admin", "dept_admin", "supervisor");

/**
 * The origin people reach us at, for links and QR codes that leave the server: PUBLIC_URL, else the
 * request's own (or the trusted proxy's) origin, but only for a host in ALLOWED_HOSTS. The Host header
 * is the client's to choose: taken blindly, `Host: evil.example` would print a QR code to another site.
 */
export function publicOrigin(c: Context<AppEnv>): string {
  const { publicUrl, trustProxy, allowedHosts } = c.var.deps.config;
  if (publicUrl) return publicUrl;
  const own = new URL(c.req.url);
  let origin = { protocol: own.protocol.slice(0, -1), host: own.host };
  if (trustProxy) {
    // A proxy often passes the client's Host on as X-Forwarded-Host, so it is checked all the same.
    const host = c.req.header("x-forwarded-host");
    const proto = c.req.header("x-forwarded-proto");
    if (host && proto) origin = { protocol: proto, host };
  }
  if (!isAllowedHost(origin.host, allowedHosts) || !/^https?$/.test(origin.protocol)) {
    throw new ApiError(
      409,
      "public_url_required",
      "无法生成对外链接：服务未配置 PUBLIC_URL，且本次访问使用的主机名不在 ALLOWED_HOSTS 中。请管理员设置 PUBLIC_URL（如 https://forms.example.gov.cn）",
    );
  }
  return `${origin.protocol}://${origin.host}`;
}

/** `host` (name, optionally `:port`) matches an entry naming it, with that port or without any. */
export function isAllowedHost(host: string, allowedHosts: readonly string[]): boolean {
  const value = host.trim().toLowerCase();
  // Whatever a URL parser would read differently (paths, credentials, spaces) is never allowed.
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(value)) return false;
  const name = value.replace(/:\d+$/, "");
  return allowedHosts.some((entry) => entry === value || entry === name);
}

export const publicFormUrl = (c: Context<AppEnv>, formId: string) => `${publicOrigin(c)}/f/${formId}`;

const share = createRoute({
  method: "get",
  path: "/{id}/share",
  summary: "表单的公开链接与二维码地址",
  description:
    "`<origin>` 取 `PUBLIC_URL`；未设置时取请求的主机（须在 `ALLOWED_HOSTS` 中），否则 409 `public_url_required`。",
  tags: ["share"],
  middleware: [readers] as const,
  request: { params: FormIdParam },
  responses: {
    200: jsonResponse(
      "分享链接",
      z.object({ url: z.string(), qrSvgUrl: z.string(), qrPngUrl: z.string(), posterUrl: z.string() }),
    ),
    ...errors(401, 404, 409),
  },
});

const svg = createRoute({
  method: "get",
  path: "/{id}/qr.svg",
  summary: "表单公开链接的二维码（SVG）",
  description: "409 `public_url_required` 同公开链接。",
  tags: ["share"],
  middleware: [readers] as const,
  request: { params: FormIdParam },
  responses: {
    200: { description: "二维码 SVG", content: { "image/svg+xml": { schema: z.string() } } },
    ...errors(401, 404, 409),
  },
});

const png = createRoute({
  method: "get",
  path: "/{id}/qr.png",
  summary: "表单公开链接的二维码（PNG）",
  description: "`size` 64–2048 像素（默认 512）；409 `public_url_required` 同公开链接。",
  tags: ["share"],
  middleware: [readers] as const,
  request: {
    params: FormIdParam,
    query: z.object({ size: z.coerce.number().int().min(64).max(2048).default(512) }),
  },
  responses: {
    200: { description: "二维码 PNG", content: { "image/png": { schema: z.string() } } },
    ...errors(400, 401, 404, 409),
  },
});

function imageHeaders(type: string, filename: string) {
  return {
    "Content-Type": type,
    "Cache-Control": "private, max-age=300",
    "Content-Disposition": `inline; filename="${filename}"`,
  };
}

export function shareRoutes() {
  const app = newRouter();

  app.openapi(share, async (c) => {
    const form = await loadForm(c, c.req.valid("param").id, "read");
    const base = `/api/forms/${form.id}`;
    return c.json(
      {
        url: publicFormUrl(c, form.id),
        qrSvgUrl: `${base}/qr.svg`,
        qrPngUrl: `${base}/qr.png`,
        posterUrl: `/admin/forms/${form.id}/poster`,
      },
      200,
    );
  });

  app.openapi(svg, async (c) => {
    const form = await loadForm(c, c.req.valid("param").id, "read");
    const body = await qrSvg(publicFormUrl(c, form.id));
    return c.body(body, 200, imageHeaders("image/svg+xml; charset=utf-8", `form-${form.id}.svg`));
  });

  app.openapi(png, async (c) => {
    const form = await loadForm(c, c.req.valid("param").id, "read");
    const { size } = c.req.valid("query");
    const body = await qrPng(publicFormUrl(c, form.id), size);
    return c.body(new Uint8Array(body), 200, imageHeaders("image/png", `form-${form.id}.png`));
  });

  return app;
}
