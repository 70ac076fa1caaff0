// Issue 17 (fast public pages) on a 390 px phone: the /i/:code HTML carries no evaluation
// questionnaire; 开始评价 asks the API for it alongside SurveyJS. When that request fails the page
// says so in Chinese and offers 重试; the retry opens the questionnaire and the evaluation submits.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import {
  apiAs,
  chromiumMissing,
  fillEvaluation,
  launchBrowser,
  login,
  PHONE,
  screenshotDir,
  seedDemoDatabase,
  startServer,
  watchPage,
  type RunningServer,
} from "./harness";

const poll = { timeout: 20_000, interval: 100 };
const DEMO_PASSWORD = "Evaluate-demo-password";
const phone = PHONE;
const shot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: join(screenshotDir, `evaluate-${name}.png`), fullPage });

describe.skipIf(chromiumMissing)("/i/:code: the questionnaire loads when evaluating starts", () => {
  let server: RunningServer;
  let browser: Browser;
  let smsDir: string;
  let smsFile: string;
  /** The demo's visit under way (its evaluation open, none given yet) and its enterprise. */
  let visit: { id: string; creditCode: string; lead: string };

  beforeAll(async () => {
    smsDir = await mkdtemp(join(tmpdir(), "lianma-sms-"));
    smsFile = join(smsDir, "sms.jsonl");
    server = await startServer({
      seedForms: true,
      env: { SMS_GATEWAY: "file", SMS_FILE: smsFile },
      prepare: async (url) => {
        await seedDemoDatabase(url, DEMO_PASSWORD);
        const database = await openDatabase({ url });
        try {
          const result = await database.client.execute(`
            SELECT i.id, e.id AS enterprise, e.credit_code, d.code AS lead FROM inspections i
            JOIN enterprises e ON e.id = i.enterprise_id
            JOIN departments d ON d.id = i.lead_department_id
            WHERE i.status = 'in_progress'
              AND NOT EXISTS (SELECT 1 FROM evaluations v WHERE v.inspection_id = i.id)
            ORDER BY i.id LIMIT 1`);
          const row = result.rows[0];
          if (!row) throw new Error("the demo data has no visit under way");
          // The SMS sign-in needs the enterprise's phone on file.
          await database.client.execute({
            sql: "UPDATE enterprises SET contact_phone = COALESCE(contact_phone, '13800000000') WHERE id = ?",
            args: [String(row.enterprise)],
          });
          visit = { id: String(row.id), creditCode: String(row.credit_code), lead: String(row.lead) };
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

  it("a failed questionnaire request shows a Chinese error with 重试; the retry opens it and the evaluation submits", async () => {
    const problems: string[] = [];
    // The visit's code, as its lead department's officer shows it.
    const officer = await browser.newContext(phone);
    const officerPage = await officer.newPage();
    const leadOfficer = `${visit.lead.toLowerCase()}-officer1`;
    await login(officerPage, server.baseUrl, leadOfficer, DEMO_PASSWORD, "/admin/inspections");
    const { url } = await apiAs<{ url: string }>(
      officer,
      server.baseUrl,
      "GET",
      `/api/inspections/${visit.id}/code`,
    );
    await officer.close();
    const path = new URL(url).pathname;

    // The enterprise signs in on its phone with the SMS code from the file gateway.
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    watchPage(page, problems);
    await page.goto(`${server.baseUrl}/e`);
    await page.fill("#credit-code", visit.creditCode);
    await page.click("#send-code");
    await page.locator("#login-form").waitFor({ state: "visible" });
    await expect.poll(() => existsSync(smsFile), poll).toBe(true);
    const sms = JSON.parse(readFileSync(smsFile, "utf8").trim().split("\n").pop()!) as { code: string };
    await page.fill("#sms-code", sms.code);
    await page.click("#login");
    await page.locator("#home").waitFor({ state: "visible" });

    // The page's HTML, as this enterprise gets it: the facts, the offer to evaluate, no questionnaire.
    const html = await (await context.request.get(`${server.baseUrl}${path}`)).text();
    expect(html).toContain('class="person-name"');
    expect(html).toContain('"viewer":"enterprise"');
    expect(html).not.toContain("overall_satisfaction");
    expect(html).not.toContain("rude_conduct");

    const questionnaireRequests: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/api/public/inspections/"))
        questionnaireRequests.push(request.method());
    });
    // Any officer's entry the script takes out again (the facts came drawn in the HTML).
    await page.addInitScript(() => {
      const w = window as unknown as { redrawn: number };
      w.redrawn = 0;
      new MutationObserver((records) => {
        for (const r of records)
          for (const n of r.removedNodes)
            if (n instanceof Element && (n.matches(".person-name") || n.querySelector(".person-name")))
              w.redrawn++;
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${server.baseUrl}${path}`);
    await page.locator("#start-evaluation").waitFor({ state: "visible" });
    expect(await page.evaluate(() => (window as unknown as { redrawn: number }).redrawn)).toBe(0);
    expect(await page.locator("#documents").innerText()).toContain("行政检查通知书");
    // Showing the page asked nothing more: its data came with the HTML.
    expect(questionnaireRequests).toEqual([]);

    // The questionnaire request fails (the link drops): the facts stay, the page explains and offers 重试.
    await page.route("**/api/public/inspections/**", (route) =>
      route.request().method() === "GET" ? route.abort("internetdisconnected") : route.fallback(),
    );
    await page.click("#start-evaluation");
    const statusBox = page.locator("#status-box");
    await expect.poll(() => statusBox.innerText(), poll).toContain("评价表未能打开");
    expect(await statusBox.innerText()).toContain("网络连接失败，请检查网络后重试。");
    expect(await page.locator("#survey .sd-question").count()).toBe(0);
    expect(await page.locator(".person-name").first().isVisible()).toBe(true);
    await shot(page, "questionnaire-failed");
    expect(questionnaireRequests).toEqual(["GET"]);

    // The link is back: 重试 loads the questionnaire, which the enterprise answers and submits.
    await page.unroute("**/api/public/inspections/**");
    await statusBox.getByRole("button", { name: "重试" }).click();
    await page.locator("#survey .sd-question").first().waitFor({ state: "visible", timeout: 20_000 });
    await expect.poll(() => statusBox.isHidden(), poll).toBe(true);
    await shot(page, "questionnaire-open");
    await fillEvaluation(page);
    await expect.poll(() => statusBox.innerText(), poll).toContain("感谢您的评价");
    await shot(page, "evaluated", true);
    expect(questionnaireRequests).toEqual(["GET", "GET", "POST"]);
    expect(problems.filter((p) => !/internetdisconnected|ERR_INTERNET_DISCONNECTED/i.test(p))).toEqual([]);
    await context.close();
  });
});
