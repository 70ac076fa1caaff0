// Supervision cases (督办, issue 16) in a real browser on the demo data: a negative evaluation's alert
// becomes a case; the department administrator answers on a phone with a self-inspection report and a
// photo; the supervisor returns it once, then accepts and closes with 约谈; the dashboard counts it.
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumMissing, demoServerAndBrowser, login, screenshotDir, watchPage } from "./harness";

const poll = { timeout: 20_000, interval: 100 };
const DEMO_PASSWORD = "Cases-demo-password";
const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  locale: "zh-CN",
};
const desktop = { viewport: { width: 1280, height: 860 }, locale: "zh-CN" };
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshotDir, `cases-${name}.png`), fullPage: true });

async function getJson<T>(context: BrowserContext, url: string): Promise<T> {
  const res = await context.request.get(url);
  if (!res.ok()) throw new Error(`GET ${url}: ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}

describe.skipIf(chromiumMissing)("supervision case in a browser", () => {
  const demo = demoServerAndBrowser(DEMO_PASSWORD);

  it("turns an alert into a case, answered twice, returned once, accepted and closed with 约谈", async () => {
    const base = demo.server.baseUrl;
    const problems: string[] = [];
    const bureauContext = await demo.browser.newContext(desktop);
    const deptContext = await demo.browser.newContext(phone);
    const bureau = await bureauContext.newPage();
    const dept = await deptContext.newPage();
    watchPage(bureau, problems);
    watchPage(dept, problems);

    // 1. The supervisor opens a negative evaluation's alert and starts a case from it.
    await login(bureau, base, "sfj-supervisor", DEMO_PASSWORD, "/admin/alerts");
    const { items } = await getJson<{
      items: { id: string; kind: string; department: { id: string; name: string } }[];
    }>(bureauContext, `${base}/api/alerts?status=active`);
    const alert = items.find((a) => a.kind === "negative_evaluation");
    expect(alert, "the demo data holds an open negative evaluation alert").toBeTruthy();
    const { items: departments } = await getJson<{ items: { id: string; code: string }[] }>(
      bureauContext,
      `${base}/api/departments`,
    );
    const code = departments.find((d) => d.id === alert!.department.id)!.code.toLowerCase();

    await bureau.locator(`.alert-card[data-id="${alert!.id}"]`).click();
    await bureau.locator("a", { hasText: "立案督办" }).click();
    await bureau.waitForURL((u) => u.pathname === "/admin/cases");
    await expect.poll(() => bureau.locator("#source-note").innerText(), poll).toContain("告警");
    await expect.poll(() => bureau.locator("#department").inputValue(), poll).toBe(alert!.department.id);
    await bureau.fill("#title", "企业评价反映检查人员态度粗暴");
    await bureau.fill("#facts", "企业在事后评价中反映检查人员态度粗暴，总体评价不满意。");
    await bureau.locator("#situations label", { hasText: "作风粗暴" }).locator("input").check();
    await expect.poll(() => bureau.locator("#officers input").count(), poll).toBeGreaterThan(0);
    await bureau.locator("#officers input").first().check();
    await shot(bureau, "01-open-form");
    await bureau.click("#open-submit");
    await bureau.waitForURL((u) => /^\/admin\/cases\/[^/]+$/.test(u.pathname));
    const caseUrl = new URL(bureau.url()).pathname;
    await expect.poll(() => bureau.locator("#case-status").innerText(), poll).toBe("已立案");
    await expect.poll(() => bureau.locator("#case h1").innerText(), poll).toMatch(/^济司督〔\d{4}〕第1号$/);
    await bureau.locator("button", { hasText: "交办部门" }).click();
    await expect.poll(() => bureau.locator("#case-status").innerText(), poll).toBe("已交办");
    await shot(bureau, "02-sent");

    // 2. The department administrator answers on a phone, with a photo; the source stays hidden.
    await login(dept, base, `${code}-admin`, DEMO_PASSWORD, caseUrl);
    await expect.poll(() => dept.locator("#case-status").innerText(), poll).toBe("已交办");
    expect(await dept.locator("#case").innerText()).not.toContain(alert!.id);
    await dept.fill("#answer-report", "已组织自查：当事执法人员已作书面检讨，全体人员开展文明执法培训。");
    await dept.setInputFiles("#answer-files", { name: "自查.png", mimeType: "image/png", buffer: PNG });
    await shot(dept, "03-answer-phone");
    await dept.locator("#answer-form button[type=submit]").click();
    await expect.poll(() => dept.locator("#case-status").innerText(), poll).toBe("已报送自查");
    await expect.poll(() => dept.locator(".case-answer img").count(), poll).toBe(1);

    // 3. The supervisor returns it once with a reason.
    await bureau.reload();
    await expect.poll(() => bureau.locator("#case-status").innerText(), poll).toBe("已报送自查");
    await bureau.locator('textarea[aria-label="退回理由"]').fill("自查不够深入，请补充与企业的沟通情况。");
    await bureau.locator("button", { hasText: /^退回$/ }).click();
    await expect.poll(() => bureau.locator("#case-status").innerText(), poll).toBe("已退回");

    // 4. The department sees the reason and answers again.
    await dept.reload();
    await expect.poll(() => dept.locator("#actions").innerText(), poll).toContain("退回理由：自查不够深入");
    await shot(dept, "04-returned-phone");
    await dept.fill("#answer-report", "已补充：部门负责人已上门向企业说明情况并致歉。");
    await dept.locator("#answer-form button[type=submit]").click();
    await expect.poll(() => dept.locator("#case-status").innerText(), poll).toBe("已报送自查");

    // 5. The supervisor accepts and closes with 约谈.
    await bureau.reload();
    await bureau.locator("button", { hasText: "认可自查报告" }).click();
    await expect.poll(() => bureau.locator("#case-status").innerText(), poll).toBe("自查已认可");
    await bureau.selectOption('select[name="conclusion"]', "interview");
    await bureau.fill('#close-form input[name="date"]', new Date().toISOString().slice(0, 10));
    await bureau.fill(
      '#close-form input[name="attendees"]',
      "司法局执法监督处、部门分管负责人、当事执法人员",
    );
    await bureau.fill('#close-form textarea[name="minutes"]', "指出问题，提出整改要求，当事人表示接受。");
    await bureau.locator("#close-form button[type=submit]").click();
    await expect.poll(() => bureau.locator("#case-status").innerText(), poll).toBe("已办结");
    const detail = await bureau.locator("#case").innerText();
    expect(detail).toContain("约谈");
    expect(detail).toContain("第 2 次报送");
    await shot(bureau, "05-closed");

    // 6. The printable sheet and the dashboard.
    await bureau.goto(`${base}${caseUrl}/print`);
    await expect.poll(() => bureau.locator("#sheet").innerText(), poll).toContain("办结结论");
    await shot(bureau, "06-print");
    await bureau.goto(`${base}/admin/dashboard`);
    await expect
      .poll(() => bureau.locator("#cases-dept-table").innerText(), poll)
      .toContain(alert!.department.name);
    const kpis = await bureau.locator("#cases-kpis").innerText();
    expect(kpis).toMatch(/立案\s*1/);
    expect(kpis).toMatch(/已办结\s*1/);
    await bureau
      .locator("#cases-section")
      .screenshot({ path: join(screenshotDir, "cases-07-dashboard.png") });

    // 7. The audit log shows the case's whole trail, newest first, each step under its Chinese name.
    await bureau.goto(`${base}${caseUrl}`);
    await bureau.locator("#audit-link").click();
    await bureau.waitForURL((url) => url.pathname === "/admin/audit");
    await expect.poll(() => bureau.locator("#lines .audit-line").count(), poll).toBeGreaterThanOrEqual(8);
    const trail = await bureau.locator("#lines .audit-action").allInnerTexts();
    expect(trail).toContain("上传督办附件");
    expect([...trail].reverse().filter((a) => a !== "上传督办附件")).toEqual([
      "立案督办",
      "督办件交办",
      "部门提交自查报告",
      "退回自查报告",
      "部门提交自查报告",
      "自查报告通过",
      "督办结案",
    ]);
    await shot(bureau, "08-audit-trail");

    expect(problems).toEqual([]);
    await bureauContext.close();
    await deptContext.close();
  }, 240_000);
});
