import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Context } from "hono";
import QRCode from "qrcode";
import { audit, auditInsert } from "../audit/audit.ts";
import { requireUser } from "../auth/session.ts";
import { runBatch, type Db } from "../db/client.ts";
import { enterpriseActivationTokens, enterprises, enterpriseSessions } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { newId, sha256Hex } from "../lib/ids.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { publicOrigin } from "../share/routes.ts";
import { EnterpriseSessionSchema } from "./schemas.ts";
import { newEnterpriseSession } from "./session.ts";

/** Letters one request may print (a district's enterprises without a phone, or chosen ones). */
export const MAX_LETTERS = 500;
const ACTIVATIONS_PER_CLIENT = 30;

/**
 * An activation token: 20 characters of the id alphabet (100 bits), shown in groups of five so it
 * can be typed from paper. Reading forgives case, spaces, hyphens and the look-alikes I, L, O.
 */
export function newActivationToken(): string {
  return newId(20);
}

export function formatActivationToken(token: string): string {
  return token.toUpperCase().replace(/(.{5})(?=.)/g, "$1-");
}

export function normalizeActivationToken(input: string): string {
  return input
    .toLowerCase()
    .replace(/[^0-9a-z]/g, "")
    .replace(/[il]/g, "1")
    .replace(/o/g, "0");
}

export const tokenHash = (token: string) => sha256Hex(`enterprise-activation:${token}`);

const Letter = z
  .object({
    enterprise: z.object({
      id: z.string(),
      name: z.string(),
      creditCode: z.string(),
      district: z.string(),
      address: z.string(),
      hasPhone: z.boolean(),
    }),
    /** The token as printed (groups of five); it is shown once, only its hash is kept. */
    token: z.string(),
    /** The QR target: the portal's activation page with the token in the fragment (never sent to a server). */
    url: z.string(),
    qrSvg: z.string(),
    expiresAt: z.string(),
  })
  .openapi("ActivationLetter");

const issue = createRoute({
  method: "post",
  path: "/activation-letters",
  description:
    "仅系统管理员（其他人 403）。为每家企业签发新的一次性激活码（只显示一次，只存其哈希；每次最多 500 家）和 `<origin>/e/activate#token=<token>` 的二维码（SVG；激活码在 URL 片段中，浏览器从不发给服务器）。重新打印会作废该企业之前未用的激活码。企业不存在或该区县没有可打印的企业 → 404。每家企业一条审计 `enterprise.activation_issue`。打印页面：`/admin/enterprises/letters`。",
  tags: ["enterprise"],
  summary: "打印企业激活函：为所选企业或某区县（默认仅无手机号的企业）签发一次性激活码，旧激活码作废",
  middleware: [requireUser("admin")] as const,
  request: jsonBody(
    z
      .object({
        enterpriseIds: z.array(z.string().min(1).max(40)).min(1).max(MAX_LETTERS).optional(),
        district: z.string().trim().min(1).max(50).optional(),
        /** For a district: only enterprises without a mobile number on file (default true). */
        withoutPhoneOnly: z.boolean().default(true),
      })
      .refine((b) => (b.enterpriseIds === undefined) !== (b.district === undefined), {
        message: "请指定 enterpriseIds 或 district 其中之一",
      }),
  ),
  responses: {
    201: jsonResponse(
      "已签发",
      z.object({ letters: z.array(Letter), portalUrl: z.string(), expiresAt: z.string() }),
    ),
    ...errors(400, 401, 403, 404, 422),
  },
});

const activate = createRoute({
  method: "post",
  path: "/enterprise/activate",
  description:
    "激活码不区分大小写，空格和连字符无关。激活码只能用一次，过期（`ENTERPRISE_ACTIVATION_DAYS`）或被重新打印作废前有效；否则 401 `invalid_token`。同一激活码的并发使用只开始一个会话。每个客户端 15 分钟超过 30 次 → 429。审计 `enterprise.activate` / `enterprise.activate_failed`。",
  tags: ["enterprise"],
  summary: "以激活函上的一次性激活码登录企业端",
  request: jsonBody(z.object({ token: z.string().trim().min(1).max(100) })),
  responses: { 200: jsonResponse("已登录", EnterpriseSessionSchema), ...errors(400, 401, 403, 429) },
});

async function chosenEnterprises(
  db: Db,
  body: { enterpriseIds?: string[]; district?: string; withoutPhoneOnly: boolean },
) {
  const columns = {
    id: enterprises.id,
    name: enterprises.name,
    creditCode: enterprises.creditCode,
    district: enterprises.district,
    address: enterprises.address,
    phone: enterprises.contactPhone,
  };
  if (body.enterpriseIds) {
    const ids = [...new Set(body.enterpriseIds)];
    const rows = await db.select(columns).from(enterprises).where(inArray(enterprises.id, ids));
    if (rows.length !== ids.length) throw new ApiError(404, "not_found", "有企业不在企业名录中");
    return rows.sort((a, b) => a.name.localeCompare(b.name, "zh"));
  }
  const rows = await db
    .select(columns)
    .from(enterprises)
    .where(
      and(
        eq(enterprises.district, body.district!),
        body.withoutPhoneOnly ? isNull(enterprises.contactPhone) : undefined,
      ),
    )
    .orderBy(asc(enterprises.name), asc(enterprises.id))
    .limit(MAX_LETTERS + 1);
  if (rows.length === 0) throw new ApiError(404, "not_found", "该区县没有需要打印激活函的企业");
  if (rows.length > MAX_LETTERS)
    throw new ApiError(422, "too_many", `一次最多打印 ${MAX_LETTERS} 封，请按企业分批选择`);
  return rows;
}

/** Printing activation letters (administrators: the enterprise directory is the 司法局's). */
export function letterRoutes() {
  const app = newRouter();

  app.openapi(issue, async (c) => {
    const body = c.req.valid("json");
    const db = c.var.db;
    const chosen = await chosenEnterprises(db, body);
    const now = Date.now();
    const expiresAt = now + c.var.deps.config.enterprise.activationTtlMs;
    const portalUrl = `${publicOrigin(c)}/e`;
    const user = c.var.user!;
    const issued = chosen.map((e) => ({ enterprise: e, id: newId(), token: newActivationToken() }));
    const statements = [
      // Reprinting revokes the letter printed before: only the newest one signs in.
      db
        .update(enterpriseActivationTokens)
        .set({ revokedAt: now })
        .where(
          and(
            inArray(
              enterpriseActivationTokens.enterpriseId,
              chosen.map((e) => e.id),
            ),
            isNull(enterpriseActivationTokens.usedAt),
            isNull(enterpriseActivationTokens.revokedAt),
          ),
        ),
      ...issued.map(({ enterprise, id, token }) =>
        db.insert(enterpriseActivationTokens).values({
          id,
          enterpriseId: enterprise.id,
          tokenHash: tokenHash(token),
          createdAt: now,
          expiresAt,
          printedBy: user.id,
        }),
      ),
      ...issued.map(({ enterprise, id }) =>
        auditInsert(c, {
          action: "enterprise.activation_issue",
          targetType: "enterprise",
          targetId: enterprise.id,
          detail: { tokenId: id, expiresAt: iso(expiresAt), revokesEarlier: true },
        }),
      ),
    ];
    await runBatch(db, statements);
    const letters = [];
    for (const { enterprise, token } of issued) {
      const url = `${portalUrl}/activate#token=${formatActivationToken(token)}`;
      // Not through the share module's QR cache: a token must not linger in memory.
      const qrSvg = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
      const { phone, ...rest } = enterprise;
      letters.push({
        enterprise: { ...rest, hasPhone: Boolean(phone) },
        token: formatActivationToken(token),
        url,
        qrSvg,
        expiresAt: iso(expiresAt)!,
      });
    }
    c.header("Cache-Control", "no-store");
    return c.json({ letters, portalUrl, expiresAt: iso(expiresAt)! }, 201);
  });

  return app;
}

/** Signing in with a letter's token (POST /api/public/enterprise/activate). */
export function activationRoutes() {
  const app = newRouter();

  app.openapi(activate, async (c) => {
    const { allowed } = await c.var.deps.rateLimiter.hit(
      `enterprise-login:ent-activate:client:${c.var.clientIp}`,
      ACTIVATIONS_PER_CLIENT,
      15 * 60_000,
    );
    if (!allowed) throw new ApiError(429, "rate_limited", "尝试次数过多，请稍后再试");
    const token = normalizeActivationToken(c.req.valid("json").token);
    const hash = tokenHash(token);
    const db = c.var.db;
    const now = Date.now();
    const session = newEnterpriseSession(c, "", "activation");
    const v = session.values;
    const previous = c.var.enterprise?.sessionId;
    // One batch claims the token for this session and starts the session only if the claim held, so
    // two parallel uses of one token start one session.
    await runBatch(db, [
      db.run(sql`UPDATE enterprise_activation_tokens SET used_at = ${now}, session_id = ${v.id}
        WHERE token_hash = ${hash} AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ${now}`),
      db.run(sql`INSERT INTO enterprise_sessions
          (id, enterprise_id, csrf_token, method, ip_hash, user_agent, created_at, expires_at)
        SELECT ${v.id}, enterprise_id, ${v.csrfToken}, 'activation', ${v.ipHash}, ${v.userAgent},
          ${v.createdAt}, ${v.expiresAt}
        FROM enterprise_activation_tokens WHERE session_id = ${v.id}`),
      db.run(sql`INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, ip, detail)
        SELECT ${now}, NULL, 'enterprise:' || e.credit_code, 'enterprise.activate', 'enterprise', e.id,
          ${c.var.clientIp}, json_object('tokenId', t.id)
        FROM enterprise_activation_tokens t JOIN enterprises e ON e.id = t.enterprise_id
        WHERE t.session_id = ${v.id}`),
    ]);
    const [enterprise] = await db
      .select({ id: enterprises.id, name: enterprises.name, creditCode: enterprises.creditCode })
      .from(enterpriseSessions)
      .innerJoin(enterprises, eq(enterprises.id, enterpriseSessions.enterpriseId))
      .where(eq(enterpriseSessions.id, v.id))
      .limit(1);
    if (!enterprise) {
      await auditFailure(c, hash, now);
      throw new ApiError(
        401,
        "invalid_token",
        "激活码无效、已使用、已作废或已过期，请联系司法局重新打印激活函",
      );
    }
    if (previous) await db.delete(enterpriseSessions).where(eq(enterpriseSessions.id, previous));
    session.setCookies();
    return c.json({ enterprise, csrfToken: session.csrfToken }, 200);
  });

  return app;
}

/** An audit line for a refused token: which letter, and why, when the token is one we issued. */
async function auditFailure(c: Context<AppEnv>, hash: string, now: number) {
  const [row] = await c.var.db
    .select()
    .from(enterpriseActivationTokens)
    .where(eq(enterpriseActivationTokens.tokenHash, hash))
    .limit(1);
  const reason = !row
    ? "unknown"
    : row.usedAt
      ? "used"
      : row.revokedAt
        ? "revoked"
        : row.expiresAt <= now
          ? "expired"
          : "race";
  await audit(c, {
    action: "enterprise.activate_failed",
    targetType: row ? "enterprise" : undefined,
    targetId: row?.enterpriseId,
    actorName: "anonymous",
    detail: { reason, tokenId: row?.id },
  });
}
