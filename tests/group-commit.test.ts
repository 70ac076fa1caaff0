import type { InStatement } from "@libsql/client";
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { openDatabase, type Database } from "../src/db/client.ts";
import { runMigrations } from "../src/db/migrate.ts";
import { configFromEnv } from "../src/env.ts";
import { ValidatorCache } from "../src/forms/validator-cache.ts";
import { MemoryRateLimiter } from "../src/lib/rate-limit.ts";
import { nodeAssets } from "../src/node/assets.ts";
import {
  GroupCommitter,
  directWriter,
  type BatchClient,
  type BatchResult,
  type ResponseRow,
} from "../src/responses/group-commit.ts";
import { SAMPLE_SCHEMA } from "./helpers.ts";

// The committer is a Node-process object; these tests drive it over an embedded database directly,
// whatever TEST_TARGET says.

let database: Database;
const FORM = "gc-form";

beforeEach(async () => {
  database = await openDatabase({ url: ":memory:" });
  await runMigrations(database.db);
  const now = Date.now();
  await database.client.batch(
    [
      {
        sql: "INSERT INTO forms (id, kind, title, draft_schema, status, latest_version, published_version, created_at, updated_at) VALUES (?, 'survey', 't', ?, 'published', 1, 1, ?, ?)",
        args: [FORM, JSON.stringify(SAMPLE_SCHEMA), now, now],
      },
      {
        sql: "INSERT INTO form_versions (form_id, version, title, schema, published_at) VALUES (?, 1, 't', ?, ?)",
        args: [FORM, JSON.stringify(SAMPLE_SCHEMA), now],
      },
    ],
    "write",
  );
});

afterEach(() => database.close());

const row = (over: Partial<ResponseRow> = {}): ResponseRow => ({
  id: randomUUID(),
  formId: FORM,
  version: 1,
  data: '{"name":"x","rating":"good"}',
  bodyHash: "h1",
  submittedAt: Date.now(),
  ...over,
});

/** Wraps the real client, recording every batch's inserted rows; `hold` delays a batch until released. */
function recording(client: BatchClient) {
  const sizes: number[] = [];
  let gate: Promise<void> | null = null;
  const spy: BatchClient & { sizes: number[]; hold(): () => void } = {
    sizes,
    async batch(stmts: InStatement[], mode: "write"): Promise<BatchResult[]> {
      // One multi-row INSERT of six values per row, then the read of the stored hashes.
      sizes.push((stmts[0] as { args: unknown[] }).args.length / 6);
      if (gate) await gate;
      return client.batch(stmts, mode);
    },
    hold() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
  };
  return spy;
}

const storedCount = async () =>
  Number((await database.client.execute("SELECT count(*) FROM responses")).rows[0]![0]);

describe("GroupCommitter", () => {
  it("writes the rows of one event-loop turn in one transaction", async () => {
    const client = recording(database.client);
    const committer = new GroupCommitter(client);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => committer.write(row())));
    expect(outcomes.every((o) => o.kind === "inserted")).toBe(true);
    expect(client.sizes).toEqual([20]);
    expect(await storedCount()).toBe(20);
    expect(committer.stats()).toMatchObject({ batches: 1, rows: 20, largestBatch: 20 });
  });

  it("caps a transaction at maxBatch rows and commits the rest in the next ones", async () => {
    const client = recording(database.client);
    const committer = new GroupCommitter(client, { maxBatch: 8 });
    await Promise.all(Array.from({ length: 20 }, () => committer.write(row())));
    expect(client.sizes).toEqual([8, 8, 4]);
    expect(await storedCount()).toBe(20);
  });

  it("gathers rows written while a batch is in flight into the next batch", async () => {
    const client = recording(database.client);
    const committer = new GroupCommitter(client);
    const release = client.hold();
    const first = committer.write(row());
    await new Promise((r) => setImmediate(r));
    const later = Array.from({ length: 5 }, () => committer.write(row()));
    release();
    await Promise.all([first, ...later]);
    expect(client.sizes).toEqual([1, 5]);
  });

  it("fails only the row that cannot be stored; the others of its batch commit", async () => {
    const committer = new GroupCommitter(database.client);
    const good = Array.from({ length: 9 }, () => row());
    // Version 99 does not exist: the foreign key refuses that row, and only that row.
    const bad = row({ version: 99 });
    const settled = await Promise.allSettled(
      [...good.slice(0, 4), bad, ...good.slice(4)].map((r) => committer.write(r)),
    );
    expect(settled.filter((s) => s.status === "rejected")).toHaveLength(1);
    expect(settled[4]!.status).toBe("rejected");
    expect(String((settled[4] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(await storedCount()).toBe(9);
    expect(committer.stats()).toMatchObject({ failedRows: 1, rows: 9 });
    expect(committer.stats().splits).toBeGreaterThan(0);
  });

  it("settles an id written twice in one batch: first inserted, then a replay or a conflict", async () => {
    const client = recording(database.client);
    const committer = new GroupCommitter(client);
    const id = randomUUID();
    const [a, b, c] = await Promise.all([
      committer.write(row({ id, bodyHash: "same" })),
      committer.write(row({ id, bodyHash: "same" })),
      committer.write(row({ id, bodyHash: "other" })),
    ]);
    // One transaction; only the first row of the id is offered to the INSERT.
    expect(client.sizes).toEqual([1]);
    expect(committer.stats()).toMatchObject({ batches: 1, rows: 3 });
    expect(a).toEqual({ kind: "inserted" });
    expect(b).toEqual({ kind: "exists", bodyHash: "same" });
    expect(c).toEqual({ kind: "exists", bodyHash: "same" });
    expect(await storedCount()).toBe(1);
  });

  it("answers an id stored by an earlier batch with its stored hash", async () => {
    const committer = new GroupCommitter(database.client);
    const id = randomUUID();
    expect(await committer.write(row({ id, bodyHash: "first" }))).toEqual({ kind: "inserted" });
    expect(await committer.write(row({ id, bodyHash: "second" }))).toEqual({
      kind: "exists",
      bodyHash: "first",
    });
  });

  it("stores nothing for a form that stopped collecting, checked inside the transaction", async () => {
    const committer = new GroupCommitter(database.client);
    await database.client.execute({
      sql: "UPDATE forms SET status = 'draft', published_version = NULL WHERE id = ?",
      args: [FORM],
    });
    expect(await committer.write(row())).toEqual({ kind: "not_collecting" });
    expect(await storedCount()).toBe(0);
  });

  it("checks each row's own form in a batch that mixes a collecting and a stopped form", async () => {
    const now = Date.now();
    await database.client.batch(
      [
        {
          sql: "INSERT INTO forms (id, kind, title, draft_schema, status, latest_version, published_version, created_at, updated_at) VALUES ('stopped', 'survey', 't', '{}', 'draft', 1, NULL, ?, ?)",
          args: [now, now],
        },
        {
          sql: "INSERT INTO form_versions (form_id, version, title, schema, published_at) VALUES ('stopped', 1, 't', '{}', ?)",
          args: [now],
        },
      ],
      "write",
    );
    const client = recording(database.client);
    const committer = new GroupCommitter(client);
    const outcomes = await Promise.all([
      committer.write(row()),
      committer.write(row({ formId: "stopped" })),
      committer.write(row()),
    ]);
    expect(client.sizes).toEqual([3]);
    expect(outcomes.map((o) => o.kind)).toEqual(["inserted", "not_collecting", "inserted"]);
    expect(await storedCount()).toBe(2);
  });

  it("acknowledges a row only after its transaction has committed", async () => {
    const client = recording(database.client);
    const committer = new GroupCommitter(client);
    const release = client.hold();
    let acknowledged = false;
    const r = row();
    const done = committer.write(r).then(async (outcome) => {
      acknowledged = true;
      // At acknowledgement time the row is visible to another reader: it was committed.
      const seen = await database.client.execute({
        sql: "SELECT id FROM responses WHERE id = ?",
        args: [r.id],
      });
      return { outcome, seen: seen.rows.length };
    });
    for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
    expect(acknowledged).toBe(false);
    expect(await storedCount()).toBe(0);
    release();
    expect(await done).toEqual({ outcome: { kind: "inserted" }, seen: 1 });
  });

  it("drain() commits what is queued before returning", async () => {
    const committer = new GroupCommitter(database.client);
    const writes = Array.from({ length: 3 }, () => committer.write(row()));
    await committer.drain();
    expect(await storedCount()).toBe(3);
    await Promise.all(writes);
  });

  it("directWriter commits each row by itself with the same outcomes", async () => {
    const client = recording(database.client);
    const writer = directWriter(client);
    const id = randomUUID();
    const outcomes = await Promise.all([
      writer.write(row({ id })),
      writer.write(row({ id, bodyHash: "h2" })),
    ]);
    expect(client.sizes).toEqual([1, 1]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["exists", "inserted"]);
  });
});

describe("submissions through the group committer", () => {
  function appWithCommitter() {
    const committer = new GroupCommitter(database.client);
    const app = createApp({
      db: database.db,
      responseWriter: committer,
      config: configFromEnv({ SUBMIT_RATE_PER_MINUTE: "1000" }, "test-secret-".padEnd(40, "x")),
      rateLimiter: new MemoryRateLimiter(),
      validators: new ValidatorCache(10),
      remoteAddress: () => "127.0.0.1",
      assets: nodeAssets("public"),
    });
    const submit = (body: unknown) =>
      app.request(`/api/public/forms/${FORM}/responses`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    return { committer, submit };
  }

  const good = { name: "张三", rating: "good" };

  it("answers concurrent submissions from shared transactions, each with its own status", async () => {
    const { committer, submit } = appWithCommitter();
    const dup = randomUUID();
    const statuses = await Promise.all([
      ...Array.from({ length: 10 }, () => submit({ id: randomUUID(), version: 1, data: good })),
      submit({ id: dup, version: 1, data: good }),
      submit({ id: dup, version: 1, data: { name: "李四", rating: "good" } }),
      submit({ id: randomUUID(), version: 1, data: { rating: "good" } }),
    ]).then((rs) => rs.map((r) => r.status));
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
    expect(statuses.slice(10, 12).sort()).toEqual([201, 409]);
    expect(statuses[12]).toBe(400);
    expect(await storedCount()).toBe(11);
    expect(committer.stats().batches).toBeLessThan(11);
  });

  it("refuses with 404 once the form is unpublished, though its version was cached, and still replays", async () => {
    const { submit } = appWithCommitter();
    const id = randomUUID();
    expect((await submit({ id, version: 1, data: good })).status).toBe(201);
    await database.client.execute({
      sql: "UPDATE forms SET status = 'draft', published_version = NULL WHERE id = ?",
      args: [FORM],
    });
    expect((await submit({ id: randomUUID(), version: 1, data: good })).status).toBe(404);
    expect((await submit({ id, version: 1, data: good })).status).toBe(200);
    expect((await submit({ id, version: 1, data: { name: "别人", rating: "bad", why: "x" } })).status).toBe(
      409,
    );
    expect(await storedCount()).toBe(1);
  });
});
