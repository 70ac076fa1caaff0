// The whole inspection story in a real browser, on a server seeded with the demo data (npm run seed:demo):
// catalog → filing on a phone (and a refused duplicate) → approval → code → checklist → QR → evaluation →
// the supervisor's live alert.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jsQR from "jsqr";
import type { BrowserContext, Page } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { creditCodeCheckChar } from "../../src/directory/uscc.ts";
import {
  chromiumMissing,
  fillEvaluation,
  demoServerAndBrowser,
  login,
  screenshotDir,
  watchPage,
  apiAs,
} from "./harness";

const poll = { timeout: 20_000, interval: 100 };
const DEMO_PASSWORD = "Story-demo-password";
const ENTERPRISE = "济南亮码示范餐饮有限公司";
const ITEM_CODE = "JN-SCJG-101";
const phone = {
  viewport: { width: 375, height: 740 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  locale: "zh-CN",
};
const desktop = { viewport: { width: 1280, height: 860 }, locale: "zh-CN" };

/** A datetime-local value on Asia/Shanghai's wall clock (the demo server's zone). */
const shanghaiClock = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);

const shot = (page: Page, name: string, fullPage = true) =>
  page.screenshot({ path: join(screenshotDir, `story-${name}.png`), fullPage });

/** Fills the filing form for the demo enterprise: search, pick, a second inspector, the item. */
async function fillFiling(page: Page, itemText: string) {
  // The visit starts now (the checklist's times must lie in the planned window, R7), for two hours.
  const soon = Date.now() + 5 * 60_000;
  await page.fill("#planned-start", shanghaiClock(soon));
  await page.fill("#planned-end", shanghaiClock(soon + 2 * 3_600_000));
  await page.fill("#enterprise-search", "亮码示范");
  await page.locator("#enterprise-results button.pick", { hasText: ENTERPRISE }).click();
  await expect.poll(() => page.locator("#enterprise-chosen").innerText(), poll).toContain(ENTERPRISE);
  const officers = page.locator('#officer-list li:not(.unavailable) input[data-counts="1"]');
  await expect.poll(() => officers.count(), poll).toBeGreaterThanOrEqual(2);
  const unchecked = page.locator('#officer-list li:not(.unavailable) input[data-counts="1"]:not(:checked)');
  while ((await page.locator('#officer-list input[data-counts="1"]:checked').count()) < 2) {
    await unchecked.first().check();
  }
  await page.locator("#item-list li", { hasText: itemText }).locator("input").check();
}

describe.skipIf(chromiumMissing)("inspection story in a real browser", () => {
  const smsDir = mkdtempSync(join(tmpdir(), "lianma-story-sms-"));
  const smsFile = join(smsDir, "sms.jsonl");
  const demo = demoServerAndBrowser(DEMO_PASSWORD, { env: { SMS_GATEWAY: "file", SMS_FILE: smsFile } });
  afterAll(() => rmSync(smsDir, { recursive: true, force: true }));
  const problems: string[] = [];

  it("files, approves, registers, shows the code, is evaluated and raises a live alert", async () => {
    const pages: Page[] = [];
    const watch = (page: Page) => {
      pages.push(page);
      watchPage(page, problems);
    };
    try {
      await story(watch);
    } catch (error) {
      // What each open page showed when the story broke.
      for (const [index, page] of pages.entries()) {
        if (!page.isClosed()) await shot(page, `failure-${index}`).catch(() => undefined);
      }
      throw error;
    }
    // The refused duplicate answers 409, which Chromium reports on the console as a failed load.
    const unexpected = problems.filter((p) => !(p.includes("/admin/inspections/new") && p.includes("409")));
    expect(unexpected).toEqual([]);
  }, 240_000);

  async function story(watch: (page: Page) => void) {
    const { server, browser } = demo;
    const base = server.baseUrl;

    // 1. The administrator adds the enterprise, publishes a checklist form and puts the item in the catalog.
    const adminContext = await browser.newContext(desktop);
    adminContext.setDefaultTimeout(20_000);
    const admin = await adminContext.newPage();
    watch(admin);
    await login(admin, base, "admin", server.password, "/admin/catalog");
    const { items: departments } = await apiAs<{ items: { id: string; code: string; name: string }[] }>(
      adminContext,
      base,
      "GET",
      "/api/departments",
    );
    const market = departments.find((d) => d.code === "SCJG")!;
    const first17 = "91370102MALM2026";
    const firmCreditCode = `${first17}1${creditCodeCheckChar(`${first17}1`)}`;
    await apiAs(adminContext, base, "POST", "/api/enterprises", {
      creditCode: firmCreditCode,
      // The enterprise's mobile number, where its sign-in code goes (R14).
      contactPhone: "13912345678",
      name: ENTERPRISE,
      address: "山东省济南市历下区泉城路 188 号",
      district: "历下区",
      industry: "餐饮服务",
      legalRepresentative: "李明",
      creditGrade: "B",
      riskLevel: "medium",
    });
    const { form } = await apiAs<{ form: { id: string } }>(adminContext, base, "POST", "/api/forms", {
      title: "餐饮服务食品安全示范检查表",
      kind: "checklist",
      departmentId: market.id,
      schema: {
        title: "餐饮服务食品安全示范检查表",
        elements: [
          { type: "radiogroup", name: "license", title: "食品经营许可证公示", choices: ["合格", "不合格"] },
          { type: "radiogroup", name: "kitchen", title: "后厨明厨亮灶", choices: ["合格", "不合格"] },
        ],
      },
    });
    await apiAs(adminContext, base, "POST", `/api/forms/${form.id}/publish`);
    await admin.reload();
    await admin.click("#new-item");
    await admin.fill("#item-code", ITEM_CODE);
    await admin.selectOption("#item-department", { label: market.name });
    await admin.fill("#item-name", "餐饮服务食品安全示范检查");
    await admin.fill("#item-basis", "《中华人民共和国食品安全法》第五十五条、第五十六条");
    await admin.selectOption("#item-form-id", { label: "餐饮服务食品安全示范检查表（第 1 版）" });
    await admin.click("#item-submit");
    await expect.poll(() => admin.locator("#items-body").innerText(), poll).toContain(ITEM_CODE);
    await shot(admin, "01-catalog");

    // 2. An officer files on a phone.
    const officerContext = await browser.newContext(phone);
    officerContext.setDefaultTimeout(20_000);
    const officer = await officerContext.newPage();
    watch(officer);
    await login(officer, base, "scjg-officer1", DEMO_PASSWORD, "/admin/inspections");
    await officer.locator("#list li[data-inspection-id]").first().waitFor();
    await shot(officer, "02-list-officer-phone");
    await officer.click("#new-filing");
    await officer.waitForURL(/\/admin\/inspections\/new$/);
    await fillFiling(officer, ITEM_CODE);
    await expect
      .poll(() => officer.locator("#officer-counter").innerText(), poll)
      .toContain("已选执法人员 2 名");
    const helper = officer.locator("#officer-list li", { hasText: "辅助人员" }).first().locator("input");
    await helper.check();
    await expect.poll(() => officer.locator("#officer-counter").innerText(), poll).toContain("辅助人员 1 名");
    await expect.poll(() => officer.locator("#legal-basis").inputValue(), poll).toContain("第五十五条");
    // The unfinished filing survives a reload (kept in localStorage).
    await officer.waitForTimeout(400);
    await officer.reload();
    await expect.poll(() => officer.locator("#draft-note").isVisible(), poll).toBe(true);
    await expect.poll(() => officer.locator("#enterprise-chosen").innerText(), poll).toContain(ENTERPRISE);
    await expect.poll(() => officer.locator("#officer-counter").innerText(), poll).toContain("辅助人员 1 名");
    // One inspector short: refused on the spot, next to the officers.
    const secondId = await officer
      .locator('#officer-list input[data-counts="1"]:checked')
      .last()
      .getAttribute("value");
    const second = officer.locator(`#officer-list input[value="${secondId}"]`);
    await second.uncheck();
    await officer.click("#submit-filing");
    await expect.poll(() => officer.locator("#error-officers").innerText(), poll).toContain("至少需要两名");
    await second.check();
    await shot(officer, "03-filing-form-phone");
    await officer.click("#submit-filing");
    await officer.waitForURL(/\/admin\/inspections\/[0-9a-z]{16}$/);
    const inspectionId = new URL(officer.url()).pathname.split("/")[3]!;
    await expect.poll(() => officer.locator("#message").innerText(), poll).toContain("备案已提交");
    await expect.poll(() => officer.locator("#status").innerText(), poll).toBe("已备案待审批");
    await shot(officer, "04-filed-phone");

    // 3. A second filing for the same enterprise is refused, naming the first.
    await officer.goto(`${base}/admin/inspections/new`);
    await fillFiling(officer, ITEM_CODE);
    await officer.click("#submit-filing");
    await expect.poll(() => officer.locator("#conflict").isVisible(), poll).toBe(true);
    expect(await officer.locator("#conflict-text").innerText()).toContain("不予通过");
    expect(await officer.locator("#conflict-facts").innerText()).toContain(market.name);
    expect(await officer.locator("#conflict-open").getAttribute("href")).toBe(
      `/admin/inspections/${inspectionId}`,
    );
    await shot(officer, "05-duplicate-refused-phone");

    // … and an officer of another department asks to join it instead (联合检查): a request, nothing yet (R18).
    const fireContext = await browser.newContext(phone);
    fireContext.setDefaultTimeout(20_000);
    const fire = await fireContext.newPage();
    watch(fire);
    await login(fire, base, "xfjy-officer1", DEMO_PASSWORD, "/admin/inspections/new");
    await fillFiling(fire, "JN-XFJY-001");
    await fire.click("#submit-filing");
    await expect.poll(() => fire.locator("#join-button").isVisible(), poll).toBe(true);
    await shot(fire, "06-join-offer-phone");
    await fire.click("#join-button");
    await expect.poll(() => fire.locator("#join-message").innerText(), poll).toContain("已提交加入申请");
    await fireContext.close();

    // The fire department's administrator approves its part from the inspections list.
    const fireHeadContext = await browser.newContext(desktop);
    fireHeadContext.setDefaultTimeout(20_000);
    const fireHead = await fireHeadContext.newPage();
    watch(fireHead);
    await login(fireHead, base, "xfjy-admin", DEMO_PASSWORD, "/admin/inspections");
    const asked = fireHead.locator("#join-pending-list li", { hasText: ENTERPRISE });
    await asked.waitFor();
    await shot(fireHead, "06b-join-request-fire-head");
    await asked.locator('[data-join-action="approve"]').click();
    await expect.poll(() => fireHead.locator("#message").innerText(), poll).toContain("已记录同意");
    await fireHeadContext.close();

    // 4. The department administrator accepts the join and approves on the detail page (desktop); it
    // waits first in line.
    const headContext = await browser.newContext(desktop);
    headContext.setDefaultTimeout(20_000);
    const head = await headContext.newPage();
    watch(head);
    await login(head, base, "scjg-admin", DEMO_PASSWORD, "/admin/inspections");
    const pending = head.locator(`#pending-list li[data-inspection-id="${inspectionId}"]`);
    await pending.waitFor();
    await shot(head, "07-pending-head");
    await pending.locator("a").click();
    await head.waitForURL(new RegExp(`/admin/inspections/${inspectionId}$`));
    await expect.poll(() => head.locator("#officers").innerText(), poll).toContain("执法证");
    const join = head.locator("#join-list li", { hasText: "申请加入" });
    await join.waitFor();
    await shot(head, "07b-join-request-head");
    await join.locator('[data-join-action="accept"]').click();
    await expect.poll(() => head.locator("#flags").innerText(), poll).toContain("联合检查");
    await expect.poll(() => head.locator("#join-list").innerText(), poll).toContain("已加入");
    head.once("dialog", (dialog) => void dialog.accept());
    await head.click("#approve");
    await expect.poll(() => head.locator("#status").innerText(), poll).toBe("已批准");
    await head.waitForFunction(
      () => (document.querySelector<HTMLImageElement>("#qr")?.naturalWidth ?? 0) > 0,
    );
    await shot(head, "08-approved-head");

    // 5. On site the officer shows the code full screen, then fills the generated checklist.
    await officer.goto(`${base}/admin/inspections/${inspectionId}`);
    await expect.poll(() => officer.locator("#status").innerText(), poll).toBe("已批准");
    await officer.waitForFunction(
      () => (document.querySelector<HTMLImageElement>("#qr")?.naturalWidth ?? 0) > 0,
    );
    await shot(officer, "09-approved-phone");
    await officer.click("#show-code");
    await expect.poll(() => officer.locator("#code-overlay").isVisible(), poll).toBe(true);
    await officer.waitForFunction(
      () => (document.querySelector<HTMLImageElement>("#overlay-qr")?.naturalWidth ?? 0) > 0,
    );
    await shot(officer, "10-show-code-phone", false);
    await officer.click("#overlay-close");
    // Arrival opens the enterprise's evaluation, whatever happens to the checklist.
    await officer.click("#arrive");
    await expect.poll(() => officer.locator("#status").innerText(), poll).toBe("检查中");
    await expect.poll(() => officer.locator("#steps").innerText(), poll).toContain("执法人员到达");
    await shot(officer, "10b-arrived-phone");
    await officer.click("#checklist-link");
    await officer.waitForURL(new RegExp(`/admin/inspections/${inspectionId}/checklist$`));
    await fillChecklist(officer);
    await expect.poll(() => officer.locator("#status").innerText(), poll).toContain("已提交登记");
    await shot(officer, "12-checklist-submitted-phone");
    await officer.goto(`${base}/admin/inspections/${inspectionId}`);
    await expect.poll(() => officer.locator("#status").innerText(), poll).toBe("已登记");

    // 6. The QR code decodes to the public inspection page.
    const png = await officerContext.request.get(`${base}/api/inspections/${inspectionId}/qr.png`);
    expect(png.status()).toBe(200);
    const image = PNG.sync.read(Buffer.from(await png.body()));
    const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
    expect(decoded?.data).toMatch(new RegExp(`^${base}/i/${inspectionId}\\.`));

    // 7. The supervisor's alerts page is open before the enterprise evaluates.
    const supervisorContext = await browser.newContext(desktop);
    supervisorContext.setDefaultTimeout(20_000);
    const supervisor = await supervisorContext.newPage();
    watch(supervisor);
    await login(supervisor, base, "sfj-supervisor", DEMO_PASSWORD, "/admin/alerts");
    await expect.poll(() => supervisor.locator("#live").getAttribute("data-state"), poll).toBe("live");
    await expect.poll(() => supervisor.locator("#alert-items").innerText(), poll).not.toContain(ENTERPRISE);

    // 8. The enterprise scans the code on a phone, checks who inspects, and evaluates negatively.
    const firmContext = await browser.newContext(phone);
    firmContext.setDefaultTimeout(20_000);
    const firm = await firmContext.newPage();
    watch(firm);
    await firm.goto(decoded!.data);
    await expect.poll(() => firm.locator("#enterprise").innerText(), poll).toBe(ENTERPRISE);
    const { inspection } = await apiAs<{ inspection: { officers: { name: string; isHelper: boolean }[] } }>(
      officerContext,
      base,
      "GET",
      `/api/inspections/${inspectionId}`,
    );
    for (const o of inspection.officers)
      expect(await firm.locator("#officers").innerText()).toContain(o.name);
    await shot(firm, "13-public-page-phone");
    // The evaluation is the enterprise's own (R14): it signs in by SMS code and comes back to this page.
    await firm.click("#evaluate-as-enterprise");
    await firm.locator("#signin").waitFor({ state: "visible" });
    await firm.fill("#credit-code", firmCreditCode);
    await firm.click("#send-code");
    await firm.locator("#login-form").waitFor({ state: "visible" });
    await expect.poll(() => existsSync(smsFile), poll).toBe(true);
    const sms = JSON.parse(readFileSync(smsFile, "utf8").trim().split("\n").pop()!) as { code: string };
    await firm.fill("#sms-code", sms.code);
    await firm.click("#login");
    await firm.waitForURL((url) => url.pathname.startsWith("/i/"));
    await shot(firm, "13b-signed-in-phone");
    await fillEvaluation(firm);
    await expect.poll(() => firm.locator("#status-box").innerText(), poll).toContain("感谢您的评价");
    await shot(firm, "14-evaluated-phone");

    // 9. The alert appears on the open page without a reload; the supervisor closes it.
    const card = supervisor.locator(".alert-card", { hasText: ENTERPRISE });
    await expect.poll(() => card.count(), poll).toBe(1);
    await shot(supervisor, "15-alert-live");
    await card.click();
    await expect.poll(() => supervisor.locator("#detail").innerText(), poll).toContain("粗暴执法");
    const outcome = supervisor.locator("#detail form", { hasText: "处理结果" });
    await outcome.locator("textarea").fill("经电话核实，已约谈执法人员并责令改进执法方式");
    await outcome.locator('button[type="submit"]').click();
    await expect
      .poll(() => supervisor.locator("#detail .message-ok").innerText(), poll)
      .toContain("经电话核实，已约谈执法人员");
    await shot(supervisor, "16-alert-closed");

    // 10. The department administrator closes the inspection (办结).
    await head.reload();
    // The evaluation runs beside the life cycle: the visit stays 已登记, its steps show 企业评价.
    await expect.poll(() => head.locator("#status").innerText(), poll).toBe("已登记");
    await expect.poll(() => head.locator("#steps").innerText(), poll).toContain("企业评价");
    await head.click("#close");
    await head.fill("#close-note", "检查结果已告知企业，整改要求已落实");
    await head.click("#close-submit");
    await expect.poll(() => head.locator("#status").innerText(), poll).toBe("已办结");
    await expect.poll(() => head.locator("#steps").innerText(), poll).toContain("企业评价");
    await shot(head, "17-closed-head");

    await Promise.all(
      [adminContext, officerContext, headContext, supervisorContext, firmContext].map((c) => c.close()),
    );
  }
});

/** A small opaque JPEG-like photo: a PNG the photo API accepts. */
function photoPng(): Buffer {
  const png = new PNG({ width: 64, height: 48 });
  for (let i = 0; i < png.data.length; i += 4) {
    png.data[i] = 90 + ((i / 4) % 64);
    png.data[i + 1] = 120;
    png.data[i + 2] = 160;
    png.data[i + 3] = 255;
  }
  return PNG.sync.write(png);
}

async function sign(page: Page, canvas: import("playwright-core").Locator) {
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  for (let x = 20; x < Math.min(box.width - 20, 200); x += 10) {
    await page.mouse.move(box.x + x, box.y + box.height / 2 + Math.sin(x / 12) * 12);
  }
  await page.mouse.up();
}

/** Walks the generated checklist page by page: 合格 everywhere, times, a photo, the signatures. */
async function fillChecklist(page: Page) {
  await page.locator(".sd-question").first().waitFor();
  for (let guard = 0; guard < 12; guard++) {
    const times = await page.locator('.sd-question input[type="datetime-local"]').all();
    for (const [index, input] of times.entries())
      await input.fill(shanghaiClock(Date.now() - (index === 0 ? 30 : 1) * 60_000));
    for (const question of await page.locator(".sd-question--radiogroup, .sd-question[data-name]").all()) {
      const pass = question.locator(".sd-item__control-label", { hasText: /^合格$/ });
      if ((await pass.count()) > 0) await pass.first().click();
    }
    const files = page.locator('.sd-question input[type="file"]');
    if ((await files.count()) > 0) {
      const [chooser] = await Promise.all([
        page.waitForEvent("filechooser"),
        page.locator(".sd-file__choose-btn").first().click(),
      ]);
      await chooser.setFiles({ name: "现场.png", mimeType: "image/png", buffer: photoPng() });
      await page.locator('.sd-question--answered[data-name="photos"]').waitFor();
      await shot(page, "11-checklist-photo-phone");
    }
    const told = page.locator(".sd-question", { hasText: "已告知企业" });
    if ((await told.count()) > 0)
      await told
        .locator(".sd-boolean__thumb-text, .sd-boolean__label", { hasText: "已告知" })
        .first()
        .click();
    for (const canvas of await page.locator(".sd-question canvas").all()) await sign(page, canvas);
    const next = page.locator(".sd-navigation__next-btn:visible");
    if ((await next.count()) > 0) {
      await next.click();
      continue;
    }
    await page.locator(".sd-navigation__complete-btn:visible").click();
    return;
  }
  throw new Error("checklist did not end");
}
