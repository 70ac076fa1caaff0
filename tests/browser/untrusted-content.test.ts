import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumMissing, launchBrowser, screenshotDir, startServer, type RunningServer } from "./harness";

// SECURITY.md 12: markup in a form title, choice, description or html question (and page titles,
// question descriptions, placeholders, matrix rows and columns) stays inert in the runner, the
// designer (and its preview) and the results.
const payload = (tag: string) =>
  `<img src="x" onerror="window.__xss='${tag}'"><script>window.__xss='${tag}-script'</script>` +
  `<a id="js-link-${tag}" href="javascript:window.__xss='${tag}-link'">点我</a>`;

const schema = {
  title: `标题${payload("title")}`,
  description: `说明${payload("description")}`,
  completedHtml: `<h3>谢谢</h3>${payload("completed")}`,
  pages: [
    {
      name: "page1",
      title: `页标题${payload("page-title")}`,
      description: `页说明${payload("page-description")}`,
      elements: [
        { type: "html", name: "intro", html: `<p>说明文字</p>${payload("html")}` },
        {
          type: "radiogroup",
          name: "pick",
          title: `选择${payload("question")}`,
          description: `提示${payload("question-description")}`,
          choices: [{ value: "a", text: `选项A${payload("choice")}` }, "b"],
        },
        { type: "text", name: "note", title: "备注", placeholder: `占位${payload("placeholder")}` },
        {
          type: "matrix",
          name: "grid",
          title: "矩阵",
          columns: [{ value: "c1", text: `列${payload("matrix-column")}` }],
          rows: [{ value: "r1", text: `行${payload("matrix-row")}` }],
        },
      ],
    },
  ],
};

/** Records what the page tried and CSP refused, plus any value a payload managed to set. */
async function instrument(context: BrowserContext) {
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
}

async function assertInert(page: Page, where: string) {
  await page.waitForTimeout(300);
  const state = await page.evaluate(() => {
    const w = window as unknown as { __xss?: string; __csp: string[] };
    return {
      csp: w.__csp,
      xss: w.__xss ?? null,
      handlers: document.querySelectorAll("[onerror], [onclick], [onload]").length,
      jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
      scriptsInBody: document.querySelectorAll("body script").length,
    };
  });
  const { csp, ...found } = state;
  expect(found, where).toEqual({ xss: null, handlers: 0, jsLinks: 0, scriptsInBody: 0 });
  // Handler attributes left in the DOM would prove the sanitizer missing even when CSP blocked them;
  // CSP reports (e.g. from parsing the payload in the sanitizer's inert document) are only logged.
  if (csp.length) console.info(`${where}: CSP reported ${csp.join(", ")}`);
}

describe.skipIf(chromiumMissing)("untrusted form content in the browser", () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("keeps markup inert in the runner, designer, preview, list and response view", async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    context.setDefaultTimeout(20_000);
    await instrument(context);
    const login = await context.request.post(`${server.baseUrl}/api/auth/login`, {
      data: { username: server.username, password: server.password },
    });
    expect(login.status()).toBe(200);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { "X-CSRF-Token": csrfToken };
    const created = await context.request.post(`${server.baseUrl}/api/forms`, {
      headers,
      data: { title: `<img src=x onerror="window.__xss='list'">不可信标题`, kind: "survey", schema },
    });
    expect(created.status()).toBe(201);
    const formId = ((await created.json()) as { form: { id: string } }).form.id;
    const published = await context.request.post(`${server.baseUrl}/api/forms/${formId}/publish`, {
      headers,
    });
    expect(published.status()).toBe(201);

    const page = await context.newPage();

    // Pages are served with a CSP that forbids inline script.
    const listResponse = await page.goto(`${server.baseUrl}/admin/forms`);
    const csp = listResponse?.headers()["content-security-policy"] ?? "";
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const row = page.locator(`tr[data-form-id="${formId}"]`);
    await expect.poll(() => row.innerText()).toContain('<img src=x onerror="window.__xss=');
    await assertInert(page, "form list");

    // Runner: render, answer, complete (the completed page holds a payload too).
    await page.goto(`${server.baseUrl}/f/${formId}`);
    await page.locator(".sd-html").first().waitFor();
    await expect.poll(() => page.locator(".sd-html").first().innerText()).toContain("说明文字");
    await assertInert(page, "runner");
    await page.locator(".sd-item__control-label", { hasText: "选项A" }).first().click();
    await page.locator(".sd-navigation__complete-btn").click();
    await expect.poll(() => page.locator("#status").innerText()).toContain("提交成功");
    // The author's completedHtml takes the place of our default thanks (one message, issue 18 #14).
    await expect.poll(() => page.locator("#status .completed-html").innerText()).toContain("谢谢");
    await assertInert(page, "runner completed page");

    // Designer and its preview tab.
    await page.goto(`${server.baseUrl}/admin/forms/${formId}/edit`);
    await page.locator(".svc-question__content").first().waitFor();
    await assertInert(page, "designer");
    await page.locator(".svc-tabbed-menu-item", { hasText: "测试问卷" }).first().click();
    await page.locator(".svc-preview .sd-html, .svc-creator-tab .sd-html").first().waitFor();
    await assertInert(page, "designer preview");

    // Response view.
    const list = await context.request.get(`${server.baseUrl}/api/forms/${formId}/responses`);
    const [first] = ((await list.json()) as { items: { id: string }[] }).items;
    await page.goto(`${server.baseUrl}/admin/forms/${formId}/responses/${first.id}`);
    await page.locator("#survey .sd-html").first().waitFor();
    await assertInert(page, "response view");

    await context.close();
  }, 120_000);

  // Issue 14, item 16: an anonymous answer piped into an html question ({note}) is HTML the
  // administrator's browser renders. It must not cover the page, link elsewhere, or make requests.
  it("keeps an answer piped into an html question from drawing an overlay or firing requests in the response view", async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    context.setDefaultTimeout(20_000);
    const login = await context.request.post(`${server.baseUrl}/api/auth/login`, {
      data: { username: server.username, password: server.password },
    });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { "X-CSRF-Token": csrfToken };
    const created = await context.request.post(`${server.baseUrl}/api/forms`, {
      headers,
      data: {
        title: "引用回答",
        kind: "survey",
        schema: {
          elements: [
            { type: "comment", name: "note", title: "意见" },
            { type: "html", name: "echo", html: "<p>您的意见：</p>{note}" },
          ],
        },
      },
    });
    const formId = ((await created.json()) as { form: { id: string } }).form.id;
    expect(
      (await context.request.post(`${server.baseUrl}/api/forms/${formId}/publish`, { headers })).status(),
    ).toBe(201);
    const answer =
      '<div id="overlay" style="position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:99999;' +
      'background:#c00;color:#fff;font-size:40px">系统升级，请<a id="external" href="https://evil.example/login">重新登录</a></div>' +
      '<img id="api-img" src="/api/forms?probe=1"><img id="encoded-img" src="/%61pi/forms?probe=2">' +
      '<img id="external-img" src="https://evil.example/pixel.png?probe=3">' +
      '<a id="api-link" href="/api/auth/logout">退出</a><a id="page-link" href="/catalog">事项清单</a>' +
      '<span id="kept" class="sd-root-modern checklist-facts" style="color: rgb(0, 128, 0); position: absolute; top: 0">绿色文字</span>';
    const submitted = await context.request.post(`${server.baseUrl}/api/public/forms/${formId}/responses`, {
      data: { id: crypto.randomUUID(), version: 1, data: { note: answer } },
    });
    expect(submitted.status()).toBe(201);
    const { id: responseId } = (await submitted.json()) as { id: string };

    const page = await context.newPage();
    const probes: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("probe=") || request.url().includes("evil.example"))
        probes.push(request.url());
    });
    await page.goto(`${server.baseUrl}/admin/forms/${formId}/responses/${responseId}`);
    await page.locator("#survey .sd-html", { hasText: "绿色文字" }).waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(screenshotDir, "response-piped-answer.png"), fullPage: false });

    const found = await page.evaluate(() => {
      const html = [...document.querySelectorAll("#survey .sd-html")].map((e) => e as HTMLElement);
      const inside = html.flatMap((e) => [...e.querySelectorAll<HTMLElement>("*")]);
      // Ids and classes are not kept: find the answer's elements by their text.
      const byText = (text: string) => inside.find((e) => e.textContent?.startsWith(text));
      const kept = byText("绿色文字");
      const overlay = byText("系统升级");
      const middle = document.elementFromPoint(683, 430);
      return {
        lifted: inside.filter((e) => ["fixed", "absolute", "sticky"].includes(getComputedStyle(e).position))
          .length,
        external: inside.filter((e) =>
          /evil\.example/.test(e.getAttribute("href") ?? e.getAttribute("src") ?? ""),
        ).length,
        api: inside.filter((e) => /api|%61pi/i.test(e.getAttribute("href") ?? e.getAttribute("src") ?? ""))
          .length,
        pageLink: byText("事项清单")?.getAttribute("href") ?? null,
        keptColor: kept ? getComputedStyle(kept).color : null,
        keptClass: kept?.getAttribute("class") ?? null,
        // What sits on the middle of the screen: the response view, not an answer's overlay.
        onTop: overlay && middle && overlay.contains(middle) ? "overlay" : "page",
      };
    });
    expect(found).toEqual({
      lifted: 0,
      external: 0,
      api: 0,
      pageLink: "/catalog",
      keptColor: "rgb(0, 128, 0)",
      keptClass: "checklist-facts",
      onTop: "page",
    });
    expect(probes).toEqual([]);
    await context.close();
  }, 120_000);
});
