// Issue 15 on a phone (390x844): an officer fails two points; the enterprise uploads a photo for one
// in the portal (/e); the officer accepts it (书面核查) and files a 复查 for the other; the 复查
// checklist holds only that point; once it passes the inspection can be closed (办结).
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { creditCodeCheckChar } from "../../src/directory/uscc.ts";
import { enterpriseSessions } from "../../src/db/schema.ts";
import { randomToken, sha256Hex } from "../../src/lib/ids.ts";
import { chromiumMissing, demoServerAndBrowser, login, screenshotDir, watchPage, apiAs } from "./harness";

const poll = { timeout: 20_000, interval: 100 };
const PASSWORD = "Actions-demo-password";
const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  locale: "zh-CN",
};
const SIGNATURE =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const shanghaiClock = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshotDir, `actions-${name}.png`), fullPage: true });

function photoPng(): Buffer {
  const png = new PNG({ width: 64, height: 48 });
  for (let i = 0; i < png.data.length; i += 4) {
    png.data[i] = 40 + ((i / 4) % 64);
    png.data[i + 1] = 160;
    png.data[i + 2] = 90;
    png.data[i + 3] = 255;
  }
  return PNG.sync.write(png);
}

/** The checklist's fixed answers (header, rights, signatures) plus the given point answers. */
function answers(points: Record<string, unknown>) {
  return {
    inspection_place: "后厨",
    start_time: shanghaiClock(Date.now() - 20 * 60_000),
    end_time: shanghaiClock(Date.now() - 60_000),
    rights_notified: true,
    officer_signature_1: SIGNATURE,
    officer_signature_2: SIGNATURE,
    enterprise_representative: "李明",
    enterprise_signature: SIGNATURE,
    ...points,
  };
}

describe.skipIf(chromiumMissing)("corrective actions and 复查 on a phone", () => {
  const demo = demoServerAndBrowser(PASSWORD);

  it("fails two points, takes the enterprise's photo, accepts one, re-inspects the other and closes", async () => {
    const { server, browser } = demo;
    const base = server.baseUrl;
    const problems: string[] = [];

    // Set-up through the API: the enterprise, a checklist form with two points, an item that allows 书面核查.
    const adminContext = await browser.newContext(phone);
    const admin = await adminContext.newPage();
    await login(admin, base, "admin", server.password, "/admin/catalog");
    const { items: departments } = await apiAs<{ items: { id: string; code: string }[] }>(
      adminContext,
      base,
      "GET",
      "/api/departments",
    );
    const market = departments.find((d) => d.code === "SCJG")!;
    const first17 = "91370102MAKM2026";
    const firm = await apiAs<{ enterprise?: { id: string }; id?: string }>(
      adminContext,
      base,
      "POST",
      "/api/enterprises",
      {
        creditCode: `${first17}1${creditCodeCheckChar(`${first17}1`)}`,
        name: "济南整改示范餐饮有限公司",
        address: "济南市历下区泉城路 66 号",
        district: "历下区",
        legalRepresentative: "李明",
      },
    );
    const enterpriseId = firm.enterprise?.id ?? firm.id!;
    const { form } = await apiAs<{ form: { id: string } }>(adminContext, base, "POST", "/api/forms", {
      title: "后厨卫生检查表",
      kind: "checklist",
      departmentId: market.id,
      schema: {
        elements: [
          { type: "radiogroup", name: "disinfect", title: "餐具消毒记录齐全", choices: ["是", "否"] },
          { type: "radiogroup", name: "pest", title: "防鼠防虫设施完好", choices: ["是", "否"] },
        ],
      },
    });
    await apiAs(adminContext, base, "POST", `/api/forms/${form.id}/publish`);
    const item = await apiAs<{ id: string }>(adminContext, base, "POST", "/api/catalog/items", {
      code: "JN-SCJG-815",
      departmentId: market.id,
      name: "后厨卫生检查",
      legalBasis: "《中华人民共和国食品安全法》第三十三条",
      checklistFormId: form.id,
      writtenVerification: true,
    });

    // The officer files; the department's administrator approves.
    const officerContext = await browser.newContext(phone);
    officerContext.setDefaultTimeout(20_000);
    const officer = await officerContext.newPage();
    watchPage(officer, problems);
    await login(officer, base, "scjg-officer1", PASSWORD, "/admin/inspections");
    const me = await apiAs<{ user: { id: string } }>(officerContext, base, "GET", "/api/auth/me");
    const { items: people } = await apiAs<{
      items: { id: string; userId: string | null; isHelper: boolean; credential: { valid: boolean } }[];
    }>(officerContext, base, "GET", `/api/officers?department=${market.id}`);
    const valid = people.filter((p) => !p.isHelper && p.credential.valid);
    const mine = valid.find((p) => p.userId === me.user.id)!;
    const officerIds = [mine.id, valid.find((p) => p.id !== mine.id)!.id];
    const start = Date.now() - 30 * 60_000;
    const filed = await apiAs<{ id: string }>(officerContext, base, "POST", "/api/inspections", {
      enterpriseId,
      type: "case",
      caseReason: "群众举报后厨卫生问题",
      officerIds,
      itemIds: [item.id],
      plannedStart: new Date(start).toISOString(),
      plannedEnd: new Date(start + 2 * 3_600_000).toISOString(),
      lateReason: "接举报后立即到场",
    });
    const headContext = await browser.newContext(phone);
    headContext.setDefaultTimeout(20_000);
    const head = await headContext.newPage();
    watchPage(head, problems);
    await login(head, base, "scjg-admin", PASSWORD, "/admin/inspections");
    await apiAs(headContext, base, "POST", `/api/inspections/${filed.id}/approve`);

    // 1. The officer registers the visit with two failed points.
    await apiAs(officerContext, base, "GET", `/api/inspections/${filed.id}/checklist`);
    await apiAs(officerContext, base, "POST", `/api/inspections/${filed.id}/checklist/submit`, {
      data: answers({
        i1__disinfect: "fail",
        i1__disinfect__requirement: "补齐近一个月餐具消毒记录",
        i1__disinfect__deadline: "2099-12-31",
        i1__pest: "fail",
        i1__pest__requirement: "修复后厨挡鼠板",
        i1__pest__deadline: "2099-12-31",
      }),
    });
    await officer.goto(`${base}/admin/inspections/${filed.id}`);
    await expect.poll(() => officer.locator("#corrective-list li").count(), poll).toBe(2);
    await shot(officer, "01-two-actions-officer");

    // 2. The enterprise, signed in on its phone, uploads a photo for one and submits.
    const token = randomToken();
    const csrf = randomToken(24);
    const database = await openDatabase({ url: `file:${join(server.dir, "test.db")}` });
    try {
      await database.db.insert(enterpriseSessions).values({
        id: sha256Hex(token),
        enterpriseId,
        csrfToken: csrf,
        method: "sms",
        createdAt: Date.now(),
        expiresAt: Date.now() + 86_400_000,
      });
    } finally {
      database.close();
    }
    const firmContext = await browser.newContext(phone);
    firmContext.setDefaultTimeout(20_000);
    const host = new URL(base).hostname;
    await firmContext.addCookies([
      { name: "lianma_ent", value: token, domain: host, path: "/" },
      { name: "lianma_ent_csrf", value: csrf, domain: host, path: "/" },
    ]);
    const portal = await firmContext.newPage();
    watchPage(portal, problems);
    await portal.goto(`${base}/e`);
    const disinfect = portal.locator("#ent-actions li", { hasText: "餐具消毒记录齐全" });
    await disinfect.waitFor();
    await shot(portal, "02-portal-actions");
    await disinfect.locator("input.evidence-input").setInputFiles({
      name: "消毒记录.png",
      mimeType: "image/png",
      buffer: photoPng(),
    });
    await expect.poll(() => disinfect.locator(".evidence-thumb").count(), poll).toBe(1);
    const again = portal.locator("#ent-actions li", { hasText: "餐具消毒记录齐全" });
    await again.locator("textarea.evidence-statement").fill("已补齐消毒记录并张贴");
    await again.locator("input.evidence-commit").check();
    await shot(portal, "03-portal-evidence");
    await again.locator("button.evidence-submit").click();
    await expect.poll(() => again.innerText(), poll).toContain("已提交整改材料");
    await shot(portal, "04-portal-submitted");

    // 3. The officer accepts it on the written evidence and files a 复查 for the other point.
    await officer.reload();
    const submitted = officer.locator("#corrective-list li", { hasText: "餐具消毒记录齐全" });
    await submitted.locator(".evidence-thumb").waitFor();
    await shot(officer, "05-evidence-officer");
    await submitted.locator("button.accept-action").click();
    await expect.poll(() => submitted.innerText(), poll).toContain("已验收");
    await officer
      .locator("#corrective-list li", { hasText: "防鼠防虫设施完好" })
      .locator("input.reinspect-pick")
      .check();
    await officer.click("#reinspect");
    await officer.waitForURL((url) => url.pathname !== `/admin/inspections/${filed.id}`);
    const reinspectionId = new URL(officer.url()).pathname.split("/")[3]!;
    await expect.poll(() => officer.locator("#flags").innerText(), poll).toContain("复查");
    await shot(officer, "06-reinspection-filed");

    // 4. Approved, its checklist holds only the re-inspected point, with the original requirement.
    await apiAs(headContext, base, "POST", `/api/inspections/${reinspectionId}/approve`);
    // The first page (place, times, rights) saved as a draft, so 下一页 (which validates the page)
    // leads on to the item page.
    await officer.goto(`${base}/admin/inspections/${reinspectionId}/checklist`);
    await officer.locator(".sd-question").first().waitFor();
    await apiAs(officerContext, base, "PUT", `/api/inspections/${reinspectionId}/checklist`, {
      data: answers({}),
    });
    await officer.reload();
    await officer.locator(".sd-question").first().waitFor();
    const checklist = await apiAs<{ schema: { pages: { elements: { name: string }[] }[] } }>(
      officerContext,
      base,
      "GET",
      `/api/inspections/${reinspectionId}/checklist`,
    );
    const pointNames = checklist.schema.pages[1]!.elements.map((e) => e.name);
    expect(pointNames.filter((n) => !n.includes("__requirement") && !n.includes("__deadline"))).toEqual([
      "i1__pest",
    ]);
    // The item page: the one point, with the original requirement as its description.
    await officer.locator(".sd-navigation__next-btn:visible").click();
    await expect.poll(() => officer.locator(".sd-body").innerText(), poll).toContain("原整改要求");
    await shot(officer, "07-reinspection-checklist");
    await apiAs(officerContext, base, "POST", `/api/inspections/${reinspectionId}/checklist/submit`, {
      data: answers({ i1__pest: "pass" }),
    });

    // 5. Both actions are accepted: the original inspection closes (办结).
    await head.goto(`${base}/admin/inspections/${filed.id}`);
    await expect.poll(() => head.locator("#corrective-list").innerText(), poll).not.toContain("待复查");
    await head.click("#close");
    await head.click("#close-submit");
    await expect.poll(() => head.locator("#status").innerText(), poll).toBe("已办结");
    await shot(head, "08-closed");
    expect(problems).toEqual([]);
    await Promise.all([adminContext, officerContext, headContext, firmContext].map((c) => c.close()));
  }, 240_000);
});
