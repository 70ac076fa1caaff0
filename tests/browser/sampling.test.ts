// 双随机 in a real browser on the demo data: a department administrator creates a task, commits, draws,
// publishes and files it; anyone opens the 公示 page and verifies the draw in the browser; the downloaded
// verification file passes `npm run verify-draw`, and a tampered copy fails it.
import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { VerificationFile } from "../../src/sampling/draw.ts";
import { chromiumMissing, demoServerAndBrowser, screenshotDir, watchPage } from "./harness";

const root = fileURLToPath(new URL("../..", import.meta.url));
const poll = { timeout: 20_000, interval: 100 };
const DEMO_PASSWORD = "Sampling-demo-password";
const TASK = "浏览器测试·餐饮服务双随机抽查";
const desktop = { viewport: { width: 1280, height: 900 }, locale: "zh-CN" };

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
  // The story draws right after committing: the demo's delay is 0 (production default 24 h).
  const demo = demoServerAndBrowser(DEMO_PASSWORD, { env: { SAMPLING_DRAW_DELAY_HOURS: "0" } });
  const problems: string[] = [];

  it("creates, commits, draws, publishes and files a task; the public page verifies it", async () => {
    const { server, browser } = demo;
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
