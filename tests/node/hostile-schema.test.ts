/**
 * Issue 14, item 3 on the real Node server: a form author's regex built to backtrack (`^(a+)+$`)
 * and one anonymous answer crafted for it. On JavaScript's engine 32 characters kept the event loop
 * busy for minutes; on the linear engine the answer is refused at once and /healthz keeps answering.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import type { TestApp } from "../helpers.ts";
import {
  ADMIN_PASSWORD,
  fileTestApp,
  openFile,
  startServer,
  tempDatabase,
  type ServerProcess,
} from "./support.ts";

let db: ReturnType<typeof tempDatabase>;
let server: ServerProcess;
let reader: Database;
let t: TestApp;

beforeAll(async () => {
  db = tempDatabase("lianma-regex-");
  server = await startServer(db.path);
  reader = await openFile(db.path);
  t = fileTestApp(reader, () => server.url);
}, 90_000);

afterAll(async () => {
  reader?.close();
  // A server stuck in a regex would never handle SIGTERM.
  await server?.stop("SIGKILL");
  db?.cleanup();
});

describe("a backtracking regex on the anonymous path", () => {
  it("answers /healthz within 1 s while the crafted answer is checked, and refuses the answer", async () => {
    const admin = await t.login("admin", ADMIN_PASSWORD);
    const created = await t.call(admin, "POST", "/api/forms", {
      title: "正则测试",
      kind: "survey",
      schema: {
        elements: [
          { type: "text", name: "code", title: "编码", validators: [{ type: "regex", regex: "^(a+)+$" }] },
        ],
      },
    });
    expect(created.status).toBe(201);
    const formId = ((await created.json()) as { form: { id: string } }).form.id;
    expect((await t.call(admin, "POST", `/api/forms/${formId}/publish`)).status).toBe(201);

    const submission = fetch(`${server.url}/api/public/forms/${formId}/responses`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id: crypto.randomUUID(), version: 1, data: { code: `${"a".repeat(32)}!` } }),
    });
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5_000) }).catch(
      () => null,
    );
    const waited = performance.now() - started;
    expect(health?.status).toBe(200);
    expect(waited).toBeLessThan(1_000);

    const res = await submission;
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { name: string }[] } };
    expect(body.error.code).toBe("invalid_response");
    expect(body.error.details.map((d) => d.name)).toEqual(["code"]);
  }, 60_000);
});
