import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumMissing, launchBrowser, screenshotDir, startServer, type RunningServer } from "./harness";

// Issue 19 item 13: the API reference is generated from GET /api/openapi.json, under our CSP, with no
// request to another host.
describe.skipIf(chromiumMissing)("the API reference page", () => {
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

  it("lists the routes of the OpenAPI document, loading only our own files", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const foreign: string[] = [];
    const errors: string[] = [];
    page.on("request", (req) => {
      const url = new URL(req.url());
      if (!["http:", "https:"].includes(url.protocol)) return;
      if (url.origin !== server.baseUrl) foreign.push(req.url());
    });
    page.on("pageerror", (err) => errors.push(err.message));
    page.on("console", (msg) => {
      if (msg.type() === "error") errors.push(msg.text());
    });
    await page.goto(`${server.baseUrl}/api-docs`);
    await page.waitForSelector(".opblock-tag", { timeout: 30_000 });
    const text = await page.locator("#api-reference").innerText();
    expect(text).toContain("lianma 亮码 API");
    await page.screenshot({ path: join(screenshotDir, "api-docs.png") });
    // Tags are collapsed; opening one lists its operations.
    const tags = await page.locator(".opblock-tag").count();
    expect(tags).toBeGreaterThan(5);
    await page.locator(".opblock-tag").first().click();
    await page.waitForSelector(".opblock-summary-path");
    const paths = await page.locator(".opblock-summary-path").allInnerTexts();
    expect(paths.every((p) => p.startsWith("/"))).toBe(true);
    expect(paths.length).toBeGreaterThan(0);
    expect(foreign).toEqual([]);
    expect(errors.filter((e) => /Content Security Policy|Refused/.test(e))).toEqual([]);
    await page.close();
  }, 90_000);
});
