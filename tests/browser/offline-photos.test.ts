// Issue 17 on a 390 px phone: a checklist photo already on the server shows after an offline reload.
// The service worker keeps the photo route's 200 answers cache first in a cache of their own (a photo
// id's bytes never change); the page warms it for every photo its answers name when opened online, so
// a photo on a page not yet shown is there too; error answers are not kept; 退出 and a new login empty
// the cache.
// Its own demo server: the upload would otherwise change what field-pages.test.ts counts.
import { join } from "node:path";
import type { CDPSession, Page } from "playwright-core";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import {
  apiAs,
  chromiumMissing,
  demoServerAndBrowser,
  login,
  officerOnPhone,
  screenshotDir,
} from "./harness";

const DEMO_PASSWORD = "Offline-photos-password";
const poll = { timeout: 20_000, interval: 100 };
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshotDir, `offline-photos-${name}.png`) });

describe.skipIf(chromiumMissing)("server photos offline on a phone", () => {
  const demo = demoServerAndBrowser(DEMO_PASSWORD);

  it("an uploaded photo shows after an offline reload; error answers are not kept; 退出 and a new login empty the cache", async () => {
    const { server, device, page, id, errors } = await officerOnPhone(demo, DEMO_PASSWORD);
    const checklist = `${server.baseUrl}/admin/inspections/${id}/checklist`;
    const pageKey = `lianma:checklist:${id}:page`;
    const photosQuestion = page.locator('.sd-question[data-name="photos"]');
    const openOn = async (name: string) => {
      await page.evaluate(([key, value]) => localStorage.setItem(key!, value!), [pageKey, name]);
      await page.reload();
      await page.locator(".sd-question").first().waitFor();
    };

    await page.goto(checklist);
    await page.locator(".sd-question").first().waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    // The closing page holds the photo question; the page reopens where the officer was.
    await openOn("closing");
    await expect
      .poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller)), poll)
      .toBe(true);

    // Online: the photo goes to the server and the answer names its URL.
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      photosQuestion.locator(".sd-file__choose-btn").click(),
    ]);
    await chooser.setFiles({ name: "现场.png", mimeType: "image/png", buffer: photoPng() });
    await photosQuestion.locator(`img[src*="/api/inspections/${id}/photos/"]`).waitFor();
    await expect.poll(() => page.locator("#save-state").getAttribute("data-pending"), poll).toBe("0");
    const saved = await apiAs<{ data: { photos?: { content: string }[] } }>(
      device,
      server.baseUrl,
      "GET",
      `/api/inspections/${id}/checklist`,
    );
    const photoPath = saved.data.photos?.[0]?.content ?? "";
    expect(photoPath).toMatch(new RegExp(`^/api/inspections/${id}/photos/[0-9a-z]+$`));
    const photoUrl = `${server.baseUrl}${photoPath}`;
    await expect.poll(() => cachedPhotos(page), poll).toEqual([photoUrl]);

    // Forget every copy (Cache Storage and the browser's HTTP cache, which a phone evicts at will),
    // then open the checklist online on its first page: the photo is not shown, yet is cached.
    await page.evaluate(() => caches.delete("lianma-photos"));
    const cdp: CDPSession = await device.newCDPSession(page);
    await cdp.send("Network.clearBrowserCache");
    await openOn("header");
    expect(await photosQuestion.count()).toBe(0);
    await expect.poll(() => cachedPhotos(page), poll).toEqual([photoUrl]);
    await cdp.send("Network.clearBrowserCache");

    // Offline: the reload reopens the closing page and the photo preview loads from the cache.
    await device.setOffline(true);
    await openOn("closing");
    await photosQuestion.waitFor();
    const preview = photosQuestion.locator(`img[src*="${photoPath}"]`);
    await preview.waitFor();
    await expect
      .poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), poll)
      .toBe(64);
    const broken = await photosQuestion
      .locator("img")
      .evaluateAll(
        (imgs: HTMLImageElement[]) => imgs.filter((img) => !img.complete || img.naturalWidth === 0).length,
      );
    expect(broken).toBe(0);
    await preview.scrollIntoViewIfNeeded();
    await shot(page, "offline-reloaded");

    // Online again: an error answer of the photo route passes through and is not kept.
    await device.setOffline(false);
    const missing = await page.evaluate(
      (path) => fetch(path).then((r) => r.status),
      `/api/inspections/${id}/photos/nosuchphoto`,
    );
    expect(missing).toBe(404);
    expect(await cachedPhotos(page)).toEqual([photoUrl]);

    // A session that ended without 退出 (expired): the next login empties the caches first.
    const checklistCached = () =>
      page.evaluate(async (path) => {
        const keys = await (await caches.open("lianma-data")).keys();
        return keys.some((request) => new URL(request.url).pathname === path);
      }, `/api/inspections/${id}/checklist`);
    expect(await checklistCached()).toBe(true);
    await login(page, server.baseUrl, "scjg-officer1", DEMO_PASSWORD, "/admin/inspections");
    expect(await cacheNames(page)).not.toContain("lianma-photos");
    expect(await checklistCached()).toBe(false);

    // 退出 empties the photo and data caches: the next person on the phone reads none of it.
    await page.goto(checklist);
    await page.locator(".sd-question").first().waitFor();
    await expect.poll(() => cachedPhotos(page), poll).toEqual([photoUrl]);
    expect(await checklistCached()).toBe(true);
    const logout = page.locator("#logout");
    if (!(await logout.isVisible())) await page.locator(".menu-button").click();
    await logout.click();
    await page.waitForURL((url) => url.pathname === "/login");
    const left = await cacheNames(page);
    expect(left).not.toContain("lianma-photos");
    expect(left).not.toContain("lianma-data");
    await shot(page, "logged-out");
    expect(errors).toEqual([]);
    await device.close();
  });
});

/** The URLs in the service worker's photo cache. */
function cachedPhotos(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    if (!(await caches.has("lianma-photos"))) return [];
    const keys = await (await caches.open("lianma-photos")).keys();
    return keys.map((request) => request.url);
  });
}

function cacheNames(page: Page): Promise<string[]> {
  return page.evaluate(() => caches.keys());
}

/** A small photo the photo API accepts (PNG, 64 px wide). */
function photoPng(): Buffer {
  const png = new PNG({ width: 64, height: 48 });
  for (let i = 0; i < png.data.length; i += 4) {
    png.data[i] = 40;
    png.data[i + 1] = 120 + ((i / 4) % 64);
    png.data[i + 2] = 200;
    png.data[i + 3] = 255;
  }
  return PNG.sync.write(png);
}
