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
import { openDatabase } from "../db/client.ts";
import { probeWrite, writeFailure } from "../db/health.ts";
import { runMigrations } from "../db/migrate.ts";
import { configFromEnv, nodeSettings, startupWarnings } from "../env.ts";
import { ValidatorCache } from "../forms/validator-cache.ts";
import { log, setLogSink } from "../lib/log.ts";
import { MemoryRateLimiter } from "../lib/rate-limit.ts";
import { smsGatewayWarnings } from "../alerts/sms.ts";
import { appendTextFile } from "./append-file.ts";
import { nodeAssets } from "./assets.ts";
import { requestListener } from "./listener.ts";
import { PublishedFormCache } from "../forms/published-cache.ts";
import { bufferedStdoutSink } from "./log-sink.ts";
import { CheckThread } from "../responses/check-thread.ts";
import { GroupCommitter } from "../responses/group-commit.ts";

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
  setLogSink(bufferedStdoutSink());
  const settings = nodeSettings(env);
  const { databaseUrl, synchronous } = settings;
  const database = await openDatabase({ url: databaseUrl, authToken: settings.authToken, synchronous });
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
  const secret = await ensureSecret(database.db, settings.appSecret);
  const config = configFromEnv(env, secret);
  for (const warning of startupWarnings(env, config)) log("warn", "startup_warning", { warning });
  const { adminName } = settings;
  const admin = await ensureAdmin(database.db, adminName, settings.adminPassword);
  const seeded = settings.seedForms ? await seedForms(database.db, root("forms")) : [];
  // Links audit lines left unsealed by a crash, and those start-up itself wrote (src/audit/chain.ts).
  await sealAuditLog(database.db);

  // One per process: submissions arriving in the same event-loop turn share one transaction (fsync).
  const responseWriter = new GroupCommitter(database.client, {
    maxBatch: settings.groupCommitMax,
  });
  // VALIDATION_THREAD=1 checks public submissions on a thread of their own. Off by default: on the
  // reference machine it did not reliably raise throughput and cost a second isolate's memory
  // (docs/PERFORMANCE.md); it pays where forms fall back to survey-core, whose slow checks then stop
  // only the thread.
  const { validatorCacheSize } = settings;
  const validators = overrides.validators ?? new ValidatorCache(validatorCacheSize);
  const checker = settings.validationThread
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
    appendFile: appendTextFile,
  });
  for (const warning of smsGatewayWarnings({ config, appendFile: appendTextFile }, settings.nodeEnv))
    log("warn", "sms_gateway", { warning });

  // Webhook deliveries (alerts, SMS codes) run beside the server, never inside a request.
  const { webhookUrl, webhookSecret } = config.inspections;
  if (webhookUrl && !webhookSecret)
    throw new Error("ALERT_WEBHOOK_URL needs ALERT_WEBHOOK_SECRET to sign deliveries");
  const stopOutbox = outboxConfigured(config) ? startOutboxLoop(database.db, config) : () => {};
  // Visits left unregistered past their grace period raise alerts (R15); Workers use the cron trigger.
  const stopSweep = startSweepLoop(database.db, config, events, config.sweepIntervalMs);

  const { port, host: hostname } = settings;
  const { headersTimeoutMs, requestTimeoutMs, maxConnections } = config.server;
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Node enforces both timeouts only when it sweeps its connections (every 30 s by default).
      connectionsCheckingInterval: Math.min(1000, headersTimeoutMs, requestTimeoutMs),
    },
    requestListener(app.fetch, hostname),
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
      await checker?.close();
      database.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
