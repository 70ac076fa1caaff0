/**
 * Issue 14, item 6: a database the server cannot write. How the test takes writing away: tests run as
 * root here, and root writes through any `chmod`, so the files are made immutable with `chattr +i`
 * (ext4/xfs/btrfs, needs CAP_LINUX_IMMUTABLE). That is stronger than a read-only mode: an immutable
 * file refuses writes even through descriptors opened before (EPERM), the way a disk remounted
 * read-only does, and `chattr -i` gives them back to the same descriptors, so the running server's one
 * connection sees the disk fail and recover. Opening an immutable file for writing fails, so SQLite
 * opens it read-only — the "started on a read-only database". Where chattr is unavailable
 * (another file system, no capability) the tests are skipped.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import {
  ADMIN_PASSWORD,
  openFile,
  startServer,
  tempDatabase,
  TEST_SECRET,
  type ServerProcess,
} from "./support.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const LIVENESS_MS = 1000;

function immutable(paths: string[], on: boolean) {
  execFileSync("chattr", [on ? "+i" : "-i", ...paths.filter((p) => existsSync(p))]);
}

/** Whether this machine lets the test make a file immutable (and mutable again). */
function chattrWorks(): boolean {
  const probe = tempDatabase("lianma-chattr-");
  try {
    writeFileSync(probe.path, "x");
    immutable([probe.path], true);
    immutable([probe.path], false);
    return true;
  } catch {
    return false;
  } finally {
    probe.cleanup();
  }
}

const CHATTR = chattrWorks();

let db: ReturnType<typeof tempDatabase>;
const files = () => [db.path, `${db.path}-wal`];

beforeAll(async () => {
  db = tempDatabase("lianma-unwritable-");
  (await openFile(db.path)).close();
});

afterAll(() => {
  if (CHATTR) immutable(files(), false);
  db?.cleanup();
});

const health = async (url: string) => {
  const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(LIVENESS_MS) });
  return { status: res.status, body: (await res.json()) as { ok: boolean; error?: { code: string } } };
};

const ROWS = ["approval", "online_services", "inspection_conduct", "policy_info", "complaint_response"];

/** A valid response to the seeded survey: its write goes through the group committer. */
const submit = (url: string, id: string) =>
  fetch(`${url}/api/public/forms/business-environment-survey/responses`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      id,
      version: 1,
      data: {
        district: "历下区",
        enterprise_size: "small",
        overall_rating: 4,
        service_ratings: Object.fromEntries(ROWS.map((row) => [row, 4])),
      },
    }),
  });

const login = (url: string) =>
  fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
  });

/** Asks /healthz every 200 ms (each must answer within 1 s) until it answers `status`. */
async function healthBecomes(url: string, status: number, deadlineMs = 10_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const seen = await health(url);
    if (seen.status === status) return seen;
    if (Date.now() > until) throw new Error(`/healthz still ${seen.status}, want ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!CHATTR)("a database the server cannot write (item 6)", () => {
  it("refuses to start on it, saying so, with a non-zero exit", () => {
    immutable([db.path], true);
    try {
      const run = spawnSync(process.execPath, ["--import", "tsx", "src/server.ts"], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: `file:${db.path}`,
          HOST: "127.0.0.1",
          PORT: "0",
          ADMIN_PASSWORD,
          APP_SECRET: TEST_SECRET,
        },
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/is not writable \(SQLITE_READONLY/);
      expect(run.stdout).not.toMatch(/listening/);
    } finally {
      immutable([db.path], false);
    }
  }, 90_000);

  describe("while running", () => {
    let server: ServerProcess;

    beforeAll(async () => {
      server = await startServer(db.path);
    }, 90_000);

    afterAll(async () => {
      immutable(files(), false);
      await server?.stop();
    });

    it("answers 503 on /healthz and to writes while the disk refuses them, and recovers without a restart", async () => {
      expect(await health(server.url)).toEqual({ status: 200, body: { ok: true } });
      expect((await login(server.url)).status).toBe(200);

      immutable(files(), true);
      try {
        const failing = await healthBecomes(server.url, 503);
        expect(failing.body).toMatchObject({ ok: false, error: { code: "database_unwritable" } });
        const write = await login(server.url);
        expect(write.status).toBe(503);
        expect((await write.json()).error.code).toBe("storage_unavailable");
        const submissions = await Promise.all(
          ["a", "b", "c"].map((k) => submit(server.url, `00000000-0000-4000-8000-00000000000${k}`)),
        );
        for (const res of submissions) {
          expect(res.status).toBe(503);
          expect((await res.json()).error.code).toBe("storage_unavailable");
        }
        // Reads go on: the public catalog of forms is served from the same connection.
        expect((await fetch(`${server.url}/api/public/forms/business-environment-survey`)).status).toBe(200);
      } finally {
        immutable(files(), false);
      }

      expect(await healthBecomes(server.url, 200)).toEqual({ status: 200, body: { ok: true } });
      expect((await login(server.url)).status).toBe(200);
      expect((await submit(server.url, "00000000-0000-4000-8000-00000000000a")).status).toBe(201);
      expect(server.child.exitCode).toBeNull();
    });
  });
});
