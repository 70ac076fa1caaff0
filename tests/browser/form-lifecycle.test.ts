import { readFile } from "node:fs/promises";
import { join } from "node:path";
import jsQR from "jsqr";
import type { Browser, Page } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chromiumMissing,
  launchBrowser,
  screenshotDir,
  startServer,
  watchPage,
  type RunningServer,
} from "./harness";

const poll = { timeout: 15_000, interval: 100 };
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });

describe.skipIf(chromiumMissing)("form lifecycle in a real browser", () => {
  let server: RunningServer;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("designs, publishes, shares, fills on a phone and exports a survey", async () => {
    const title = "企业营商环境满意度调查";
    const answer = `测试企业有限公司-${Date.now()}`;

    // Log in (desktop).
    const desktop = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: "zh-CN" });
    desktop.setDefaultTimeout(20_000);
    const page = await desktop.newPage();
    watchPage(page, problems);
    await page.goto(`${server.baseUrl}/admin/forms`);
    await page.waitForURL(/\/login\?next=/);
    await page.fill("#username", server.username);
    await page.fill("#password", server.password);
    await shot(page, "01-login");
    await page.click("#submit");
    await page.waitForURL(/\/admin\/forms$/);
    await page.waitForSelector("#forms-body td");

    // Create a survey form; the dialog leads to the designer.
    await page.click("#new-form");
    await page.fill("#new-form-title", "新问卷");
    await page.selectOption("#new-form-kind", "survey");
    await shot(page, "02-new-form-dialog");
    await page.click("#new-form-submit");
    await page.waitForURL(/\/admin\/forms\/[^/]+\/edit$/);
    const formId = new URL(page.url()).pathname.split("/")[3];

    // Design: click-to-add a text question and a radiogroup from the toolbox, rename the survey.
    await page.waitForSelector(".svc-toolbox__item--icon-text", { timeout: 20_000 });
    await expect.poll(() => page.locator(".svc-tabbed-menu").innerText(), poll).toContain("问卷设计器");
    await page.click(".svc-toolbox__item--icon-text");
    await page.click(".svc-toolbox__item--icon-radiogroup");
    await expect.poll(() => page.locator(".svc-question__content").count(), poll).toBe(2);
    const titleEditor = page.locator(".svc-designer-header .sd-title .sv-string-editor").first();
    // On a loaded machine the first click can land before the editor takes the focus: type again
    // (select all, replace) until the title reads as typed.
    await expect
      .poll(async () => {
        if ((await titleEditor.innerText()) !== title) {
          await titleEditor.click();
          await page.keyboard.press("ControlOrMeta+A");
          await page.keyboard.insertText(title);
        }
        return titleEditor.innerText();
      }, poll)
      .toBe(title);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#save-state").innerText(), poll).toBe("有未保存的修改");
    await shot(page, "03-editor-designed");

    // Save the draft, then publish.
    await page.click("#save");
    await expect.poll(() => page.locator("#save-state").innerText(), poll).toContain("草稿已保存");
    await expect.poll(() => page.locator("#form-name").innerText(), poll).toBe(title);
    // 发布 asks first (issue 18 #5).
    page.once("dialog", (dialog) => void dialog.accept());
    await page.click("#publish");
    await expect.poll(() => page.locator("#message").innerText(), poll).toContain("已发布 第1版");
    // Nothing changed since: 发布 is off, so an identical version 2 cannot be made.
    await expect.poll(() => page.locator("#publish").isDisabled(), poll).toBe(true);
    await expect.poll(() => page.locator("#form-status").innerText(), poll).toContain("已发布");
    await shot(page, "04-editor-published");

    // The list shows it published.
    await page.goto(`${server.baseUrl}/admin/forms`);
    const row = page.locator(`tr[data-form-id="${formId}"]`);
    await expect.poll(() => row.innerText(), poll).toContain(title);
    await expect.poll(() => row.innerText(), poll).toContain("已发布");
    await expect.poll(() => row.innerText(), poll).toContain("第 1 版");
    await shot(page, "05-forms-list");

    // Share page: QR image shown; the PNG decodes to the public link.
    await row.getByRole("link", { name: "分享" }).click();
    await page.waitForURL(/\/share$/);
    await expect
      .poll(() => page.locator("#public-url").inputValue(), poll)
      .toMatch(new RegExp(`/f/${formId}$`));
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>("#qr");
      return !!img && img.complete && img.naturalWidth > 0;
    });
    await shot(page, "06-share");
    const pngHref = await page.locator("#download-png").getAttribute("href");
    const png = await page.request.get(new URL(pngHref!, server.baseUrl).toString());
    expect(png.status()).toBe(200);
    const image = PNG.sync.read(Buffer.from(await png.body()));
    const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
    expect(decoded?.data).toMatch(new RegExp(`/f/${formId}$`));
    const publicUrl = decoded!.data;

    // Poster.
    await page.click("#poster");
    await page.waitForURL(/\/poster/);
    await expect.poll(() => page.locator("#poster-title").innerText(), poll).toBe(title);
    await page.waitForFunction(
      () => (document.querySelector<HTMLImageElement>("#poster-qr")?.naturalWidth ?? 0) > 0,
    );
    await shot(page, "07-poster-a4");

    // Fill it on a phone, from the QR code's link.
    const phone = await browser.newContext({
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
      locale: "zh-CN",
    });
    phone.setDefaultTimeout(20_000);
    const mobile = await phone.newPage();
    watchPage(mobile, problems);
    await mobile.goto(publicUrl);
    await expect.poll(() => mobile.locator(".sd-title").first().innerText(), poll).toContain(title);
    await shot(mobile, "08-runner-phone");
    await mobile.locator(".sd-question input.sd-text").first().fill(answer);
    // New choices are Chinese (issue 18 #3): 选项1…3, not Item 1…3.
    await mobile.locator(".sd-item__control-label", { hasText: "选项2" }).first().click();
    const submissionId = await mobile.evaluate(
      (id) => JSON.parse(sessionStorage.getItem(`lianma:fill:${id}`)!).id,
      formId,
    );
    expect(submissionId).toMatch(/^[0-9a-f-]{36}$/);
    await mobile.locator(".sd-navigation__complete-btn").click();
    await expect.poll(() => mobile.locator("#status").innerText(), poll).toContain("提交成功");
    await shot(mobile, "09-runner-done-phone");
    await phone.close();

    // Responses: the row is there and opens the read-only view of its own version.
    await page.goto(`${server.baseUrl}/admin/forms/${formId}/responses`);
    const responseRow = page.locator(`tr[data-response-id="${submissionId}"]`);
    await expect.poll(() => responseRow.innerText(), poll).toContain(answer);
    await shot(page, "10-responses");
    await responseRow.click();
    await page.waitForURL(new RegExp(`/responses/${submissionId}$`));
    await expect.poll(() => page.locator("#meta-version").innerText(), poll).toBe("第1版");
    await expect.poll(() => page.locator("#survey input.sd-text").first().inputValue(), poll).toBe(answer);
    await shot(page, "11-response");

    // CSV export through the page's own link.
    await page.goto(`${server.baseUrl}/admin/forms/${formId}/responses`);
    await responseRow.waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
    const csv = await readFile((await download.path())!, "utf8");
    expect(csv).toContain(answer);
    expect(csv).toContain(submissionId);
    const xlsxHref = await page.locator("#export-xlsx").getAttribute("href");
    const xlsx = await page.request.get(new URL(xlsxHref!, server.baseUrl).toString());
    expect(xlsx.status()).toBe(200);
    expect((await xlsx.body()).subarray(0, 2).toString()).toBe("PK");

    // Users page: create a department and an officer in it.
    await page.goto(`${server.baseUrl}/admin/users`);
    await page.locator("#users-body tr[data-user-id]").first().waitFor();
    await page.click("#new-department");
    await page.fill("#department-name", "市场监督管理局");
    await page.fill("#department-code", "SCJG");
    await page.click('#department-form button[type="submit"]');
    await expect.poll(() => page.locator("#departments-body").innerText(), poll).toContain("市场监督管理局");
    await page.click("#new-user");
    await page.fill("#user-username", "zhangsan");
    await page.fill("#user-display-name", "张三");
    await page.fill("#user-password", "Zhangsan-2024-pass");
    await page.selectOption("#user-role", "officer");
    await page.selectOption("#user-department", { label: "市场监督管理局" });
    await page.click('#user-form button[type="submit"]');
    await expect.poll(() => page.locator("#users-body").innerText(), poll).toContain("张三");
    await expect.poll(() => page.locator("#users-body").innerText(), poll).toContain("执法人员");
    await shot(page, "12-users");

    // The admin pages on a phone.
    const adminPhone = await browser.newContext({
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
      locale: "zh-CN",
      storageState: await desktop.storageState(),
    });
    adminPhone.setDefaultTimeout(20_000);
    const small = await adminPhone.newPage();
    watchPage(small, problems);
    await small.goto(`${server.baseUrl}/admin/forms`);
    await small.locator(`tr[data-form-id="${formId}"]`).waitFor();
    await shot(small, "13-forms-phone");
    await small.goto(`${server.baseUrl}/admin/forms/${formId}/responses`);
    await small.locator(`tr[data-response-id="${submissionId}"]`).waitFor();
    await shot(small, "14-responses-phone");
    await small.goto(`${server.baseUrl}/admin/forms/${formId}/share`);
    await small.waitForFunction(
      () => (document.querySelector<HTMLImageElement>("#qr")?.naturalWidth ?? 0) > 0,
    );
    await shot(small, "15-share-phone");
    await small.goto(`${server.baseUrl}/admin/users`);
    await small.locator("#users-body tr[data-user-id]").first().waitFor();
    await shot(small, "16-users-phone");
    await adminPhone.close();

    // Poster: A5 and the printed page.
    await page.goto(`${server.baseUrl}/admin/forms/${formId}/poster?size=a5`);
    await page.waitForFunction(
      () => (document.querySelector<HTMLImageElement>("#poster-qr")?.naturalWidth ?? 0) > 0,
    );
    await shot(page, "17-poster-a5");
    await page.emulateMedia({ media: "print" });
    await shot(page, "18-poster-a5-print");
    await page.emulateMedia({ media: "screen" });

    await desktop.close();
    expect(problems).toEqual([]);
  }, 180_000);
});
