import { eq } from "drizzle-orm";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { hashPassword } from "./auth/password.ts";
import { runBatch, type Db } from "./db/client.ts";
import { auditLog, forms, formVersions, settings, users, FORM_KINDS, type FormKind } from "./db/schema.ts";
import { findSchemaProblems } from "./forms/schema-problems.ts";
import { newId, randomToken } from "./lib/ids.ts";

/** The signing secret: APP_SECRET when given, else one generated once and kept in the database. */
export async function ensureSecret(db: Db, fromEnv?: string): Promise<string> {
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error("APP_SECRET must be at least 32 characters");
    return fromEnv;
  }
  const [row] = await db.select().from(settings).where(eq(settings.key, "app_secret"));
  if (row) return row.value;
  const secret = randomToken(48);
  await db.insert(settings).values({ key: "app_secret", value: secret }).onConflictDoNothing();
  const [stored] = await db.select().from(settings).where(eq(settings.key, "app_secret"));
  return stored!.value;
}

/**
 * Creates the first administrator when no user has that name. Returns the password only when it was
 * generated here, so the caller can print it once.
 */
export async function ensureAdmin(
  db: Db,
  username: string,
  password?: string,
): Promise<{ created: boolean; generatedPassword?: string }> {
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.username, username));
  if (existing) return { created: false };
  const generatedPassword = password ? undefined : randomToken(12);
  const now = Date.now();
  const id = newId();
  await runBatch(db, [
    db.insert(users).values({
      id,
      username,
      displayName: "系统管理员",
      passwordHash: await hashPassword(password ?? generatedPassword!),
      role: "admin",
      departmentId: null,
      createdAt: now,
      updatedAt: now,
    }),
    db.insert(auditLog).values({
      at: now,
      actorName: "system",
      action: "user.create",
      targetType: "user",
      targetId: id,
      detail: JSON.stringify({ after: { username, role: "admin" }, reason: "bootstrap" }),
    }),
  ]);
  return { created: true, generatedPassword };
}

export interface SeedForm {
  id: string;
  kind: FormKind;
  title: string;
  description?: string;
  schema: Record<string, unknown>;
}

/** Publishes each form in `dir` as version 1 unless a form with its id already exists. */
export async function seedForms(db: Db, dir: string): Promise<string[]> {
  return publishSeedForms(db, await loadSeedForms(dir));
}

/** Reads and checks the forms in `dir` (survey-core loads each one: the costly half of seeding). */
export async function loadSeedForms(dir: string): Promise<SeedForm[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".json")).sort();
  const seeds: SeedForm[] = [];
  for (const name of names) {
    const seed = JSON.parse(await readFile(join(dir, name), "utf8")) as SeedForm;
    if (!seed.id || !FORM_KINDS.includes(seed.kind)) throw new Error(`${name}: needs an id and a kind`);
    const problems = findSchemaProblems(seed.schema);
    if (problems.length)
      throw new Error(`${name}: ${problems.map((p) => `${p.path} ${p.message}`).join("; ")}`);
    seeds.push(seed);
  }
  return seeds;
}

/** Publishes checked seed forms as version 1 unless a form with the id already exists. */
export async function publishSeedForms(db: Db, seeds: SeedForm[]): Promise<string[]> {
  const seeded: string[] = [];
  for (const seed of seeds) {
    const [exists] = await db.select({ id: forms.id }).from(forms).where(eq(forms.id, seed.id));
    if (exists) continue;
    const now = Date.now();
    const schema = JSON.stringify(seed.schema);
    await runBatch(db, [
      db.insert(forms).values({
        id: seed.id,
        kind: seed.kind,
        title: seed.title,
        description: seed.description ?? "",
        departmentId: null,
        draftSchema: schema,
        status: "published",
        latestVersion: 1,
        publishedVersion: 1,
        createdAt: now,
        updatedAt: now,
      }),
      db
        .insert(formVersions)
        .values({ formId: seed.id, version: 1, title: seed.title, schema, publishedAt: now }),
      db.insert(auditLog).values({
        at: now,
        actorName: "system",
        action: "form.publish",
        targetType: "form",
        targetId: seed.id,
        detail: JSON.stringify({ after: { publishedVersion: 1 }, reason: "seed" }),
      }),
    ]);
    seeded.push(seed.id);
  }
  return seeded;
}
