// The enterprise's voice on a phone (issue 13, R14): signed in by SMS code (file gateway), it confirms
// the officers' arrival, evaluates negatively before anything is registered and files a 未备案入企
// complaint; the supervisor's alert desk, open in another browser, shows both alerts without a reload.
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
const DEMO_PASSWORD = "Voice-demo-password";
const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  locale: "zh-CN",
  timezoneId: "Asia/Shanghai",
};

interface Target {
  creditCode: string;
  name: string;
  /** A listed department with no filing for this enterprise at all: a visit by it was never filed. */
  unfiledDepartment: string;
}

/** Another enterprise's approved visit, moved two days ahead, whose lead department has a spare officer. */
interface AvoidTarget {
  creditCode: string;
  inspectionId: string;
  leadAdmin: string;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshotDir, `voice-${name}.png`), fullPage: true });

describe.skipIf(chromiumMissing)("the enterprise's voice reaches the alert desk live", () => {
  let server: RunningServer;
  let browser: Browser;
  let smsDir: string;
  let smsFile: string;
  let target: Target;
  let avoidTarget: AvoidTarget;

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
            SELECT e.credit_code, e.name,
              (SELECT d.name FROM departments d WHERE d.listed = 1 AND d.id NOT IN (
                 SELECT x.department_id FROM inspection_departments x
                 JOIN inspections y ON y.id = x.inspection_id WHERE y.enterprise_id = e.id)
               ORDER BY d.code LIMIT 1) AS unfiled
            FROM enterprises e
            JOIN inspections i ON i.enterprise_id = e.id
            WHERE e.contact_phone IS NOT NULL AND i.status = 'approved'
              AND NOT EXISTS (SELECT 1 FROM evaluations v WHERE v.inspection_id = i.id)
            ORDER BY e.credit_code LIMIT 1`);
          const row = result.rows[0];
          if (!row?.unfiled)
            throw new Error("the demo data has no enterprise with a phone and a planned inspection");
          const other = await database.client.execute({
            sql: `SELECT i.id, e.credit_code, d.code AS lead FROM inspections i
              JOIN enterprises e ON e.id = i.enterprise_id
              JOIN departments d ON d.id = i.lead_department_id
              WHERE i.status = 'approved' AND e.contact_phone IS NOT NULL AND e.credit_code <> ?
                AND EXISTS (SELECT 1 FROM officers o WHERE o.department_id = i.lead_department_id
                  AND o.is_helper = 0 AND o.status = 'active' AND o.credential_issued_on <= date('now')
                  AND o.credential_expires_on > date('now', '+30 days')
                  AND o.id NOT IN (SELECT officer_id FROM inspection_officers WHERE inspection_id = i.id))
              ORDER BY e.credit_code LIMIT 1`,
            args: [String(row.credit_code)],
          });
          const avoid = other.rows[0];
          if (!avoid) throw new Error("the demo data has no second planned inspection with a spare officer");
          const start = Date.now() + 2 * 86_400_000;
          await database.client.execute({
            sql: `UPDATE inspections SET planned_start = ?, planned_end = ?, arrived_at = NULL,
              enterprise_arrival_at = NULL WHERE id = ?`,
            args: [start, start + 7_200_000, String(avoid.id)],
          });
          avoidTarget = {
            creditCode: String(avoid.credit_code),
            inspectionId: String(avoid.id),
            leadAdmin: `${String(avoid.lead).toLowerCase()}-admin`,
          };
          target = {
            creditCode: String(row.credit_code),
            name: String(row.name),
            unfiledDepartment: String(row.unfiled),
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

  it("evaluation and 未备案入企 complaint from the portal appear on the open desk without reload", async () => {
    const problems: string[] = [];

    // The supervisor's desk, open before anything happens.
    const deskContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
    });
    const desk = await deskContext.newPage();
    watchPage(desk, problems);
    await login(desk, server.baseUrl, "sfj-supervisor", DEMO_PASSWORD, "/admin/alerts");
    await expect.poll(() => desk.locator("#live").getAttribute("data-state"), poll).toBe("live");
    const cards = desk.locator("#alert-items .alert-card");
    await expect.poll(() => desk.locator("#alert-items .empty").count(), poll).toBe(0);
    const before = new Set(await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-id"))));
    const navigations: string[] = [];
    desk.on("framenavigated", (frame) => {
      if (frame === desk.mainFrame()) navigations.push(frame.url());
    });
    const fresh = (kind: string) =>
      desk
        .locator(`#alert-items .alert-card:has(.badge-kind-${kind})`, { hasText: target.name })
        .evaluateAll(
          (els, seen) => els.filter((e) => !seen.includes(e.getAttribute("data-id") ?? "")).length,
          [...before] as string[],
        );

    // The enterprise signs in on its phone with the SMS code from the file gateway.
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    watchPage(page, problems);
    await page.goto(`${server.baseUrl}/e`);
    await page.fill("#credit-code", target.creditCode);
    await page.click("#send-code");
    await page.locator("#login-form").waitFor({ state: "visible" });
    await expect.poll(() => existsSync(smsFile), poll).toBe(true);
    const sms = JSON.parse(readFileSync(smsFile, "utf8").trim().split("\n").pop()!) as { code: string };
    await page.fill("#sms-code", sms.code);
    await page.click("#login");
    await page.locator("#home").waitFor({ state: "visible" });
    await expect.poll(() => page.locator("#enterprise-name").innerText(), poll).toBe(target.name);

    // The planned inspection: arrival, then a negative evaluation before the officer registers.
    const upcoming = page.locator("#upcoming li a");
    await expect.poll(() => upcoming.count(), poll).toBeGreaterThan(0);
    await upcoming.first().click();
    await page.locator("#detail").waitFor({ state: "visible" });
    await page.click("#confirm-arrival");
    await expect.poll(() => page.locator("#d-arrival").innerText(), poll).toContain("确认");
    await page.locator("#evaluate").waitFor({ state: "visible" });
    await page.click("#evaluate");
    await fillEvaluation(page);
    await expect.poll(() => page.locator("#status-box").innerText(), poll).toContain("感谢您的评价");
    await expect.poll(() => fresh("negative_evaluation"), poll).toBe(1);

    // A 未备案入企 complaint about a department that filed nothing for this enterprise.
    await page.click("#back");
    await page.locator("#home").waitFor({ state: "visible" });
    await page.click("#go-complaints");
    await page.locator("#complaints").waitFor({ state: "visible" });
    await expect.poll(() => page.locator("#c-department option").count(), poll).toBeGreaterThan(1);
    await page.selectOption("#c-kind", "unfiled_visit");
    await page.selectOption("#c-department", { label: target.unfiledDepartment });
    await page.fill(
      "#c-text",
      "今天上午两名自称执法人员的人到店检查，没有出示执法证，也说不出检查依据，事后查询没有备案。",
    );
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, "1-complaint-form");
    await page.click("#c-submit");
    await page.locator("#receipt").waitFor({ state: "visible" });
    const receiptNo = (await page.locator("#receipt-no").innerText()).trim();
    expect(receiptNo).toMatch(/^TS\d{8}-[0-9A-Z]{6}$/);
    await expect
      .poll(() => page.locator(`#my-complaints li[data-receipt="${receiptNo}"]`).innerText(), poll)
      .toContain("已受理");
    await shot(page, "2-receipt");

    // The desk shows both without a reload, and the complaint's content on selection.
    await expect.poll(() => fresh("complaint"), poll).toBe(1);
    await expect.poll(() => fresh("negative_evaluation"), poll).toBe(1);
    expect(navigations).toEqual([]);
    await desk
      .locator("#alert-items .alert-card:has(.badge-kind-complaint)", { hasText: target.name })
      .first()
      .click();
    await expect.poll(() => desk.locator("#detail").innerText(), poll).toContain(receiptNo);
    await expect.poll(() => desk.locator("#detail").innerText(), poll).toContain("未备案入企");
    await expect.poll(() => desk.locator("#detail").innerText(), poll).toContain("没有出示执法证");
    await shot(desk, "3-desk");

    await context.close();
    await deskContext.close();
    expect(problems).toEqual([]);
  }, 120_000);
  it("回避: the enterprise asks before the visit, the lead administrator replaces the officer, the portal shows it", async () => {
    const problems: string[] = [];
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    watchPage(page, problems);
    await page.goto(`${server.baseUrl}/e`);
    const sent = () =>
      existsSync(smsFile)
        ? readFileSync(smsFile, "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line) as { code: string })
        : [];
    const before = sent().length;
    await page.fill("#credit-code", avoidTarget.creditCode);
    await page.click("#send-code");
    await page.locator("#login-form").waitFor({ state: "visible" });
    await expect.poll(() => sent().length, poll).toBe(before + 1);
    await page.fill("#sms-code", sent().pop()!.code);
    await page.click("#login");
    await page.locator("#home").waitFor({ state: "visible" });
    await page.goto(`${server.baseUrl}/e/inspections/${avoidTarget.inspectionId}`);
    await page.locator("#d-avoid-panel").waitFor({ state: "visible" });
    const officer = await page.locator("#a-officer option").nth(1).innerText();
    await page.selectOption("#a-officer", { index: 1 });
    await page.fill("#a-reason", "该执法人员是本企业法定代表人的表兄，请求回避。");
    await page.click("#a-submit");
    await expect.poll(() => page.locator("#d-avoid-list").innerText(), poll).toContain("待答复");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, "4-avoidance-asked");

    // The lead department's administrator answers on the inspection page.
    const staffContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: "zh-CN",
    });
    const staff = await staffContext.newPage();
    watchPage(staff, problems);
    await login(
      staff,
      server.baseUrl,
      avoidTarget.leadAdmin,
      DEMO_PASSWORD,
      `/admin/inspections/${avoidTarget.inspectionId}`,
    );
    await staff.locator("#avoid-card").waitFor({ state: "visible" });
    await expect
      .poll(() => staff.locator("#avoid-list").innerText(), poll)
      .toContain(officer.replace(/（.*$/, ""));
    const replacement = (await staff.locator(".avoid-replacement option").first().innerText()).replace(
      /（.*$/,
      "",
    );
    await staff.fill(".avoid-answer", "经核实属实，改派其他执法人员。");
    await staff
      .locator("#avoid-card")
      .screenshot({ path: join(screenshotDir, "voice-5-avoidance-answer.png") });
    await staff.click(".avoid-form button[type=submit]");
    await expect.poll(() => staff.locator("#avoid-list").innerText(), poll).toContain("已更换");
    await expect.poll(() => staff.locator("#officers").innerText(), poll).toContain(replacement);
    await shot(staff, "6-avoidance-replaced");
    await staffContext.close();

    await page.reload();
    await page.locator("#d-avoid-panel").waitFor({ state: "visible" });
    await expect
      .poll(() => page.locator("#d-avoid-list").innerText(), poll)
      .toContain(`已改派 ${replacement}`);
    await expect.poll(() => page.locator("#d-officers").innerText(), poll).toContain(replacement);
    await shot(page, "7-avoidance-answered");
    await context.close();
    expect(problems).toEqual([]);
  }, 120_000);
});
