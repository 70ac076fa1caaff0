import { getConnInfo } from "@hono/node-server/conninfo";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { MemoryEventBus } from "../alerts/events.ts";
import { outboxConfigured, startOutboxLoop } from "../alerts/outbox.ts";
import { startSweepLoop } from "../alerts/sweep.ts";
import { createApp } from "../app.ts";
import { sealAuditLog } from "../audit/chain.ts";
import { ensureAdmin, ensureSecret, seedForms } from "../bootstrap.ts";
import { openDatabase, type SynchronousLevel } from "../db/client.ts";
import { probeWrite, writeFailure } from "../db/health.ts";
import { runMigrations } from "../db/migrate.ts";
import { configFromEnv, startupWarnings } from "../env.ts";
import { ValidatorCache } from "../forms/validation.ts";
import { MemoryRateLimiter } from "../lib/rate-limit.ts";
import { smsGatewayWarnings } from "../enterprise/sms.ts";
import { appendTextFile } from "./append-file.ts";
import { nodeAssets } from "./assets.ts";
import { PublishedFormCache } from "../forms/published-cache.ts";
import { listenerWithDefaultHeaders } from "./headers.ts";
import { CheckThread } from "../responses/check-thread.ts";
import { GroupCommitter } from "../responses/group-commit.ts";
import { WriterThread } from "../responses/writer-thread.ts";

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** What a caller may replace; only the benchmark does (bench/unvalidated-server.ts). */
export interface NodeServerOverrides {
  validators?: ValidatorCache;
}

/**
 * The Node server: opens (and migrates) the embedded database, seeds the demo forms and the
 * administrator, builds the app over its Node dependencies and listens. `npm start` runs it through
 * src/server.ts; SIGINT/SIGTERM drain the group committer and exit.
 */
export async function startNodeServer(env: NodeJS.ProcessEnv, overrides: NodeServerOverrides = {}) {
  const databaseUrl = env.DATABASE_URL || "file:./data/lianma.db";
  const synchronous = (env.DB_SYNCHRONOUS?.toUpperCase() as SynchronousLevel | undefined) ?? "FULL";
  const database = await openDatabase({ url: databaseUrl, authToken: env.LIBSQL_AUTH_TOKEN, synchronous });
  await runMigrations(database.db);
  // A file SQLite may not write is opened read-only without a word, and everything that reads works;
  // a server on it would answer every change with an error. Refuse to start instead.
  await probeWrite(database.db).catch((err) => {
    database.close();
    throw new Error(
      `the database ${databaseUrl.startsWith("file:") ? databaseUrl : "server"} is not writable ` +
        `(${writeFailure(err)}): check the permissions of the file and its folder, the free disk ` +
        `space and that the file system is mounted read-write`,
    );
  });
  const secret = await ensureSecret(database.db, env.APP_SECRET);
  const config = configFromEnv(env, secret);
  for (const warning of startupWarnings(env, config))
    console.warn(JSON.stringify({ level: "warn", warning }));
  const adminName = env.ADMIN_USERNAME || "admin";
  const admin = await ensureAdmin(database.db, adminName, env.ADMIN_PASSWORD || undefined);
  const seeded = env.SEED_FORMS === "0" ? [] : await seedForms(database.db, root("forms"));
  // Links audit lines left unsealed by a crash, and those start-up itself wrote (src/audit/chain.ts).
  await sealAuditLog(database.db);

  // One per process: submissions arriving in the same event-loop turn share one transaction (fsync).
  // INGEST_WRITER_THREAD=1 runs those transactions on a thread of their own: measured slower on two
  // cores, so off by default (docs/PERFORMANCE.md).
  const writerThread =
    env.INGEST_WRITER_THREAD === "1" && database.embedded && !databaseUrl.includes(":memory:")
      ? await WriterThread.start({ url: databaseUrl, synchronous })
      : null;
  const responseWriter = new GroupCommitter(writerThread ?? database.client, {
    maxBatch: Number(env.GROUP_COMMIT_MAX) || 128,
  });
  // VALIDATION_THREAD=1 checks public submissions on a thread of their own. Measured (`npm run
  // bench`) −4 to +20 % over twelve runs on the 2-core machine, for ~110 MB more peak RSS (over the
  // 250 MB goal), so off by default; it pays where forms fall back to survey-core, whose tens of ms per response then stop
  // only the thread.
  const validatorCacheSize = Number(env.VALIDATOR_CACHE_SIZE) || 200;
  const validators = overrides.validators ?? new ValidatorCache(validatorCacheSize);
  const checker =
    env.VALIDATION_THREAD === "1"
      ? await CheckThread.start({ cacheSize: validatorCacheSize, fallback: validators })
      : undefined;
  const events = new MemoryEventBus();
  const app = createApp({
    db: database.db,
    responseWriter,
    config,
    rateLimiter: new MemoryRateLimiter(),
    validators,
    checker,
    remoteAddress: (c) => getConnInfo(c).remote.address,
    assets: nodeAssets(root("public")),
    events,
    // Only this process writes forms to its own file, so its invalidation is the whole truth.
    publishedForms: new PublishedFormCache({ trustLocal: database.embedded }),
    serverWritesHeaders: true,
    appendFile: appendTextFile,
  });
  for (const warning of smsGatewayWarnings({ config, appendFile: appendTextFile }, env.NODE_ENV))
    console.warn(warning);

  // Webhook deliveries (alerts, SMS codes) run beside the server, never inside a request.
  const { webhookUrl, webhookSecret } = config.inspections;
  if (webhookUrl && !webhookSecret)
    throw new Error("ALERT_WEBHOOK_URL needs ALERT_WEBHOOK_SECRET to sign deliveries");
  const stopOutbox = outboxConfigured(config) ? startOutboxLoop(database.db, config) : () => {};
  // Visits left unregistered past their grace period raise alerts (R15); Workers use the cron trigger.
  const stopSweep = startSweepLoop(database.db, config, events, config.sweepIntervalMs);

  const port = Number(env.PORT) || 8787;
  const hostname = env.HOST || "0.0.0.0";
  const { headersTimeoutMs, requestTimeoutMs, maxConnections } = config.server;
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Node enforces both timeouts only when it sweeps its connections (every 30 s by default).
      connectionsCheckingInterval: Math.min(1000, headersTimeoutMs, requestTimeoutMs),
    },
    listenerWithDefaultHeaders(app.fetch, hostname),
  );
  // A connection over the cap is closed as it arrives, so a crowd of slow clients cannot use up the
  // process's file descriptors (and with them the database's and every other client's).
  server.maxConnections = maxConnections;
  // A client may shut down its sending side once the request is written and still wait for the
  // answer (RFC 9112 §9.6). Node's default aborts every request of such a connection at that moment,
  // so an answer that waits for the check thread or the commit was never sent, though the response
  // was stored. With this (undocumented but long-standing) flag Node answers, then closes.
  (server as typeof server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.listen(port, hostname, () => {
    console.log(`lianma listening on http://localhost:${(server.address() as AddressInfo).port}`);
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
    stopSweep();
    server.close(async () => {
      await responseWriter.drain();
      await writerThread?.close();
      await checker?.close();
      database.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
