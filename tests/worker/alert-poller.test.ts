import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALERT_TOPIC } from "../../src/alerts/events.ts";
import { PollingAlertBus } from "../../src/workers/alert-poller.ts";
import { emptyDatabase, workerBackend } from "./target.ts";

const backend = await workerBackend();
const { client } = backend.database;
const stops: (() => void)[] = [];

/** One alert with the rows its list item joins (foreign keys off: only the alert matters here). */
async function seedAlert(id: string) {
  const now = Date.now();
  await client.migrate([
    {
      sql: "INSERT OR IGNORE INTO departments (id, code, name, created_at) VALUES ('d1', 'd1', '市场监管局', ?)",
      args: [now],
    },
    {
      sql: `INSERT OR IGNORE INTO enterprises (id, credit_code, name, created_at, updated_at)
        VALUES ('e1', '91370100MA0000001X', '示例公司', ?, ?)`,
      args: [now, now],
    },
    {
      sql: `INSERT INTO inspections (id, enterprise_id, lead_department_id, type, planned_start, planned_end,
        legal_basis, filed_at, code_nonce, created_at, updated_at)
        VALUES (?, 'e1', 'd1', 'routine', ?, ?, '依据', ?, 'n', ?, ?)`,
      args: [`i-${id}`, now, now, now, now, now],
    },
    {
      sql: `INSERT INTO evaluations (id, inspection_id, form_id, version, data, negative, submitted_at)
        VALUES (?, ?, 'f', 1, '{}', 1, ?)`,
      args: [`v-${id}`, `i-${id}`, now],
    },
    {
      sql: `INSERT INTO alerts (id, inspection_id, evaluation_id, department_id, summary, created_at)
        VALUES (?, ?, ?, 'd1', '企业反映问题', ?)`,
      args: [id, `i-${id}`, `v-${id}`, now],
    },
  ]);
}

async function event(alertId: string, kind: string, at = Date.now()) {
  await client.execute({
    sql: "INSERT INTO alert_events (id, alert_id, at, kind) VALUES (?, ?, ?, ?)",
    args: [`${alertId}-${kind}-${at}`, alertId, at, kind],
  });
}

const until = async (check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

beforeEach(() => emptyDatabase(backend.database));
afterEach(() => stops.splice(0).forEach((stop) => stop()));

describe("PollingAlertBus (alerts fan-out on Workers)", () => {
  it("delivers alert changes written by any isolate as {kind, alert}, and nothing from before", async () => {
    await seedAlert("a1");
    await event("a1", "created");
    const bus = new PollingAlertBus(backend.database.db, { intervalMs: 30 });
    const got: { kind: string; alert: { id: string; status: string } }[] = [];
    stops.push(bus.subscribe(ALERT_TOPIC, (p) => got.push(p as (typeof got)[number])));
    await new Promise((r) => setTimeout(r, 150));
    expect(got).toEqual([]);

    // Written by "another isolate" with a clock behind: order comes from the table, not the clock.
    await event("a1", "assigned", Date.now() - 60_000);
    await event("a1", "note", Date.now() - 120_000);
    await until(() => got.length === 2);
    expect(got.map((g) => g.kind)).toEqual(["assigned", "note"]);
    expect(got[0]!.alert).toMatchObject({ id: "a1", status: "open" });
  });

  it("stops polling when the stream ends, and keeps other topics in the isolate", async () => {
    await seedAlert("a2");
    const bus = new PollingAlertBus(backend.database.db, { intervalMs: 30 });
    const got: unknown[] = [];
    const stop = bus.subscribe(ALERT_TOPIC, (p) => got.push(p));
    stop();
    await event("a2", "closed");
    await new Promise((r) => setTimeout(r, 150));
    expect(got).toEqual([]);

    const local: unknown[] = [];
    stops.push(bus.subscribe("other", (p) => local.push(p)));
    bus.publish("other", { x: 1 });
    bus.publish(ALERT_TOPIC, { ignored: true });
    expect(local).toEqual([{ x: 1 }]);
  });
});
