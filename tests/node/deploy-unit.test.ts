/**
 * Issue 14, item 22: docs/DEPLOY.md's systemd unit must be able to start. It protects the whole file
 * system but the data folder (ProtectSystem=strict, ReadWritePaths=…/data), so its start command must
 * write nothing into the code tree — `npm start` did (its prestart bundles into dist/). The test reads
 * the unit and the install line from the document, builds as the install line says, runs the unit's
 * ExecStart in the code tree and checks that no file or folder of the tree changed. (As root the tree
 * cannot be made read-only for the test, so what changed is compared instead.)
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, freePort, tempDatabase, TEST_SECRET } from "./support.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const deploy = readFileSync(join(ROOT, "docs/DEPLOY.md"), "utf8");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
};
const unit = /```ini\n(# \/etc\/systemd\/system\/lianma\.service[\s\S]*?)```/.exec(deploy)?.[1] ?? "";
const setting = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(unit)?.[1]?.trim();

/** Every file and folder of the code tree (not node_modules, .git or data/) with its size and mtime. */
function snapshot(dir = ROOT, out = new Map<string, string>()) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (dir === ROOT && ["node_modules", ".git", "data"].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    const stat = statSync(path);
    out.set(path, `${stat.size}:${stat.mtimeMs}`);
    if (entry.isDirectory()) snapshot(path, out);
  }
  return out;
}

const db = tempDatabase("lianma-deploy-");
afterAll(() => db.cleanup());

describe("the systemd unit in docs/DEPLOY.md (item 22)", () => {
  it("starts with plain node on the bundle the install built, not through npm start", () => {
    expect(setting("ProtectSystem")).toBe("strict");
    expect(setting("ReadWritePaths")).toBe("/srv/lianma/data");
    expect(setting("ExecStart")).toBe("/usr/bin/node dist/server.mjs");
    expect(deploy).toMatch(/^npm ci && npm run build:server\b/m);
    expect(pkg.scripts["build:server"]).toBe("node scripts/build-server.mjs");
    // README's quick start, `npm install && npm start`, still builds before it starts.
    expect(pkg.scripts.prestart).toBe("node scripts/build-server.mjs");
    expect(pkg.scripts["start:prod"]).toBe("node dist/server.mjs");
    expect(pkg.scripts["prestart:prod"]).toBeUndefined();
  });

  it("runs its ExecStart without writing into the code tree", async () => {
    execFileSync(process.execPath, ["scripts/build-server.mjs"], { cwd: ROOT, stdio: "ignore" });
    const before = snapshot();
    const [, ...args] = setting("ExecStart")!.split(/\s+/);
    const port = await freePort();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: String(port),
        DATABASE_URL: db.url,
        ADMIN_PASSWORD,
        APP_SECRET: TEST_SECRET,
      },
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      const until = Date.now() + 60_000;
      let status = 0;
      while (status !== 200 && Date.now() < until && child.exitCode === null) {
        status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe(200);
      const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
      });
      expect(login.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
    const after = snapshot();
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
      (p) => before.get(p) !== after.get(p),
    );
    expect(changed).toEqual([]);
  }, 90_000);
});
