// Issue 17 (fast public pages) and issue 18 items 14–18 on a 390 px phone: /i/:code readable before
// any script, SurveyJS fetched only on 开始评价, the jump link; the checklist's table of contents clear
// of the inputs, errors on 下一页, times in the configured zone; the 双随机 public page on a phone.
import { join } from "node:path";
import { createClient } from "@libsql/client";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import {
  apiAs,
  chromiumMissing,
  demoServerAndBrowser,
  login,
  officerOnPhone,
  screenshotDir,
  watchPage,
} from "./harness";

const DEMO_PASSWORD = "Field-pages-password";
const poll = { timeout: 20_000, interval: 100 };
const phone = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: "zh-CN",
};
const shot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: join(screenshotDir, `field-${name}.png`), fullPage });

describe.skipIf(chromiumMissing)("field pages on a phone", () => {
  // The 双随机 story draws right after the commitment: no 24 h wait here (SAMPLING_DRAW_DELAY_HOURS).
  const demo = demoServerAndBrowser(DEMO_PASSWORD, { env: { SAMPLING_DRAW_DELAY_HOURS: "0" } });
  const problems: string[] = [];

  /** The demo's visit under way today (scjg-5), as its officer sees it. */
  async function visitUnderWay() {
    const { server, browser } = demo;
    const officer = await browser.newContext(phone);
    const page = await officer.newPage();
    watchPage(page, problems);
    await login(page, server.baseUrl, "scjg-officer1", DEMO_PASSWORD, "/admin/inspections");
    const { items } = await apiAs<{ items: { id: string; status: string }[] }>(
      officer,
      server.baseUrl,
      "GET",
      "/api/inspections?status=in_progress",
    );
    const visit = items.find((i) => i.status === "in_progress");
    expect(visit).toBeTruthy();
    return { officer, page, id: visit!.id };
  }

  it("/i/:code shows the officers without scripts and fetches SurveyJS only to evaluate", async () => {
    const { server, browser } = demo;
    const { officer, id } = await visitUnderWay();
    const { url } = await apiAs<{ url: string }>(
      officer,
      server.baseUrl,
      "GET",
      `/api/inspections/${id}/code`,
    );
    const path = new URL(url).pathname;

    const noScript = await browser.newContext({ ...phone, javaScriptEnabled: false });
    const bare = await noScript.newPage();
    await bare.goto(`${server.baseUrl}${path}`);
    await expect(bare.locator(".person-name").first().isVisible()).resolves.toBe(true);
    expect(await bare.locator("#officers").innerText()).toMatch(/执法证号：\S+/);
    await shot(bare, "i-no-javascript", true);
    await noScript.close();

    const context = await browser.newContext(phone);
    const page = await context.newPage();
    watchPage(page, problems);
    const scripts: { url: string; bytes: number }[] = [];
    page.on("response", async (res) => {
      if (res.request().resourceType() === "script")
        scripts.push({ url: res.url(), bytes: Number(res.headers()["content-length"] ?? 0) });
    });
    await page.goto(`${server.baseUrl}${path}`);
    await page.locator("#evaluation-note").waitFor();
    await expect.poll(() => page.locator("#jump-evaluation").isVisible(), poll).toBe(true);
    await shot(page, "i-top-jump-link");
    await page.waitForLoadState("networkidle");
    // No script this page loaded is SurveyJS (its chunk is ~1.4 MB unpacked, ~250 kB on the wire).
    const surveyChunk = async () => {
      for (const s of scripts) {
        const text = await (await context.request.get(s.url)).text();
        if (text.includes("sd-question")) return true;
      }
      return false;
    };
    expect(await surveyChunk()).toBe(false);
    await page.click("#jump-evaluation");
    await expect.poll(() => page.evaluate(() => location.hash), poll).toBe("#evaluation-panel");
    await shot(page, "i-evaluation-section");
    await context.close();
    await officer.close();
  });

  it("checklist: the contents button covers no input, 下一页 validates the page, times in 北京时间", async () => {
    // The phone's own clock zone is New York: the page must still show the configured zone's time.
    const {
      server,
      device: officer,
      page,
      id,
    } = await officerOnPhone(demo, DEMO_PASSWORD, {
      timezoneId: "America/New_York",
    });
    watchPage(page, problems);
    await page.goto(`${server.baseUrl}/admin/inspections/${id}/checklist`);
    await page.locator(".sd-question").first().waitFor();
    await shot(page, "checklist-first-page");
    // Nor does it take a column beside the questions: they keep the phone's width.
    const page1 = await page.locator(".sd-page").first().boundingBox();
    expect(page1!.width).toBeGreaterThan(320);
    const firstPage = await page.locator(".sd-page__title").first().innerText();

    // 下一页 with required answers missing: the errors show here, and the page stays.
    const next = page.locator(".sd-navigation__next-btn:visible");
    await next.click();
    await expect.poll(() => page.locator(".sd-question__erbox:visible").count(), poll).toBeGreaterThan(0);
    expect(await page.locator(".sd-page__title").first().innerText()).toBe(firstPage);
    await shot(page, "checklist-errors-on-next");

    // The contents button overlaps no input, wherever the page is scrolled.
    const toc = page.locator(".sv_progress-toc--mobile");
    if ((await toc.count()) > 0) {
      for (const y of [0, 400, 800, 100_000]) {
        await page.evaluate((top) => window.scrollTo({ top }), y);
        const box = await toc.first().boundingBox();
        if (!box) continue;
        const overlapping = await page.evaluate((b) => {
          const hits = [
            ...document.querySelectorAll(
              ".sd-question input, .sd-question textarea, .sd-item__control-label, .sd-navigation__next-btn",
            ),
          ];
          return hits.filter((el) => {
            const r = el.getBoundingClientRect();
            return (
              r.width > 0 &&
              r.left < b.x + b.width &&
              r.right > b.x &&
              r.top < b.y + b.height &&
              r.bottom > b.y
            );
          }).length;
        }, box);
        expect(overlapping, `scrolled to ${y}`).toBe(0);
      }
    }

    // An answer is saved; the time reads as elsewhere (2026-12-06 14:31) in the configured zone.
    const text = page.locator(".sd-question input[type=text], .sd-question textarea").first();
    await text.fill("现场负责人 张三");
    // Beijing's clock now or up to two minutes ago (the save may cross a minute), never New York's.
    // Polled until this save shows: a draft the demo saved earlier shows its own, older time first.
    const beijing = (ms: number) =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone: "Asia/Shanghai",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(new Date(ms));
    const savedNow = async () => {
      const state = await page.locator("#save-state").innerText();
      if (!/^已保存 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）$/.test(state)) return state;
      const shown = state.match(/\d{2}:\d{2}/)![0];
      const recent = [0, 60_000, 120_000].map((ago) => beijing(Date.now() - ago));
      return recent.includes(shown) ? "saved now" : state;
    };
    await expect.poll(savedNow, poll).toBe("saved now");
    await shot(page, "checklist-saved-time");
    await officer.close();
  });

  it("the 双随机 public page labels every value on a phone and explains the check in plain words", async () => {
    const { server, browser } = demo;
    const admin = await browser.newContext(phone);
    const page = await admin.newPage();
    watchPage(page, problems);
    await login(page, server.baseUrl, "scjg-admin", DEMO_PASSWORD, "/admin/inspections");
    const me = await apiAs<{ user: { departmentId: string } }>(admin, server.baseUrl, "GET", "/api/auth/me");
    const { items } = await apiAs<{ items: { id: string }[] }>(
      admin,
      server.baseUrl,
      "GET",
      `/api/catalog/items?status=active&department=${me.user.departmentId}`,
    );
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const { task } = await apiAs<{ task: { id: string } }>(
      admin,
      server.baseUrl,
      "POST",
      "/api/sampling/tasks",
      {
        name: "手机公示检查",
        itemIds: [items[0]!.id],
        periodFrom: day(5),
        periodTo: day(20),
      },
    );
    for (const step of ["commit", "draw", "reveal"])
      await apiAs(admin, server.baseUrl, "POST", `/api/sampling/tasks/${task.id}/${step}`);
    await admin.close();

    const citizen = await browser.newContext(phone);
    const view = await citizen.newPage();
    watchPage(view, problems);
    await view.goto(`${server.baseUrl}/sampling/public/${task.id}`);
    await view.locator("#outcome-table tbody tr").first().waitFor();
    await view.locator("#outcome-table").scrollIntoViewIfNeeded();
    await shot(view, "sampling-public-outcome");
    const unlabelled = await view.evaluate(
      () =>
        [...document.querySelectorAll("table.list td")].filter((td) => !td.getAttribute("data-label")).length,
    );
    expect(unlabelled).toBe(0);
    const text = await view.locator("main").innerText();
    expect(text).not.toMatch(/npm run|docs\/SAMPLING\.md/);
    await view.click("#verify");
    await expect.poll(() => view.locator("#verify-result").innerText(), poll).toContain("验证通过");
    await view.click("#how-link");
    await view.locator("#how summary").click();
    await expect.poll(() => view.locator("#how").getAttribute("open"), poll).not.toBeNull();
    await view.locator("#how").scrollIntoViewIfNeeded();
    await shot(view, "sampling-public-how");
    await citizen.close();
    expect(problems).toEqual([]);
  });

  it("offline: answers survive a reload without network, sync on reconnect; a stale save offers the merge", async () => {
    const { server, browser } = demo;
    const device = await browser.newContext(phone);
    const page = await device.newPage();
    watchPage(page, problems);
    await login(page, server.baseUrl, "scjg-officer1", DEMO_PASSWORD, "/admin/inspections");
    const { items } = await apiAs<{ items: { id: string; status: string }[] }>(
      device,
      server.baseUrl,
      "GET",
      "/api/inspections?status=in_progress",
    );
    const id = items.find((i) => i.status === "in_progress")!.id;
    const checklist = `${server.baseUrl}/admin/inspections/${id}/checklist`;
    await openUnderWorker(page, checklist);

    await device.setOffline(true);
    const place = page.locator('.sd-question[data-name="inspection_place"] input');
    await place.fill("离线填写的检查场所");
    await expect.poll(() => page.locator("#save-state").innerText(), poll).toMatch(/^1 项待同步/);
    await page.reload();
    await page.locator(".sd-question").first().waitFor();
    await expect.poll(() => place.inputValue(), poll).toBe("离线填写的检查场所");
    await expect.poll(() => page.locator("#save-state").innerText(), poll).toMatch(/^1 项待同步/);
    await shot(page, "offline-reloaded");

    await device.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await expect.poll(() => page.locator("#save-state").getAttribute("data-pending"), poll).toBe("0");
    const saved = await apiAs<{ data: Record<string, unknown>; revision: number }>(
      device,
      server.baseUrl,
      "GET",
      `/api/inspections/${id}/checklist`,
    );
    expect(saved.data.inspection_place).toBe("离线填写的检查场所");

    // A second device saves meanwhile; this phone's next save is stale and offers the merge.
    await apiAs(device, server.baseUrl, "PUT", `/api/inspections/${id}/checklist`, {
      data: { ...saved.data, inspection_place: "另一台设备填写的场所" },
      baseRevision: saved.revision,
    });
    await place.fill("本机再次修改的场所");
    await page.locator("#merge-list li").first().waitFor({ timeout: 20_000 });
    expect(await page.locator("#merge-list").innerText()).toContain("另一台设备填写的场所");
    await shot(page, "offline-merge");
    await page.click("#merge-confirm");
    await expect.poll(() => page.locator("#save-state").getAttribute("data-pending"), poll).toBe("0");
    const merged = await apiAs<{ data: Record<string, unknown> }>(
      device,
      server.baseUrl,
      "GET",
      `/api/inspections/${id}/checklist`,
    );
    expect(merged.data.inspection_place).toBe("本机再次修改的场所");
    await device.close();
  });

  it("a save that landed while its answer was lost is this phone's own: no merge is offered", async () => {
    const { server, device, page, id, errors } = await officerOnPhone(demo, DEMO_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/inspections/${id}/checklist`);
    await page.locator(".sd-question").first().waitFor();
    // The first save reaches the server and is stored, but its answer never reaches the page.
    let lost = 0;
    await page.route(`**/api/inspections/${id}/checklist`, async (route) => {
      if (route.request().method() !== "PUT" || lost > 0) return route.continue();
      lost++;
      await route.fetch();
      return route.abort("connectionreset");
    });
    const place = page.locator('.sd-question[data-name="inspection_place"] input');
    await place.fill("回复丢失的那次保存");
    await expect.poll(() => lost, poll).toBe(1);
    await place.fill("此后再改的场所");
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await expect.poll(() => page.locator("#save-state").getAttribute("data-pending"), poll).toBe("0");
    expect(await page.locator("#merge-list li").count()).toBe(0);
    const saved = await apiAs<{ data: Record<string, unknown> }>(
      device,
      server.baseUrl,
      "GET",
      `/api/inspections/${id}/checklist`,
    );
    expect(saved.data.inspection_place).toBe("此后再改的场所");
    expect(errors).toEqual([]);
    await device.close();
  });

  it("offline photo: kept on the phone across a reload, uploaded once before the answers and the submit", async () => {
    const { server, device, page, id, errors } = await officerOnPhone(demo, DEMO_PASSWORD);
    await openUnderWorker(page, `${server.baseUrl}/admin/inspections/${id}/checklist`);

    // Offline from here: every page answered, the photo taken on the closing page.
    await device.setOffline(true);
    const preview = page.locator('.sd-question[data-name="photos"] img[src^="blob:"]');
    const state = page.locator("#save-state");
    for (let guard = 0; guard < 12; guard++) {
      await answerPage(page);
      if ((await page.locator('.sd-question[data-name="photos"]').count()) > 0) break;
      await page.locator(".sd-navigation__next-btn:visible").click();
    }
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      page.locator('.sd-question[data-name="photos"] .sd-file__choose-btn').click(),
    ]);
    await chooser.setFiles({ name: "离线现场.png", mimeType: "image/png", buffer: photoPng() });
    await preview.waitFor();
    const representative = page.locator('.sd-question[data-name="enterprise_representative"] input');
    await representative.fill("离线代表");
    await expect.poll(() => state.innerText(), poll).toMatch(/^2 项待同步（含 1 张照片）/);

    await page.reload();
    await page.locator('.sd-question[data-name="photos"]').waitFor();
    await preview.waitFor();
    await expect.poll(() => representative.inputValue(), poll).toBe("离线代表");
    await expect.poll(() => state.innerText(), poll).toMatch(/^2 项待同步（含 1 张照片）/);
    await preview.scrollIntoViewIfNeeded();
    await shot(page, "offline-photo-pending");

    await page.locator(".sd-navigation__complete-btn:visible").click();
    await expect.poll(() => page.locator("#status").innerText(), poll).toContain("已保存在本机");
    await expect.poll(() => state.innerText(), poll).toMatch(/^3 项待同步（含 1 张照片）/);

    // Back online, the first upload's answer is lost on the way: the photo reached the server, the
    // phone saw a dropped connection and sends it again under the same client id.
    const uploads: string[] = [];
    await device.route("**/api/inspections/*/photos", async (route) => {
      uploads.push(route.request().headers()["x-client-id"] ?? "");
      if (uploads.length === 1) {
        await route.fetch();
        return route.abort("connectionreset");
      }
      return route.continue();
    });
    await device.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await expect.poll(() => page.locator("#status").innerText(), poll).toContain("已提交登记");
    await expect.poll(() => state.getAttribute("data-pending"), poll).toBe("0");
    await page.evaluate(() => window.scrollTo({ top: 0 }));
    await shot(page, "offline-photo-synced");
    expect(uploads.length).toBeGreaterThanOrEqual(2);
    expect(new Set(uploads).size).toBe(1);
    expect(uploads[0]).toMatch(/^[0-9a-f-]{36}$/);

    const db = createClient({ url: `file:${join(server.dir, "test.db")}` });
    try {
      const photos = await db.execute({
        sql: "SELECT id, client_id FROM photos WHERE inspection_id = ?",
        args: [id],
      });
      expect(photos.rows).toHaveLength(1);
      expect(photos.rows[0]!.client_id).toBe(uploads[0]);
      const submits = await db.execute({
        sql: "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'checklist.submit' AND target_id = ?",
        args: [id],
      });
      expect(Number(submits.rows[0]!.n)).toBe(1);
      const saved = await apiAs<{ status: string; data: Record<string, unknown> }>(
        device,
        server.baseUrl,
        "GET",
        `/api/inspections/${id}/checklist`,
      );
      expect(saved.status).toBe("submitted");
      expect(saved.data.enterprise_representative).toBe("离线代表");
      expect(saved.data.photos).toEqual([
        expect.objectContaining({ content: `/api/inspections/${id}/photos/${photos.rows[0]!.id}` }),
      ]);
    } finally {
      db.close();
    }
    expect(errors).toEqual([]);
    await device.close();
  });
});

const shanghaiClock = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);

/** A small photo the photo API accepts (PNG). */
function photoPng(): Buffer {
  const png = new PNG({ width: 64, height: 48 });
  for (let i = 0; i < png.data.length; i += 4) {
    png.data[i] = 200;
    png.data[i + 1] = 90 + ((i / 4) % 64);
    png.data[i + 2] = 60;
    png.data[i + 3] = 255;
  }
  return PNG.sync.write(png);
}

async function sign(page: Page, canvas: Locator) {
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  for (let x = 20; x < Math.min(box.width - 20, 200); x += 10)
    await page.mouse.move(box.x + x, box.y + box.height / 2 + Math.sin(x / 12) * 12);
  await page.mouse.up();
}

/** Answers what the current checklist page asks: times, 合格, the place, 已告知, the signatures. */
async function answerPage(page: Page) {
  const times = await page.locator('.sd-question input[type="datetime-local"]').all();
  for (const [index, input] of times.entries())
    if (!(await input.inputValue()))
      await input.fill(shanghaiClock(Date.now() - (index === 0 ? 30 : 1) * 60_000));
  const place = page.locator('.sd-question[data-name="inspection_place"] input');
  if ((await place.count()) > 0 && !(await place.inputValue())) await place.fill("离线检查场所");
  for (const question of await page.locator(".sd-question--radiogroup, .sd-question[data-name]").all()) {
    const pass = question.locator(".sd-item__control-label", { hasText: /^合格$/ });
    if ((await pass.count()) > 0) await pass.first().click();
  }
  const told = page.locator(".sd-question", { hasText: "已告知企业" });
  if ((await told.count()) > 0 && (await page.locator('.sd-question[data-name="photos"]').count()) > 0)
    await told.locator(".sd-boolean__thumb-text, .sd-boolean__label", { hasText: "已告知" }).first().click();
  for (const canvas of await page.locator(".sd-question canvas").all()) await sign(page, canvas);
}

/** Opens the checklist and reloads it once the service worker controls the page, so that this load is cached. */
async function openUnderWorker(page: import("playwright-core").Page, url: string) {
  await page.goto(url);
  await page.locator(".sd-question").first().waitFor();
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.reload();
  await page.locator(".sd-question").first().waitFor();
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller)), poll).toBe(true);
}
