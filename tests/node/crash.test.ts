/**
 * kill -9 under load (SECURITY.md test 1, issue 7): the real server over a database file takes a burst
 * of public submissions, interleaved with races on the evaluation-once rule and the duplicate-window
 * rule, and is SIGKILLed mid-way. After a restart on the same file, what was acknowledged is there
 * exactly once, what was not is absent or whole, the one-per-inspection and one-per-window rules held,
 * and SQLite reports the file intact. Tests the HTTP contract only, whatever the write path inside.
 */
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../src/audit/chain.ts";
import type { Database } from "../../src/db/client.ts";
import { makeInspection, makeWorld, POSITIVE } from "../evaluation-fixtures.ts";
import type { Session } from "../helpers.ts";
import { departmentWithStaff, enterprise, window } from "../inspection-fixtures.ts";
import {
  ADMIN_PASSWORD,
  fileTestApp,
  httpClient,
  openFile,
  enterpriseHeaders,
  sessionHeaders,
  startServer,
  tempDatabase,
  type Reply,
  type ServerProcess,
} from "./support.ts";

const SUBMISSIONS = 1200;
const KILL_AFTER_ACKS = 450;
const INSPECTIONS = 30;
const EVALUATIONS_EACH = 8;
const FIRMS = 30;
const FILINGS_EACH = 6;

const SCHEMA = {
  title: "崩溃测试",
  pages: [
    {
      name: "p1",
      elements: [
        { type: "text", name: "name", title: "姓名", isRequired: true },
        { type: "comment", name: "note", title: "备注" },
        { type: "radiogroup", name: "rating", title: "评价", choices: ["good", "bad"] },
      ],
    },
  ],
};

type Outcome = Reply | { error: string };
const acked = (o: Outcome | undefined, ...statuses: number[]) =>
  o !== undefined && "status" in o && statuses.includes(o.status);

/**
 * The submission endpoint's group commit on the server's connection, with the submissions checked on
 * the event loop (default) and on the check thread (VALIDATION_THREAD=1).
 */
const WRITE_PATHS: [string, Record<string, string>][] = [
  ["on the server's connection", {}],
  ["checks on the check thread", { VALIDATION_THREAD: "1" }],
];

let tmp: ReturnType<typeof tempDatabase>;
let serverEnv: Record<string, string> = {};
let server: ServerProcess | undefined;
let database: Database | undefined;
const cleanups: (() => void)[] = [];
afterAll(async () => {
  await server?.stop("SIGKILL");
  database?.close();
  for (const cleanup of cleanups) cleanup();
});

/** Everything a crowd would send, seeded into the file and the first server. */
async function prepare() {
  database = await openFile(tmp.path);
  const t = fileTestApp(database, () => server!.url);
  const world = await makeWorld(t);
  const codes: { id: string; code: string }[] = [];
  for (let i = 0; i < INSPECTIONS; i++) codes.push(await makeInspection(t, world));
  const staff = await departmentWithStaff(t, "xf");
  const firms: string[] = [];
  for (let i = 0; i < FIRMS; i++) firms.push(await enterprise(t, `济南崩溃测试${i}有限公司`));

  server = await startServer(tmp.path, serverEnv);
  const admin = await t.login("admin", ADMIN_PASSWORD);
  const created = await t.call(admin, "POST", "/api/forms", {
    title: "崩溃测试",
    kind: "survey",
    schema: SCHEMA,
  });
  expect(created.status).toBe(201);
  const formId = ((await created.json()) as { form: { id: string } }).form.id;
  expect((await t.call(admin, "POST", `/api/forms/${formId}/publish`)).status).toBe(201);
  const officer = await t.login(staff.officerLogin);
  return { t, codes, staff, firms, formId, officer, enterprise: world.enterprise };
}

interface Sent {
  id: string;
  body: { id: string; version: number; data: Record<string, unknown> };
  outcome?: Outcome;
}

/** The crowd: submissions in order, with an evaluation race and a filing race every few dozen. */
function buildLoad(p: Awaited<ReturnType<typeof prepare>>) {
  const submissions: Sent[] = Array.from({ length: SUBMISSIONS }, (_, i) => {
    const id = randomUUID();
    // Multi-byte text and a long note, so a torn write would show as broken JSON or a shortened value.
    const data = {
      name: `提交者${i}`,
      note: `第${i}份：${"数据".repeat(200)}`,
      rating: i % 2 ? "good" : "bad",
    };
    return { id, body: { id, version: 1, data } };
  });
  const evaluations = p.codes.map((c) => ({ ...c, outcomes: [] as Outcome[] }));
  const filings = p.firms.map((enterpriseId) => ({ enterpriseId, outcomes: [] as Outcome[] }));
  const every = Math.floor(SUBMISSIONS / INSPECTIONS);
  return { submissions, evaluations, filings, every };
}

async function fire(p: Awaited<ReturnType<typeof prepare>>, load: ReturnType<typeof buildLoad>) {
  const client = httpClient(server!.url, 64);
  let acks = 0;
  let killed: Promise<void> | undefined;
  const record = async (request: Promise<Reply>): Promise<Outcome> => {
    try {
      return await request;
    } catch (error) {
      return { error: String((error as Error).message ?? error) };
    }
  };
  const filingBody = (enterpriseId: string) => ({
    enterpriseId,
    type: "routine",
    ...window(10),
    officerIds: [...p.staff.officerIds, p.staff.helperId],
    itemIds: [p.staff.itemId],
  });
  const tasks: Promise<unknown>[] = [];
  load.submissions.forEach((s, i) => {
    tasks.push(
      record(client.send("POST", `/api/public/forms/${p.formId}/responses`, s.body)).then((o) => {
        s.outcome = o;
        if (acked(o, 201, 200) && ++acks === KILL_AFTER_ACKS) killed = server!.stop("SIGKILL");
      }),
    );
    const group = i / load.every;
    if (i % load.every === 0 && group < INSPECTIONS) {
      const e = load.evaluations[group]!;
      for (let k = 0; k < EVALUATIONS_EACH; k++) {
        const path = `/api/public/inspections/${e.code}/evaluation`;
        tasks.push(
          record(
            client.send("POST", path, { version: 1, data: POSITIVE }, enterpriseHeaders(p.enterprise)),
          ).then((o) => e.outcomes.push(o)),
        );
      }
      const f = load.filings[group]!;
      for (let k = 0; k < FILINGS_EACH; k++) {
        const headers = sessionHeaders(p.officer as Session);
        tasks.push(
          record(client.send("POST", "/api/inspections", filingBody(f.enterpriseId), headers)).then((o) =>
            f.outcomes.push(o),
          ),
        );
      }
    }
  });
  await Promise.all(tasks);
  await killed;
  client.close();
  return acks;
}

async function rows<T>(db: Database, query: ReturnType<typeof sql>) {
  return db.db.all<T>(query);
}

describe.each(WRITE_PATHS)("kill -9 during 1,200 concurrent submissions, writes %s", (label, env) => {
  it("keeps every acknowledged write exactly once, nothing half-written, the file intact", async () => {
    tmp = tempDatabase("lianma-crash-");
    cleanups.push(tmp.cleanup);
    serverEnv = env;
    const p = await prepare();
    const load = buildLoad(p);
    const acksBeforeKill = await fire(p, load);
    expect(server!.child.signalCode).toBe("SIGKILL");

    // Every answer the server gave before it died was a success or a rule's refusal, never a 5xx.
    const answered = [
      ...load.submissions.map((s) => s.outcome!),
      ...load.evaluations.flatMap((e) => e.outcomes),
      ...load.filings.flatMap((f) => f.outcomes),
    ].filter((o): o is Reply => "status" in o);
    expect(answered.filter((o) => o.status >= 500 || o.status === 429)).toEqual([]);

    server = await startServer(tmp.path, serverEnv);
    database!.close();
    database = await openFile(tmp.path);
    const db = database;

    const integrity = await rows<{ integrity_check: string }>(db, sql`PRAGMA integrity_check`);
    expect(integrity.map((r) => r.integrity_check)).toEqual(["ok"]);
    expect(await rows(db, sql`PRAGMA foreign_key_check`)).toEqual([]);

    // Submissions: acknowledged → present once with the data sent; others → absent or whole.
    const stored = await rows<{ id: string; data: string; version: number }>(
      db,
      sql`SELECT id, data, version FROM responses WHERE form_id = ${p.formId}`,
    );
    const byId = new Map(stored.map((r) => [r.id, r]));
    expect(byId.size).toBe(stored.length);
    const sentIds = new Set(load.submissions.map((s) => s.id));
    expect(stored.filter((r) => !sentIds.has(r.id))).toEqual([]);
    const ackedSubs = load.submissions.filter((s) => acked(s.outcome, 201, 200));
    const missing = ackedSubs.filter((s) => !byId.has(s.id));
    expect(missing.map((s) => s.id)).toEqual([]);
    const torn = load.submissions.filter((s) => {
      const row = byId.get(s.id);
      return row && (row.version !== 1 || !isDeepStrictEqual(JSON.parse(row.data), s.body.data));
    });
    expect(torn.map((s) => s.id)).toEqual([]);
    const unackedStored = load.submissions.filter(
      (s) => !acked(s.outcome, 201, 200) && byId.has(s.id),
    ).length;

    // Evaluations: at most one per inspection; the acknowledged one is the one stored, with its stamp.
    for (const e of load.evaluations) {
      const wins = e.outcomes.filter((o) => acked(o, 201)) as Reply[];
      expect(wins.length).toBeLessThanOrEqual(1);
      expect(e.outcomes.filter((o) => "status" in o && o.status !== 201 && o.status !== 409)).toEqual([]);
      const evals = await rows<{ id: string }>(
        db,
        sql`SELECT id FROM evaluations WHERE inspection_id = ${e.id}`,
      );
      expect(evals.length).toBeLessThanOrEqual(1);
      if (wins.length) expect(evals.map((r) => r.id)).toEqual([(wins[0]!.body as { id: string }).id]);
      // The evaluation stamps the inspection and leaves its status alone (R14), in the same commit.
      const [inspection] = await rows<{ status: string; evaluated_at: number | null }>(
        db,
        sql`SELECT status, evaluated_at FROM inspections WHERE id = ${e.id}`,
      );
      expect(inspection!.status).toBe("registered");
      expect(inspection!.evaluated_at !== null).toBe(evals.length > 0);
      const audits = await rows(
        db,
        sql`SELECT 1 FROM audit_log WHERE action = 'inspection.evaluated' AND target_id = ${e.id}`,
      );
      expect(audits.length).toBe(evals.length);
    }

    // Filings: at most one occupies each enterprise's window; the acknowledged one is stored whole.
    for (const f of load.filings) {
      const wins = f.outcomes.filter((o) => acked(o, 201)) as Reply[];
      expect(wins.length).toBeLessThanOrEqual(1);
      const filed = await rows<{ id: string }>(
        db,
        sql`SELECT id FROM inspections WHERE enterprise_id = ${f.enterpriseId} AND status NOT IN ('draft', 'refused')`,
      );
      expect(filed.length).toBeLessThanOrEqual(1);
      if (wins.length) expect(filed.map((r) => r.id)).toEqual([(wins[0]!.body as { id: string }).id]);
      for (const { id } of filed) {
        expect(
          await rows(db, sql`SELECT 1 FROM inspection_departments WHERE inspection_id = ${id}`),
        ).toHaveLength(1);
        expect(await rows(db, sql`SELECT 1 FROM inspection_items WHERE inspection_id = ${id}`)).toHaveLength(
          1,
        );
        expect(
          await rows(
            db,
            sql`SELECT 1 FROM audit_log WHERE action = 'inspection.filed' AND target_id = ${id}`,
          ),
        ).toHaveLength(1);
      }
    }

    // The audit chain was sealed on start and holds across the crash.
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true, pending: 0 });

    // A client that never got its answer retries: 200 if the crash kept it, 201 if not, never a copy.
    const client = httpClient(server.url, 32);
    const retried = await Promise.all(
      load.submissions
        .filter((s) => !acked(s.outcome, 201, 200))
        .map(async (s) => ({
          kept: byId.has(s.id),
          reply: await client.send("POST", `/api/public/forms/${p.formId}/responses`, s.body),
        })),
    );
    client.close();
    expect(retried.filter((r) => r.reply.status !== (r.kept ? 200 : 201))).toEqual([]);
    const [{ n }] = (await rows<{ n: number }>(
      db,
      sql`SELECT count(*) AS n FROM responses WHERE form_id = ${p.formId}`,
    )) as [{ n: number }];
    expect(n).toBe(SUBMISSIONS);

    const evaluationsWon = load.evaluations.filter((e) => e.outcomes.some((o) => acked(o, 201))).length;
    const filingsWon = load.filings.filter((f) => f.outcomes.some((o) => acked(o, 201))).length;
    console.log(
      JSON.stringify({
        crash: {
          writes: label,
          submissionsFired: SUBMISSIONS,
          acknowledgedBeforeKill: ackedSubs.length,
          killedAfterAcks: acksBeforeKill,
          foundAfterRestart: stored.length,
          storedButUnacknowledged: unackedStored,
          connectionErrors: load.submissions.filter((s) => s.outcome && "error" in s.outcome).length,
          evaluationRaces: `${INSPECTIONS}×${EVALUATIONS_EACH}, ${evaluationsWon} acknowledged wins`,
          filingRaces: `${FIRMS}×${FILINGS_EACH}, ${filingsWon} acknowledged wins`,
          retriedAfterRestart: retried.length,
        },
      }),
    );
    await server.stop("SIGTERM");
    server = undefined;
    db.close();
    database = undefined;
  }, 120_000);
});
