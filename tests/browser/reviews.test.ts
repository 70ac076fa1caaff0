// 案卷评查 (issue 16) in a real browser on the demo data: the supervisor creates a task and draws;
// the assigned reviewer scores one file below the threshold on a phone; the list shows the score and
// the case the low score opened.
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  axeViolations,
  chromiumMissing,
  demoServerAndBrowser,
  login,
  screenshotDir,
  watchPage,
} from "./harness";

const poll = { timeout: 20_000, interval: 100 };
const DEMO_PASSWORD = "Reviews-demo-password";
const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  locale: "zh-CN",
};
const desktop = { viewport: { width: 1280, height: 860 }, locale: "zh-CN" };

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshotDir, `reviews-${name}.png`), fullPage: true });

async function getJson<T>(context: BrowserContext, url: string): Promise<T> {
  const res = await context.request.get(url);
  if (!res.ok()) throw new Error(`GET ${url}: ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Picks a rating's value by clicking its button, as a reviewer does. */
async function rate(page: Page, name: string, value: number) {
  await page.locator(`[data-name="${name}"] .sd-rating__item`, { hasText: new RegExp(`^${value}$`) }).click();
}

describe.skipIf(chromiumMissing)("案卷评查 in a browser", () => {
  const demo = demoServerAndBrowser(DEMO_PASSWORD);

  it("creates a task, draws, and a low score on a phone opens a case the list links to", async () => {
    const base = demo.server.baseUrl;
    const problems: string[] = [];
    const bureauContext = await demo.browser.newContext(desktop);
    const reviewerContext = await demo.browser.newContext(phone);
    const bureau = await bureauContext.newPage();
    const reviewer = await reviewerContext.newPage();
    watchPage(bureau, problems);
    watchPage(reviewer, problems);

    // The reviewer is the administrator; the supervisor assigns the files to them only.
    await login(reviewer, base, "admin", demo.server.password, "/admin/forms");
    const { user: admin } = await getJson<{ user: { id: string } }>(reviewerContext, `${base}/api/auth/me`);

    // 1. The supervisor creates a task from the navigation entry.
    await login(bureau, base, "sfj-supervisor", DEMO_PASSWORD, "/admin/cases");
    await bureau.locator(".topbar nav a", { hasText: "案卷评查" }).click();
    await bureau.waitForURL((u) => u.pathname === "/admin/reviews");
    await expect.poll(() => bureau.locator("#reviewers input").count(), poll).toBeGreaterThan(1);
    await bureau.fill("#name", "2026年第四季度案卷评查");
    await bureau.fill("#per", "1");
    await bureau.fill("#threshold", "80");
    for (const box of await bureau.locator("#reviewers input").all()) {
      if ((await box.getAttribute("value")) === admin.id) await box.check();
      else await box.uncheck();
    }
    await shot(bureau, "01-create");
    await bureau.click("#create-submit");
    await expect.poll(() => bureau.locator("#task-status").innerText(), poll).toBe("待抽取");
    expect(await bureau.locator("#seed").innerText()).toBe("抽取时公布");
    expect(await bureau.locator("#task-items").innerText()).toContain("2026年第四季度案卷评查");

    // 2. The draw publishes the seed and the verification file; one file per department, all the admin's.
    await bureau.click("#draw");
    await expect.poll(() => bureau.locator("#task-status").innerText(), poll).toBe("已抽取");
    await expect
      .poll(() => bureau.locator("#verification").getAttribute("download"), poll)
      .toMatch(/\.json$/);
    const taskId = new URL(bureau.url()).searchParams.get("task")!;
    const task = await getJson<{
      seed: string;
      items: { id: string; departmentId: string; reviewerId: string }[];
    }>(bureauContext, `${base}/api/reviews/${taskId}`);
    expect(await bureau.locator("#seed").innerText()).toBe(task.seed);
    expect(task.items.length).toBeGreaterThan(0);
    expect(new Set(task.items.map((i) => i.departmentId)).size).toBe(task.items.length);
    expect(task.items.every((i) => i.reviewerId === admin.id)).toBe(true);
    await expect.poll(() => bureau.locator(".review-item").count(), poll).toBe(task.items.length);
    await shot(bureau, "02-drawn");

    // 3. The reviewer opens the file on a phone: the inspection's facts and the review form.
    const item = task.items[0]!;
    await reviewer.goto(`${base}/admin/reviews?task=${taskId}`);
    await reviewer.locator(`.review-item[data-item="${item.id}"] a`, { hasText: "去评分" }).click();
    await reviewer.waitForURL((u) => u.pathname === `/admin/reviews/items/${item.id}`);
    await expect
      .poll(
        async () =>
          (await reviewer.locator("#message").innerText()) + (await reviewer.locator("#facts").innerText()),
        poll,
      )
      .toContain("被检查企业");
    expect(await reviewer.locator("#inspection-link").getAttribute("href")).toMatch(
      /^\/admin\/inspections\//,
    );
    await expect.poll(() => reviewer.locator('[data-name="subject_lawful"]').count(), poll).toBe(1);
    // Submitting without ratings: SurveyJS asks for them, nothing is sent.
    await reviewer.locator(".sd-navigation__complete-btn").click();
    await expect.poll(() => reviewer.locator(".sd-question__erbox").count(), poll).toBeGreaterThan(0);
    expect(await reviewer.getAttribute("#survey", "data-submit")).toBeNull();
    await rate(reviewer, "subject_lawful", 20);
    await rate(reviewer, "basis_sufficient", 15);
    await rate(reviewer, "procedure_proper", 5);
    await rate(reviewer, "documents_complete", 10);
    await rate(reviewer, "rectification_tracked", 20);
    await reviewer
      .locator('[data-name="procedure_proper_note"] textarea')
      .fill("未亮码入企，检查记录无企业签字。");
    await shot(reviewer, "03-score-phone");
    // The page around the form; SurveyJS's default theme has its own low-contrast grey descriptions.
    expect(await axeViolations(reviewer, ["#survey"])).toEqual([]);
    await reviewer.locator(".sd-navigation__complete-btn").click();
    await expect.poll(() => reviewer.locator("#score").innerText(), poll).toBe("得分 70 / 100 分");
    const caseHref = await reviewer.locator("#case-link").getAttribute("href");
    expect(caseHref).toMatch(/^\/admin\/cases\/[^/]+$/);
    await shot(reviewer, "04-scored-phone");

    // 4. The list shows the score and links to the case the low score opened.
    await bureau.reload();
    const card = bureau.locator(`.review-item[data-item="${item.id}"]`);
    await expect.poll(() => card.innerText(), poll).toContain("70 / 100 分");
    expect(await card.innerText()).toContain("低于分数线");
    expect(await card.locator(".case-link").getAttribute("href")).toBe(caseHref);
    await shot(bureau, "05-list-scored");
    expect(await axeViolations(bureau)).toEqual([]);
    await card.locator(".case-link").click();
    await expect.poll(() => bureau.locator("#case h1").innerText(), poll).toMatch(/^济司督〔\d{4}〕第\d+号$/);
    expect(await bureau.locator("#case").innerText()).toContain("案卷评查得分 70 分");

    expect(problems).toEqual([]);
    await bureauContext.close();
    await reviewerContext.close();
  }, 240_000);
});
