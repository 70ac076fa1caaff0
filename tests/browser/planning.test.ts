// Joint inspection planning in a real browser, on a server seeded with the demo data: two departments
// enter planned tasks for one enterprise, the coordinator sees them matched, merges them into one
// joint visit, and opens the joint filing.
import { inputValue } from "../../client/lib/local-time.ts";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { creditCodeCheckChar } from "../../src/directory/uscc.ts";

import { chromiumMissing, demoServerAndBrowser, login, screenshotDir, watchPage, apiAs } from "./harness";

const poll = { timeout: 20_000, interval: 100 };
const DEMO_PASSWORD = "Planning-demo-password";
const ENTERPRISE = "济南联合检查示范食品有限公司";
const DAY = 86_400_000;
const desktop = { viewport: { width: 1280, height: 900 }, locale: "zh-CN" };

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshotDir, `planning-${name}.png`), fullPage: true });

/** A calendar day `days` from now in China time, as a date input wants it. */
const day = (days: number) => inputValue(Date.now() + days * DAY).slice(0, 10);

/** A department administrator enters a planned task for the enterprise through the dialog. */
async function enterTask(page: Page, from: number, to: number) {
  await page.click("#new-task");
  await page.fill("#task-enterprise-q", "联合检查示范");
  await expect
    .poll(() => page.locator("#task-enterprise option").allInnerTexts(), poll)
    .toEqual([expect.stringContaining(ENTERPRISE)]);
  await page.fill("#task-start", day(from));
  await page.fill("#task-end", day(to));
  await page.locator("#task-items input").first().check();
  await page.fill("#task-notes", "年度计划");
  await page.click("#task-submit");
  await expect
    .poll(() => page.locator("#task-dialog").evaluate((d) => (d as HTMLDialogElement).open), poll)
    .toBe(false);
  await expect.poll(() => page.locator("#tasks-body tr[data-task-id]").count(), poll).toBe(1);
}

describe.skipIf(chromiumMissing)("joint inspection planning in a real browser", () => {
  const demo = demoServerAndBrowser(DEMO_PASSWORD);
  const problems: string[] = [];

  it("enters two departments' tasks, matches and merges them into one joint filing", async () => {
    const { server, browser } = demo;
    const base = server.baseUrl;
    const adminContext = await browser.newContext(desktop);
    adminContext.setDefaultTimeout(20_000);
    const admin = await adminContext.newPage();
    watchPage(admin, problems);
    await login(admin, base, "admin", server.password, "/admin/planning");
    const first17 = "91370102MAJC2027";
    const creditCode = `${first17}1${creditCodeCheckChar(`${first17}1`)}`;
    await apiAs(adminContext, base, "POST", "/api/enterprises", {
      creditCode,
      name: ENTERPRISE,
      district: "历下区",
      industry: "食品生产",
    });

    // Two departments plan: market supervision enters days 5–12 by hand, fire rescue imports days 7–20.
    for (const username of ["scjg-admin", "xfjy-admin"]) {
      const context = await browser.newContext(desktop);
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      watchPage(page, problems);
      await login(page, base, username, DEMO_PASSWORD, "/admin/planning");
      // A department administrator sees no matching view, only the own department's tasks.
      expect(await page.locator("#matching").isHidden()).toBe(true);
      if (username === "scjg-admin") {
        await enterTask(page, 5, 12);
        await shot(page, "1-department-task");
      } else {
        const csv = `统一社会信用代码,检查类型,计划开始日期,计划结束日期,检查事项编码,备注\n${creditCode},日常,${day(7)},${day(20)},JN-XFJY-001,年度计划\n`;
        await page.setInputFiles("#import-file", {
          name: "计划.csv",
          mimeType: "text/csv",
          buffer: Buffer.from(csv),
        });
        await expect.poll(() => page.locator("#message").innerText(), poll).toContain("已导入 1 项计划任务");
        await expect.poll(() => page.locator("#tasks-body tr[data-task-id]").count(), poll).toBe(1);
      }
      await context.close();
    }

    // The coordinator sees them as one group, saving one visit, and merges.
    await admin.reload();
    const card = admin.locator(".group-card", { hasText: ENTERPRISE });
    await expect.poll(() => card.count(), poll).toBe(1);
    expect(await card.innerText()).toContain("合并可减少入企 1 次");
    expect(await card.locator(".group-tasks li").count()).toBe(2);
    await expect.poll(() => card.locator(".merge-officers input:checked").count(), poll).toBe(4);
    expect(await card.locator("input[type=datetime-local]").first().inputValue()).toBe(`${day(7)}T00:00`);
    await shot(admin, "2-matching");
    // The merge asks for confirmation with a summary (issue 18 #20).
    const confirmed = new Promise<string>((resolve) =>
      admin.once("dialog", (dialog) => {
        resolve(dialog.message());
        void dialog.accept();
      }),
    );
    await card.locator("button[type=submit]").click();
    expect(await confirmed).toContain(ENTERPRISE);
    await expect.poll(() => admin.locator("#merged-link").count(), poll).toBe(1);
    expect(await admin.locator("#message").innerText()).toContain("减少入企 1 次");
    await expect
      .poll(() => admin.locator("#tasks-body tr[data-status=merged]").count(), poll)
      .toBeGreaterThanOrEqual(2);
    await shot(admin, "3-merged");

    // The joint filing: one visit with both items; the fire department takes part once its own
    // administrator approves (R18), so it stands as a request waiting for that approval.
    await admin.click("#merged-link");
    await admin.waitForURL((url) => url.pathname.startsWith("/admin/inspections/"));
    // Wait for the filing itself: "联合检查" alone also matches the top bar's "联合检查计划"
    // link, which is there before the page has loaded the filing.
    await expect.poll(() => admin.locator("body").innerText(), poll).toContain("（牵头）");
    const text = await admin.locator("body").innerText();
    expect(text).toContain("市场监督管理局");
    expect(text).toContain("消防救援");
    expect(text).toContain(ENTERPRISE);
    expect(text).toContain("济南市市场监督管理局：年度计划");
    expect(text).toContain("济南市市场监督管理局（牵头）");
    await expect
      .poll(() => admin.locator("#join-list").innerText(), poll)
      .toContain("等待济南市消防救援支队管理员批准");
    await shot(admin, "4-joint-filing");
    expect(problems).toEqual([]);
  }, 240_000);
});
