// The enterprise portal (/e) on a phone (issue 13): sign in by SMS code read from the file gateway,
// see the planned inspection in 我的检查, open it, confirm the officers' arrival, sign out.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import {
  chromiumMissing,
  fillEvaluation,
  launchBrowser,
  login,
  screenshotDir,
  seedDemoDatabase,
  startServer,
  watchPage,
  type RunningServer,
} from "./harness";

const poll = { timeout: 20_000, interval: 100 };
const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  locale: "zh-CN",
};

interface Target {
  creditCode: string;
  name: string;
  phone: string;
  firstItem: string;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshotDir, `enterprise-${name}.png`), fullPage: true });

describe.skipIf(chromiumMissing)("enterprise portal on a phone", () => {
  let server: RunningServer;
  let browser: Browser;
  let smsDir: string;
  let smsFile: string;
  let target: Target;

  beforeAll(async () => {
    smsDir = await mkdtemp(join(tmpdir(), "lianma-sms-"));
    smsFile = join(smsDir, "sms.jsonl");
    server = await startServer({
      seedForms: true,
      env: { SMS_GATEWAY: "file", SMS_FILE: smsFile },
      prepare: async (url) => {
        await seedDemoDatabase(url, "Portal-demo-password");
        // A demo enterprise with a mobile number and an approved (planned) inspection.
        const database = await openDatabase({ url });
        try {
          const result = await database.client.execute(`
            SELECT e.credit_code, e.name, e.contact_phone, c.name AS item
            FROM enterprises e
            JOIN inspections i ON i.enterprise_id = e.id
            JOIN inspection_items ii ON ii.inspection_id = i.id
            JOIN catalog_items c ON c.id = ii.item_id
            WHERE e.contact_phone IS NOT NULL AND i.status = 'approved'
            ORDER BY e.credit_code, c.code LIMIT 1`);
          const row = result.rows[0];
          if (!row) throw new Error("the demo data has no enterprise with a phone and a planned inspection");
          target = {
            creditCode: String(row.credit_code),
            name: String(row.name),
            phone: String(row.contact_phone),
            firstItem: String(row.item),
          };
        } finally {
          database.close();
        }
      },
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await rm(smsDir, { recursive: true, force: true });
  });

  it("signs in by SMS code, lists the planned inspection, confirms arrival, evaluates, signs out", async () => {
    const problems: string[] = [];
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    watchPage(page, problems);

    await page.goto(`${server.baseUrl}/e`);
    await page.locator("#signin").waitFor({ state: "visible" });
    await shot(page, "1-signin");

    await page.fill("#credit-code", target.creditCode);
    await page.click("#send-code");
    await page.locator("#login-form").waitFor({ state: "visible" });
    await expect.poll(() => existsSync(smsFile), poll).toBe(true);
    const message = JSON.parse(readFileSync(smsFile, "utf8").trim().split("\n").pop()!) as {
      to: string;
      code: string;
      text: string;
    };
    expect(message.to).toBe(target.phone);
    expect(message.text).toContain(message.code);
    await shot(page, "2-code-sent");

    await page.fill("#sms-code", message.code);
    await page.click("#login");
    await page.locator("#home").waitFor({ state: "visible" });
    await expect.poll(() => page.locator("#enterprise-name").innerText(), poll).toBe(target.name);
    const upcoming = page.locator("#upcoming li a");
    await expect.poll(() => upcoming.count(), poll).toBeGreaterThan(0);
    await expect.poll(() => page.locator("#upcoming").innerText(), poll).toContain(target.firstItem);
    // The page fits the phone: nothing wider than the viewport.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, "3-my-inspections");

    await upcoming.first().click();
    await page.locator("#detail").waitFor({ state: "visible" });
    await expect.poll(() => page.locator("#d-officers").innerText(), poll).toContain("执法证号");
    await expect.poll(() => page.locator("#d-items").innerText(), poll).toContain("依据");
    await shot(page, "4-detail");
    await page.click("#confirm-arrival");
    await expect.poll(() => page.locator("#d-arrival").innerText(), poll).toContain("确认");
    await expect.poll(() => page.locator("#confirm-arrival").isHidden(), poll).toBe(true);
    await shot(page, "5-arrival-confirmed");

    // Arrival opens the evaluation (R14): the enterprise evaluates before anything is registered.
    await page.locator("#evaluate").waitFor({ state: "visible" });
    await page.click("#evaluate");
    await fillEvaluation(page);
    await expect.poll(() => page.locator("#status-box").innerText(), poll).toContain("感谢您的评价");
    await expect.poll(() => page.locator("#d-evaluation-note").innerText(), poll).toContain("已评价");
    await shot(page, "6-evaluated");

    await page.click("#back");
    await page.locator("#home").waitFor({ state: "visible" });
    await page.click("#logout");
    await page.locator("#signin").waitFor({ state: "visible" });
    const cookies = await context.cookies(server.baseUrl);
    expect(cookies.find((c) => c.name === "lianma_ent")).toBeUndefined();
    await context.close();
    expect(problems).toEqual([]);
  }, 90_000);

  it("prints activation letters (A4) and the letter's QR target signs the enterprise in once", async () => {
    const problems: string[] = [];
    const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
    const admin = await desk.newPage();
    watchPage(admin, problems);
    await login(admin, server.baseUrl, server.username, server.password, "/admin/enterprises/letters");
    await admin.fill("#district", "历下区");
    await admin.click("#issue");
    const letters = admin.locator("article.letter");
    await expect.poll(() => letters.count(), poll).toBeGreaterThan(0);
    await expect.poll(() => letters.first().locator(".qr svg").count(), poll).toBe(1);
    const token = (await letters.first().locator(".token").innerText()).trim();
    expect(token).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
    await admin.emulateMedia({ media: "print" });
    await letters.first().screenshot({ path: join(screenshotDir, "enterprise-letter.png") });
    await desk.close();

    // What scanning the QR opens: the token in the fragment, gone from the address bar at once.
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    watchPage(page, problems);
    await page.goto(`${server.baseUrl}/e/activate#token=${token}`);
    await page.locator("#home").waitFor({ state: "visible" });
    expect(new URL(page.url()).hash).toBe("");
    await shot(page, "7-activated");
    await context.close();

    // Used once: the same link again is refused, in Chinese, on the sign-in view.
    const again = await browser.newContext(phone);
    const second = await again.newPage();
    await second.goto(`${server.baseUrl}/e/activate#token=${token}`);
    await second.locator("#signin").waitFor({ state: "visible" });
    await expect.poll(() => second.locator("#signin-message").innerText(), poll).toContain("激活码无效");
    await again.close();
    // The refused activation answers 401, which Chromium reports as a failed load.
    expect(problems.filter((p) => !p.includes("401"))).toEqual([]);
  }, 90_000);
});
