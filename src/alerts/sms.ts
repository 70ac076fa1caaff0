import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { AppDeps } from "../env.ts";
import { newId } from "../lib/ids.ts";
import { maskPhone } from "../lib/phone.ts";

/** Outbox topic of sign-in codes: delivered to SMS_WEBHOOK_URL, never to the alert webhook. */
export const SMS_TOPIC = "sms.code";

/** How long a sign-in code signs in; a message not delivered by then is worthless. */
export const CODE_TTL_MS = 10 * 60_000;

/**
 * What an SMS outbox row keeps once it is settled: who (masked) and when, never the code or the text
 * that holds it, so a copy of the database (a backup, an export) carries no live or recent code.
 */
export function redactedSmsPayload(payload: string): string {
  const { id, type, template, to, at } = JSON.parse(payload) as Partial<SmsMessage> & Record<string, string>;
  return JSON.stringify({ id, type, template, to: maskPhone(to ?? ""), at, redacted: true });
}

export interface SmsMessage {
  to: string;
  text: string;
  code: string;
  at: string;
}

/** Whether sign-in codes can be sent at all: the file gateway needs a file system (not on Workers). */
export function smsAvailable(deps: AppDeps): boolean {
  const { sms } = deps.config.enterprise;
  return sms.kind === "webhook" || (sms.kind === "file" && deps.appendFile !== undefined);
}

export function loginCodeText(code: string): string {
  return `【亮码】您的企业登录验证码为 ${code}，10 分钟内有效。请勿告诉他人，工作人员不会向您索要验证码。`;
}

/**
 * For the webhook gateway: the outbox row that carries the message, to commit in the same batch as
 * the code itself (delivered with retries by the outbox loop, signed with SMS_WEBHOOK_SECRET). The
 * payload names the template and its parameter too, as Chinese SMS providers send templates.
 */
export function smsOutboxStatement(db: Db, message: SmsMessage, now: number) {
  const id = newId();
  const payload = JSON.stringify({ id, type: SMS_TOPIC, template: "enterprise_login", ...message });
  return db.run(sql`INSERT INTO outbox (id, topic, payload, attempts, next_attempt_at, created_at)
    VALUES (${id}, ${SMS_TOPIC}, ${payload}, 0, ${now}, ${now})`);
}

/** For the file gateway: one JSON line per message (development and tests). */
export async function appendSmsLine(deps: AppDeps, message: SmsMessage): Promise<void> {
  const { sms } = deps.config.enterprise;
  if (sms.kind !== "file" || !deps.appendFile) throw new Error("the SMS file gateway is not available");
  await deps.appendFile(sms.path, `${JSON.stringify(message)}\n`);
}

/** Start-up notes about the SMS gateway, for the server log (loud when a file gateway runs in production). */
export function smsGatewayWarnings(deps: Pick<AppDeps, "config" | "appendFile">, nodeEnv?: string): string[] {
  const { sms } = deps.config.enterprise;
  if (sms.kind === "none")
    return [
      "SMS_GATEWAY is not set: enterprises cannot sign in by SMS code (POST /api/public/enterprise/code answers 503); activation letters still work",
    ];
  if (sms.kind !== "file") return [];
  if (!deps.appendFile)
    return [
      "SMS_GATEWAY=file is not available on Workers (no file system): SMS sign-in answers 503; use SMS_GATEWAY=webhook",
    ];
  if (nodeEnv === "production")
    return [
      `!!! SMS_GATEWAY=file in production: sign-in codes are written to ${sms.path} and never sent to a phone. Use SMS_GATEWAY=webhook. !!!`,
    ];
  return [`SMS_GATEWAY=file: sign-in codes are appended to ${sms.path} (development only)`];
}
