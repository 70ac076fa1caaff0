import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { fileURLToPath } from "node:url";
import { MemoryEventBus } from "./alerts/events.ts";
import { startOutboxLoop } from "./alerts/outbox.ts";
import { createApp } from "./app.ts";
import { ensureAdmin, ensureSecret, seedForms } from "./bootstrap.ts";
import { openDatabase, type SynchronousLevel } from "./db/client.ts";
import { runMigrations } from "./db/migrate.ts";
import { configFromEnv } from "./env.ts";
import { ValidatorCache } from "./forms/validation.ts";
import { MemoryRateLimiter } from "./lib/rate-limit.ts";
import { nodeAssets } from "./node/assets.ts";

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

async function main() {
  const env = process.env;
  const database = await openDatabase({
    url: env.DATABASE_URL || "file:./data/lianma.db",
    authToken: env.LIBSQL_AUTH_TOKEN,
    synchronous: (env.DB_SYNCHRONOUS?.toUpperCase() as SynchronousLevel | undefined) ?? "FULL",
  });
  await runMigrations(database.db);
  const secret = await ensureSecret(database.db, env.APP_SECRET);
  const config = configFromEnv(env, secret);
  const adminName = env.ADMIN_USERNAME || "admin";
  const admin = await ensureAdmin(database.db, adminName, env.ADMIN_PASSWORD || undefined);
  const seeded = env.SEED_FORMS === "0" ? [] : await seedForms(database.db, root("forms"));

  const app = createApp({
    db: database.db,
    config,
    rateLimiter: new MemoryRateLimiter(),
    validators: new ValidatorCache(Number(env.VALIDATOR_CACHE_SIZE) || 200),
    remoteAddress: (c) => getConnInfo(c).remote.address,
    assets: nodeAssets(root("public")),
    events: new MemoryEventBus(),
  });

  // Webhook deliveries of alerts run beside the server, never inside a submission.
  const { webhookUrl, webhookSecret } = config.inspections;
  if (webhookUrl && !webhookSecret)
    throw new Error("ALERT_WEBHOOK_URL needs ALERT_WEBHOOK_SECRET to sign deliveries");
  const stopOutbox = webhookUrl ? startOutboxLoop(database.db, config) : () => {};

  const port = Number(env.PORT) || 8787;
  const server = serve({ fetch: app.fetch, port, hostname: env.HOST || "0.0.0.0" }, (info) => {
    console.log(`lianma listening on http://localhost:${info.port}`);
    if (seeded.length) console.log(`seeded forms: ${seeded.join(", ")}`);
    if (admin.created) {
      console.log(
        `administrator "${adminName}" created` +
          (admin.generatedPassword ? ` with password: ${admin.generatedPassword}` : ""),
      );
    }
  });

  const shutdown = () => {
    stopOutbox();
    server.close(() => {
      database.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
