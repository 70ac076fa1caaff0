import { and, asc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { runBatch, type Db } from "../db/client.ts";
import { auditLog, enterpriseActivationTokens, enterprises, inspections } from "../db/schema.ts";
import { formatActivationToken, newActivationToken, tokenHash } from "../enterprise/activation.ts";
import { newId } from "../lib/ids.ts";

export interface DemoEnterpriseAccess {
  /** An enterprise with a mobile number and filed inspections: sign in by SMS code. */
  sms: { name: string; creditCode: string; phone: string } | null;
  /** An enterprise without a phone, with a fresh activation letter token (printed by the seed). */
  letter: { name: string; creditCode: string; token: string } | null;
}

const VISIBLE = sql`${inspections.status} NOT IN ('draft', 'filed', 'refused')`;

/**
 * Names one demo enterprise to sign in by SMS and prints one activation letter (a fresh token each
 * run; the earlier unused one is revoked, as a reprint does), so a newcomer can try the portal.
 */
export async function seedEnterpriseAccess(db: Db, now: number, ttlDays = 90): Promise<DemoEnterpriseAccess> {
  const withInspections = (phone: boolean) =>
    db
      .selectDistinct({
        id: enterprises.id,
        name: enterprises.name,
        creditCode: enterprises.creditCode,
        phone: enterprises.contactPhone,
      })
      .from(enterprises)
      .innerJoin(inspections, eq(inspections.enterpriseId, enterprises.id))
      .where(and(VISIBLE, phone ? isNotNull(enterprises.contactPhone) : isNull(enterprises.contactPhone)))
      .orderBy(asc(enterprises.creditCode))
      .limit(1);
  const [sms] = await withInspections(true);
  const [letter] = await withInspections(false);
  let printed: DemoEnterpriseAccess["letter"] = null;
  if (letter) {
    const token = newActivationToken();
    const id = newId();
    await runBatch(db, [
      db
        .update(enterpriseActivationTokens)
        .set({ revokedAt: now })
        .where(
          and(
            eq(enterpriseActivationTokens.enterpriseId, letter.id),
            isNull(enterpriseActivationTokens.usedAt),
            isNull(enterpriseActivationTokens.revokedAt),
          ),
        ),
      db.insert(enterpriseActivationTokens).values({
        id,
        enterpriseId: letter.id,
        tokenHash: tokenHash(token),
        createdAt: now,
        expiresAt: now + ttlDays * 86_400_000,
      }),
      db.insert(auditLog).values({
        at: now,
        actorName: "system",
        action: "enterprise.activation_issue",
        targetType: "enterprise",
        targetId: letter.id,
        detail: JSON.stringify({ tokenId: id, demo: true }),
      }),
    ]);
    printed = { name: letter.name, creditCode: letter.creditCode, token: formatActivationToken(token) };
  }
  return {
    sms: sms ? { name: sms.name, creditCode: sms.creditCode, phone: sms.phone! } : null,
    letter: printed,
  };
}
