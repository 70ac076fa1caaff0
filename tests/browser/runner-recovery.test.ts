import type { Browser, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import {
  adminApi,
  chromiumMissing,
  launchBrowser,
  screenshotDir,
  startServer,
  type RunningServer,
} from "./harness";

const poll = { timeout: 15_000, interval: 100 };

const schemaV1 = {
  title: "现场检查反馈",
  pages: [
    {
      name: "page1",
      elements: [
        { type: "text", name: "company", title: "企业名称" },
        { type: "comment", name: "note", title: "意见建议" },
      ],
    },
  ],
};

describe.skipIf(chromiumMissing)("public runner recovery", () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: Awaited<ReturnType<typeof adminApi>>;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    admin = await adminApi(browser, server);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const publishedForm = () => admin.publish(schemaV1.title, schemaV1);
  const responses = (formId: string) => admin.responses(formId);

  async function phone() {
    const context = await browser.newContext({
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    context.setDefaultTimeout(20_000);
    return context;
  }

  it("stores one response when the answer to the first POST is lost and the user retries", async () => {
    const formId = await publishedForm();
    const context = await phone();
    const page = await context.newPage();
    const posts: string[] = [];
    page.on("request", (request: Request) => {
      if (request.method() === "POST") posts.push(request.postData() ?? "");
    });
    let first = true;
    await page.route("**/api/public/forms/*/responses", async (route) => {
      if (!first) return route.continue();
      first = false;
      await route.fetch(); // reaches the server and is stored…
      await route.abort("connectionreset"); // …but the phone never hears back
    });
    await page.goto(`${server.baseUrl}/f/${formId}`);
    await page.locator("input.sd-text").first().fill("重试测试企业");
    await page.locator(".sd-navigation__complete-btn").click();
    await expect.poll(() => page.locator("#status").innerText(), poll).toContain("提交失败");
    await page.getByRole("button", { name: "重试" }).click();
    await expect.poll(() => page.locator("#status").innerText(), poll).toContain("提交成功");

    expect(posts).toHaveLength(2);
    expect(posts[1]).toBe(posts[0]);
    const { id } = JSON.parse(posts[0]) as { id: string };
    expect((await responses(formId)).map((item) => item.id)).toEqual([id]);
    await context.close();
  });

  it("accepts a fill started before a newer version was published, as the version it was started on", async () => {
    const formId = await publishedForm();
    const context = await phone();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/f/${formId}`);
    await page.locator("input.sd-text").first().fill("版本测试企业");
    await page.locator("textarea").first().fill("无");

    // Meanwhile the administrator publishes version 2.
    const v2 = structuredClone(schemaV1);
    v2.pages[0].elements.push({ type: "text", name: "contact", title: "联系人" });
    await admin.call("PUT", `/api/forms/${formId}`, { schema: v2 });
    await admin.call("POST", `/api/forms/${formId}/publish`);

    await page.locator(".sd-navigation__complete-btn").click();
    await expect.poll(() => page.locator("#status").innerText(), poll).toContain("提交成功");
    const items = await responses(formId);
    expect(items.map((item) => [item.version, item.data])).toEqual([
      [1, { company: "版本测试企业", note: "无" }],
    ]);
    await context.close();
  });

  it("on version_mismatch asks to reload, keeps the answers and then submits", async () => {
    const formId = await publishedForm();
    const context = await phone();
    const page = await context.newPage();
    let rewritten = false;
    // The server rejects versions it does not know; make the first submission name one.
    await page.route("**/api/public/forms/*/responses", async (route) => {
      if (rewritten) return route.continue();
      rewritten = true;
      const body = JSON.parse(route.request().postData() ?? "{}") as { version: number };
      await route.continue({ postData: JSON.stringify({ ...body, version: 99 }) });
    });
    await page.goto(`${server.baseUrl}/f/${formId}`);
    await page.locator("input.sd-text").first().fill("重新加载企业");
    await page.locator(".sd-navigation__complete-btn").click();
    await expect.poll(() => page.locator("#status").innerText(), poll).toContain("表单已更新");
    await page.getByRole("button", { name: "重新加载" }).click();
    await expect.poll(() => page.locator("input.sd-text").first().inputValue(), poll).toBe("重新加载企业");
    await page.locator(".sd-navigation__complete-btn").click();
    await expect.poll(() => page.locator("#status").innerText(), poll).toContain("提交成功");
    const items = await responses(formId);
    expect(items.map((item) => item.data)).toEqual([{ company: "重新加载企业" }]);
    await context.close();
  });

  it("renders from the form the page carries, without asking the API for it, and submits", async () => {
    const formId = await publishedForm();
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    const gets: string[] = [];
    page.on("request", (request: Request) => {
      if (request.method() === "GET" && request.url().includes("/api/")) gets.push(request.url());
    });
    await page.goto(`${server.baseUrl}/f/${formId}`);
    await page.locator("input.sd-text").first().fill("内嵌表单企业");
    await page.screenshot({ path: join(screenshotDir, "runner-phone.png") });
    await page.locator(".sd-navigation__complete-btn").click();
    await expect.poll(() => page.locator("#status").innerText(), poll).toContain("提交成功");
    expect(gets).toEqual([]);
    expect((await responses(formId)).map((r) => r.data)).toEqual([{ company: "内嵌表单企业" }]);
    await context.close();
  });

  it("draws a long form's later questions as they scroll near, where they are answered as usual", async () => {
    const elements = Array.from({ length: 30 }, (_, i) => ({
      type: "radiogroup",
      name: `q${i + 1}`,
      title: `检查项 ${i + 1}`,
      isRequired: i === 29,
      choices: ["合格", "不合格"],
    }));
    const id = await admin.publish("长表单", { pages: [{ name: "p", elements }] });
    const context = await phone();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/f/${id}`);
    await page.getByText("检查项 1", { exact: true }).waitFor();
    // Off screen and not yet drawn: the first screen cost only its own questions.
    expect(await page.getByText("检查项 30", { exact: true }).count()).toBe(0);
    // Completing with the required last question unanswered brings it into view, drawn, with its error.
    await page.locator(".sd-navigation__complete-btn").click();
    const last = page.locator(".sd-question", { hasText: "检查项 30" });
    await last.getByText("不合格").click();
    await page.locator(".sd-navigation__complete-btn").click();
    await expect.poll(() => page.locator("#status").innerText(), poll).toContain("提交成功");
    expect((await responses(id)).map((r) => r.data)).toEqual([{ q30: "不合格" }]);
    await context.close();
  });

  it("tells the visitor when the form is not open", async () => {
    const { form } = await admin.call<{ form: { id: string } }>("POST", "/api/forms", {
      title: "未发布",
      kind: "survey",
      schema: schemaV1,
    });
    const id = form.id;
    const context = await phone();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/f/${id}`);
    await expect.poll(() => page.locator("#status").innerText(), poll).toContain("表单暂未开放");
    await context.close();
  });
});
