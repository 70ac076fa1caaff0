// 双随机 in a real browser on the demo data: a department administrator creates a task, commits, draws,
// publishes and files it; anyone opens the 公示 page and verifies the draw in the browser; the downloaded
// verification file passes `npm run verify-draw`, and a tampered copy fails it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { runMigrations } from "../../src/db/migrate.ts";
import type { VerificationFile } from "../../src/sampling/draw.ts";
import { seedDemo } from "../../src/seed/demo.ts";
import { chromiumMissing, launchBrowser, screenshotDir, watchPage } from "./harness";

const root = fileURLToPath(new URL("../..", import.meta.url));
const poll = { timeout: 20_000, interval: 100 };
const DEMO_PASSWORD = "Sampling-demo-password";
const TASK = "浏览器测试·餐饮服务双随机抽查";
const desktop = { viewport: { width: 1280, height: 900 }, locale: "zh-CN" };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error()),
      );
    });
  });
}

/** The demo database is written first (as `npm run seed:demo` would), then the real server serves it. */
async function startSeededServer() {
  const dir = await mkdtemp(join(tmpdir(), "lianma-sampling-"));
  const url = `file:${join(dir, "sampling.db")}`;
  const database = await openDatabase({ url });
  await runMigrations(database.db);
  await seedDemo(database.db, { password: DEMO_PASSWORD });
  database.close();
  const port = await freePort();
  let log = "";
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "test",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: url,
      ADMIN_USERNAME: "admin",
      ADMIN_PASSWORD: `Sampling-admin-${Math.random().toString(36).slice(2, 10)}`,
      PUBLIC_URL: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk) => (log += chunk));
  child.stderr?.on("data", (chunk) => (log += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${log}`);
    if (Date.now() > deadline) throw new Error(`server not healthy:\n${log}`);
    const ok = await fetch(`${baseUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    dir,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const verifyCli = (file: string) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/verify-draw.ts", file], {
    cwd: root,
    encoding: "utf8",
  });

/** Clicks a step button and waits for the task panel to show the next status. */
async function runStep(page: Page, step: string, status: string) {
  await page.locator(`#step-actions button[data-step="${step}"]`).click();
  await expect.poll(() => page.locator("#task-heading").innerText(), poll).toContain(status);
}

describe.skipIf(chromiumMissing)("双随机 in the browser", () => {
  let server: Awaited<ReturnType<typeof startSeededServer>>;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    server = await startSeededServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("creates, commits, draws, publishes and files a task; the public page verifies it", async () => {
    const context = await browser.newContext(desktop);
    const page = await context.newPage();
    watchPage(page, problems);
    page.on("dialog", (dialog) => void dialog.accept());
    await page.goto(`${server.baseUrl}/login?next=${encodeURIComponent("/admin/sampling")}`);
    await page.fill("#username", "scjg-admin");
    await page.fill("#password", DEMO_PASSWORD);
    await page.click("#submit");
    await page.waitForURL((url) => url.pathname === "/admin/sampling");

    await expect.poll(() => page.locator("#items input").count(), poll).toBeGreaterThan(0);
    await page.fill("#task-name", TASK);
    await page.locator("#items input").first().check();
    await page.fill("#ratio-B", "10");
    await page.click("#create-submit");
    await expect.poll(() => page.locator("#task-heading").innerText(), poll).toContain("草稿");

    await runStep(page, "commit", "已承诺待抽取");
    const commitment = (await page.locator("#task-facts .hash").nth(1).innerText()).trim();
    expect(commitment).toMatch(/^[0-9a-f]{64}$/);
    await runStep(page, "draw", "已抽取待公示");
    await expect.poll(() => page.locator("#outcome-table tbody tr").count(), poll).toBeGreaterThan(0);
    await runStep(page, "reveal", "已公示");
    await page.locator('#step-actions button[data-step="file"]').click();
    await expect.poll(() => page.locator("#outcome-table .outcome-badge").count(), poll).toBeGreaterThan(0);
    await expect.poll(() => page.locator("#outcome-table").innerText(), poll).toContain("已生成备案");
    await page.screenshot({ path: join(screenshotDir, "sampling-admin.png"), fullPage: true });

    // Anyone, without logging in.
    const visitor = await browser.newContext({ ...desktop, viewport: { width: 1100, height: 900 } });
    const publicPage = await visitor.newPage();
    watchPage(publicPage, problems);
    await publicPage.goto(`${server.baseUrl}/sampling/public`);
    await publicPage.locator("#task-list a", { hasText: TASK }).click();
    await expect.poll(() => publicPage.locator("#task-name").innerText(), poll).toBe(TASK);
    await expect.poll(() => publicPage.locator("#commitment").innerText(), poll).toContain(commitment);
    await expect.poll(() => publicPage.locator("#outcome-table tbody tr").count(), poll).toBeGreaterThan(0);
    await publicPage.click("#verify");
    await expect.poll(() => publicPage.locator("#verify-result").innerText(), poll).toContain("验证通过");
    await publicPage.screenshot({ path: join(screenshotDir, "sampling-public.png"), fullPage: true });

    // The downloadable file, checked by the command line verifier; a tampered copy fails.
    const href = await publicPage.locator("#download").getAttribute("href");
    const file = (await (await fetch(`${server.baseUrl}${href}`)).json()) as VerificationFile;
    const path = join(server.dir, "draw.json");
    await writeFile(path, JSON.stringify(file));
    const ok = verifyCli(path);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain("OK");
    const tampered = JSON.parse(await readFile(path, "utf8")) as VerificationFile;
    tampered.result.picks = tampered.result.picks.slice(1);
    await writeFile(path, JSON.stringify(tampered));
    const bad = verifyCli(path);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain("验证失败");

    await visitor.close();
    await context.close();
    expect(problems).toEqual([]);
  });
});
