/**
 * SECURITY.md #7 on the real Node server (src/server.ts as a child process), over raw sockets: what
 * `app.request()` cannot send — a 10 MB body with or without Content-Length, chunked, and Content-Length
 * beside Transfer-Encoding (GHSA-92vj-g62v-jqhh), including a smuggling attempt. Each must be refused,
 * store nothing, smuggle nothing, and leave the server serving.
 */
import { connect } from "node:net";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import { responses } from "../../src/db/schema.ts";
import { openFile, startServer, tempDatabase, type ServerProcess } from "./support.ts";

const FORM = "business-environment-survey";
const SUBMIT = `/api/public/forms/${FORM}/responses`;
const TEN_MB = 10 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, "x");

let db: ReturnType<typeof tempDatabase>;
let server: ServerProcess;
let reader: Database;

beforeAll(async () => {
  db = tempDatabase("lianma-bad-input-");
  server = await startServer(db.path);
  reader = await openFile(db.path);
}, 90_000);

afterAll(async () => {
  reader?.close();
  await server?.stop();
  db?.cleanup();
});

/**
 * Writes `head` then `body` (an iterable of pieces) to a fresh connection, stopping early once the
 * server has answered, and returns everything the server sent until it closed the connection.
 */
function exchange(head: string, body: Iterable<Buffer | string> = []): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(server.port, "127.0.0.1");
    let received = "";
    let closed = false;
    socket.on("data", (d) => (received += d.toString("latin1")));
    // The server may answer 413 and close while the client is still writing: EPIPE/ECONNRESET.
    socket.on("error", () => undefined);
    socket.on("close", () => {
      closed = true;
      resolve(received);
    });
    const timer = setTimeout(() => socket.destroy(), 20_000);
    socket.on("close", () => clearTimeout(timer));
    socket.on("connect", async () => {
      socket.write(head);
      for (const piece of body) {
        if (closed || received.includes("HTTP/1.1 ")) break;
        if (!socket.write(piece)) {
          await new Promise<void>((r) => {
            socket.once("drain", r);
            socket.once("close", r);
          });
        }
      }
      if (!closed) socket.end();
    });
  });
}

const statuses = (raw: string) => [...raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));

/**
 * Sends an oversize request until the server's answer is seen (at most 5 times) and returns every
 * status seen. The server answers and closes while the client is still writing; the kernel may then
 * reset the connection and drop the answer before the client reads it, so one attempt can see none.
 */
async function oversize(head: string, body: () => Iterable<Buffer | string>): Promise<number[]> {
  const seen: number[] = [];
  for (let attempt = 0; attempt < 5 && seen.length === 0; attempt++)
    seen.push(...statuses(await exchange(head, body())));
  return seen;
}

function* pieces(total: number, chunked: boolean): Generator<Buffer | string> {
  const open = '{"id":"00000000-0000-4000-8000-000000000001","version":1,"data":{"q":"';
  yield chunked ? `${open.length.toString(16)}\r\n${open}\r\n` : open;
  for (let sent = 0; sent < total; sent += CHUNK.length) {
    yield chunked
      ? Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from("\r\n")])
      : CHUNK;
  }
  if (chunked) yield "0\r\n\r\n";
}

const head = (lines: string[]) =>
  [
    `POST ${SUBMIT} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Content-Type: application/json",
    "Connection: close",
    ...lines,
    "",
    "",
  ].join("\r\n");

async function storedResponses(): Promise<number> {
  const [{ n }] = (await reader.db.select({ n: count() }).from(responses)) as [{ n: number }];
  return n;
}

async function healthy() {
  const res = await fetch(`${server.url}/healthz`);
  return res.status;
}

describe("oversize bodies on the real server", () => {
  it("reads a small request over the same raw socket (the control)", async () => {
    const body = '{"id":"00000000-0000-4000-8000-00000000000a","version":1,"data":{"nope":1}}';
    const raw = await exchange(head([`Content-Length: ${Buffer.byteLength(body)}`]) + body);
    // The body was read and validated: an unknown question is a 400, not a framing error.
    expect(statuses(raw)).toEqual([400]);
    expect(raw).toContain("invalid_response");
  });

  it("answers a client that half-closes after its request, and stores what it acknowledged", async () => {
    // exchange() shuts down the sending side after the body; the answer waits for the check thread
    // and the group commit, which Node's default would have cut off.
    const id = "00000000-0000-4000-8000-00000000000b";
    const rows = ["approval", "online_services", "inspection_conduct", "policy_info", "complaint_response"];
    const data = {
      district: "历下区",
      enterprise_size: "small",
      overall_rating: 4,
      service_ratings: Object.fromEntries(rows.map((row) => [row, 4])),
    };
    const body = JSON.stringify({ id, version: 1, data });
    const raw = await exchange(head([`Content-Length: ${Buffer.byteLength(body)}`]) + body);
    expect(statuses(raw), raw).toEqual([201]);
    const [row] = await reader.db.select({ id: responses.id }).from(responses).where(eq(responses.id, id));
    expect(row?.id).toBe(id);
  });

  it("answers 413 to 10 MB with Content-Length", async () => {
    const before = await storedResponses();
    expect(await oversize(head([`Content-Length: ${TEN_MB + 80}`]), () => pieces(TEN_MB, false))).toEqual([
      413,
    ]);
    expect(await storedResponses()).toBe(before);
    expect(await healthy()).toBe(200);
  });

  it("answers 413 to 10 MB chunked, without Content-Length", async () => {
    const before = await storedResponses();
    expect(await oversize(head(["Transfer-Encoding: chunked"]), () => pieces(TEN_MB, true))).toEqual([413]);
    expect(await storedResponses()).toBe(before);
    expect(await healthy()).toBe(200);
  });

  it("refuses a small Content-Length beside Transfer-Encoding: chunked carrying 10 MB", async () => {
    const before = await storedResponses();
    // Small enough that the answer is not lost to a reset while the client still writes.
    const small = await exchange(head(["Content-Length: 20", "Transfer-Encoding: chunked"]), [
      '7\r\n{"a":1}\r\n0\r\n\r\n',
    ]);
    // Node's parser refuses the ambiguous framing outright; a body limit trusting the Content-Length
    // would have let the chunked body through (GHSA-92vj-g62v-jqhh).
    expect(statuses(small)).toEqual([400]);
    const big = await exchange(
      head(["Content-Length: 20", "Transfer-Encoding: chunked"]),
      pieces(TEN_MB, true),
    );
    // With 10 MB in flight the refusal may arrive as a connection reset: never as an answer.
    expect(statuses(big).filter((s) => s !== 400)).toEqual([]);
    expect(await storedResponses()).toBe(before);
    expect(await healthy()).toBe(200);
  });

  it("refuses Transfer-Encoding before Content-Length, and odd spellings of chunked", async () => {
    for (const lines of [
      ["Transfer-Encoding: chunked", "Content-Length: 20"],
      ["Transfer-Encoding: chunked", "Transfer-Encoding: identity"],
      ["Transfer-Encoding: xchunked", "Content-Length: 20"],
      ["Transfer-Encoding : chunked"],
    ]) {
      const before = await storedResponses();
      const raw = await exchange(head(lines), ['7\r\n{"a":1}\r\n0\r\n\r\n']);
      const got = statuses(raw);
      expect(got, lines.join(" | ")).toHaveLength(1);
      expect([400, 413, 501], lines.join(" | ")).toContain(got[0]);
      expect(await storedResponses()).toBe(before);
    }
    expect(await healthy()).toBe(200);
  });

  it("does not run a request smuggled behind a chunked body with a Content-Length", async () => {
    const smuggled = `GET /api/auth/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    const body = `0\r\n\r\n${smuggled}`;
    const raw = await exchange(
      [
        `POST ${SUBMIT} HTTP/1.1`,
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        `Content-Length: ${body.length}`,
        "Transfer-Encoding: chunked",
        "",
        "",
      ].join("\r\n") + body,
    );
    const got = statuses(raw);
    expect(got).toHaveLength(1);
    expect(got[0]).toBe(400);
    expect(await healthy()).toBe(200);
  });

  it("treats bytes beyond a short Content-Length as a new (malformed) request, not as body", async () => {
    const before = await storedResponses();
    const raw = await exchange(head(["Content-Length: 10"]), pieces(1024 * 1024, false));
    expect(statuses(raw).every((s) => s >= 400 && s < 500)).toBe(true);
    expect(await storedResponses()).toBe(before);
    expect(await healthy()).toBe(200);
  });

  it("gives up on a body that never arrives without harming the server", async () => {
    const before = await storedResponses();
    // Declares 10 MB, sends 1 KB and closes: the request ends incomplete.
    const raw = await exchange(head([`Content-Length: ${TEN_MB}`]), ["x".repeat(1024)]);
    expect(statuses(raw).every((s) => s >= 400)).toBe(true);
    expect(await storedResponses()).toBe(before);
    expect(await healthy()).toBe(200);
  });

  it("answers a 10,000-deep JSON with 400 on the real server too", async () => {
    const deep = "[".repeat(10_000) + "]".repeat(10_000);
    const body = `{"id":"00000000-0000-4000-8000-00000000000b","version":1,"data":{"q":${deep}}}`;
    const raw = await exchange(head([`Content-Length: ${body.length}`]) + body);
    expect(statuses(raw)).toEqual([400]);
    expect(raw).toContain("json_too_deep");
    expect(await healthy()).toBe(200);
  });
});
