import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, gt, lt, sql } from "drizzle-orm";
import type { Context } from "hono";
import { createHmac, timingSafeEqual } from "node:crypto";
import { audit, auditInsert } from "../audit/audit.ts";
import { runBatch } from "../db/client.ts";
import { enterpriseLoginCodes, enterprises, enterpriseSessions } from "../db/schema.ts";
import { normalizeCreditCode } from "../directory/uscc.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import type { LimitKey } from "../lib/rate-limit.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { maskPhone } from "../lib/phone.ts";
import { EnterpriseSessionSchema } from "./schemas.ts";
import { enterpriseActor, newEnterpriseSession } from "./session.ts";
import {
  appendSmsLine,
  CODE_TTL_MS,
  loginCodeText,
  smsAvailable,
  smsOutboxStatement,
} from "../alerts/sms.ts";
import { logError } from "../lib/log.ts";

/** Wrong answers allowed per code; the code is locked after them (ask for a new one). */
export const CODE_TRIES = 5;
const HOUR = 3_600_000;
/** Codes sent per credit code per hour, and at most one per minute. */
const CODES_PER_CREDIT_CODE = 5;
/** Code requests per client per hour (across credit codes). */
const CODES_PER_CLIENT = 20;
/** Sign-in attempts per client per 15 minutes (across credit codes). */
const LOGINS_PER_CLIENT = 30;

const CreditCode = z.string().trim().min(1).max(40).openapi({ example: "91370100MA3C00000X" });

const requestCode = createRoute({
  method: "post",
  path: "/enterprise/code",
  description:
    "总是 202，对不存在的信用代码或没有手机号的企业也一样（不可枚举）。6 位验证码（以 HMAC 保存，10 分钟有效，替换待用的旧码）经 `SMS_GATEWAY` 发出（webhook：发件箱主题 `sms.code`，签名同告警；file：追加一行到 `SMS_FILE`）。未配置网关（以及 Workers 上的 file 网关）→ 503 `sms_unavailable`；每个信用代码每分钟 1 条、每小时 5 条，每个客户端每小时 20 条，超过 → 429 `rate_limited`。审计 `enterprise.code_sent`（号码打码）。",
  tags: ["enterprise"],
  summary: "向企业登记的手机号发送登录验证码（总是 202，不透露企业或手机号是否存在）",
  request: jsonBody(z.object({ creditCode: CreditCode })),
  responses: {
    202: jsonResponse("已受理", z.object({ accepted: z.literal(true), message: z.string() })),
    ...errors(400, 403, 429, 503),
  },
});

const login = createRoute({
  method: "post",
  path: "/enterprise/login",
  description:
    "验证码只能用一次；错误、已用或过期 → 401 `invalid_code`；答错 5 次后 429 `code_locked`（请重新获取）；每个客户端 15 分钟超过 30 次 → 429 `rate_limited`。浏览器中已有的会话被替换。审计 `enterprise.login` / `enterprise.login_failed`。",
  tags: ["enterprise"],
  summary: "以短信验证码登录企业端",
  request: jsonBody(
    z.object({
      creditCode: CreditCode,
      code: z
        .string()
        .trim()
        .regex(/^\d{6}$/),
    }),
  ),
  responses: { 200: jsonResponse("已登录", EnterpriseSessionSchema), ...errors(400, 401, 403, 429) },
});

function codeHash(c: Context<AppEnv>, enterpriseId: string, code: string): string {
  return createHmac("sha256", c.var.deps.config.secret)
    .update(`enterprise-login:${enterpriseId}:${code}`)
    .digest("hex");
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

async function limit(c: Context<AppEnv>, key: LimitKey, max: number, windowMs: number) {
  const { allowed } = await c.var.deps.rateLimiter.hit(key, max, windowMs);
  if (!allowed) throw new ApiError(429, "rate_limited", "请求过于频繁，请稍后再试");
}

const invalidCode = () => new ApiError(401, "invalid_code", "验证码错误或已过期，请核对或重新获取");
const lockedCode = () =>
  new ApiError(429, "code_locked", `验证码已连续输错 ${CODE_TRIES} 次，已失效，请重新获取验证码`);

/** SMS one-time codes (POST /api/public/enterprise/code, /login). */
export function enterpriseLoginRoutes() {
  const app = newRouter();

  app.openapi(requestCode, async (c) => {
    if (!smsAvailable(c.var.deps))
      throw new ApiError(503, "sms_unavailable", "短信服务未开通，请使用激活函登录或联系司法局");
    const creditCode = normalizeCreditCode(c.req.valid("json").creditCode);
    // The same limits whether or not the code exists, so they tell nothing about the directory.
    await limit(c, `enterprise-login:ent-code:client:${c.var.clientIp}`, CODES_PER_CLIENT, HOUR);
    await limit(c, `enterprise-login:ent-code:minute:${creditCode}`, 1, 60_000);
    await limit(c, `enterprise-login:ent-code:hour:${creditCode}`, CODES_PER_CREDIT_CODE, HOUR);
    const [enterprise] = await c.var.db
      .select({ id: enterprises.id, phone: enterprises.contactPhone })
      .from(enterprises)
      .where(eq(enterprises.creditCode, creditCode))
      .limit(1);
    if (enterprise?.phone) await sendCode(c, enterprise.id, enterprise.phone, creditCode);
    const message = "如该企业已在名录中登记手机号，验证码已发送，10 分钟内有效";
    return c.json({ accepted: true as const, message }, 202);
  });

  app.openapi(login, async (c) => {
    const body = c.req.valid("json");
    const creditCode = normalizeCreditCode(body.creditCode);
    await limit(c, `enterprise-login:ent-login:client:${c.var.clientIp}`, LOGINS_PER_CLIENT, 15 * 60_000);
    const db = c.var.db;
    const now = Date.now();
    const [enterprise] = await db
      .select({ id: enterprises.id, name: enterprises.name, creditCode: enterprises.creditCode })
      .from(enterprises)
      .where(eq(enterprises.creditCode, creditCode))
      .limit(1);
    if (!enterprise) throw invalidCode();
    // The try is counted before the code is compared, in one statement, so parallel guesses cannot
    // get more than CODE_TRIES answers out of one code.
    const [counted] = await db
      .update(enterpriseLoginCodes)
      .set({ tries: sql`${enterpriseLoginCodes.tries} + 1` })
      .where(
        and(
          eq(enterpriseLoginCodes.enterpriseId, enterprise.id),
          lt(enterpriseLoginCodes.tries, CODE_TRIES),
          gt(enterpriseLoginCodes.expiresAt, now),
        ),
      )
      .returning({ codeHash: enterpriseLoginCodes.codeHash });
    const actorName = enterpriseActor(enterprise);
    if (!counted || !sameHex(counted.codeHash, codeHash(c, enterprise.id, body.code))) {
      // A wrong answer that was counted is just wrong (the fifth too); the lock shows on the next try.
      const locked = !counted && (await isLocked(c, enterprise.id, now));
      await audit(c, {
        action: "enterprise.login_failed",
        targetType: "enterprise",
        targetId: enterprise.id,
        actorName,
        detail: { method: "sms", reason: locked ? "locked" : counted ? "wrong_code" : "no_live_code" },
      });
      throw locked ? lockedCode() : invalidCode();
    }
    const session = newEnterpriseSession(c, enterprise.id, "sms");
    const previous = c.var.enterprise?.sessionId;
    await runBatch(db, [
      db
        .delete(enterpriseLoginCodes)
        .where(
          and(
            eq(enterpriseLoginCodes.enterpriseId, enterprise.id),
            eq(enterpriseLoginCodes.codeHash, counted.codeHash),
          ),
        ),
      // A fresh session on every sign-in: one planted before is worthless afterwards.
      ...(previous ? [db.delete(enterpriseSessions).where(eq(enterpriseSessions.id, previous))] : []),
      session.insert,
      auditInsert(c, {
        action: "enterprise.login",
        targetType: "enterprise",
        targetId: enterprise.id,
        actorName,
        detail: { method: "sms" },
      }),
    ]);
    session.setCookies();
    return c.json({ enterprise, csrfToken: session.csrfToken }, 200);
  });

  return app;
}

async function isLocked(c: Context<AppEnv>, enterpriseId: string, now: number): Promise<boolean> {
  const [row] = await c.var.db
    .select({ tries: enterpriseLoginCodes.tries })
    .from(enterpriseLoginCodes)
    .where(and(eq(enterpriseLoginCodes.enterpriseId, enterpriseId), gt(enterpriseLoginCodes.expiresAt, now)))
    .limit(1);
  return (row?.tries ?? 0) >= CODE_TRIES;
}

/** A uniformly random 6-digit code (rejection sampling: no modulo bias), on Node and Workers alike. */
function sixDigits(): string {
  const buffer = new Uint32Array(1);
  const limit = Math.floor(0x1_0000_0000 / 1_000_000) * 1_000_000;
  do crypto.getRandomValues(buffer);
  while (buffer[0]! >= limit);
  return String(buffer[0]! % 1_000_000).padStart(6, "0");
}

/** Replaces the enterprise's pending code with a new one and hands it to the gateway. */
async function sendCode(c: Context<AppEnv>, enterpriseId: string, phone: string, creditCode: string) {
  const db = c.var.db;
  const deps = c.var.deps;
  const code = sixDigits();
  const now = Date.now();
  const message = { to: phone, text: loginCodeText(code), code, at: new Date(now).toISOString() };
  const values = {
    enterpriseId,
    codeHash: codeHash(c, enterpriseId, code),
    phone,
    tries: 0,
    createdAt: now,
    expiresAt: now + CODE_TTL_MS,
  };
  const webhook = deps.config.enterprise.sms.kind === "webhook";
  await runBatch(db, [
    db
      .insert(enterpriseLoginCodes)
      .values(values)
      .onConflictDoUpdate({ target: enterpriseLoginCodes.enterpriseId, set: values }),
    ...(webhook ? [smsOutboxStatement(db, message, now)] : []),
    auditInsert(c, {
      action: "enterprise.code_sent",
      targetType: "enterprise",
      targetId: enterpriseId,
      actorName: `enterprise:${creditCode}`,
      detail: { to: maskPhone(phone), gateway: deps.config.enterprise.sms.kind },
    }),
  ]);
  if (!webhook) {
    try {
      await appendSmsLine(deps, message);
    } catch (error) {
      logError({ event: "sms_file_failed" }, error);
      throw new ApiError(503, "sms_unavailable", "短信发送失败，请稍后再试");
    }
  }
}
