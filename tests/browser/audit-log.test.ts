// The audit log page in a real browser, on the demo data: a department administrator opens an
// inspection, follows its 操作记录 link, and reads that inspection's trail with the chain's state —
// on a phone and on a desktop — and never another department's lines.
import { join } from "node:path";
import { and, eq, ne } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { sealAuditLog } from "../../src/audit/chain.ts";
import { openDatabase } from "../../src/db/client.ts";
import { auditLog, departments, inspectionDepartments, users } from "../../src/db/schema.ts";
import { chromiumMissing, demoServerAndBrowser, login, screenshotDir, watchPage } from "./harness";

const DEMO_PASSWORD = "Audit-demo-password";
const poll = { timeout: 20_000, interval: 100 };
const phone = { viewport: { width: 390, height: 844 }, locale: "zh-CN", isMobile: true, hasTouch: true };
const desktop = { viewport: { width: 1280, height: 900 }, locale: "zh-CN" };

/** The inspection of the market supervision department whose trail the page shows, and another's. */
const ids = { mine: "", theirs: "" };

/** Writes a short trail for one SCJG inspection (filed, approved) and one line about another department's. */
async function prepare(url: string) {
  const database = await openDatabase({ url });
  try {
    const db = database.db;
    const [scjg] = await db.select().from(departments).where(eq(departments.code, "SCJG"));
    const [mine] = await db
      .select({ id: inspectionDepartments.inspectionId })
      .from(inspectionDepartments)
      .where(eq(inspectionDepartments.departmentId, scjg!.id))
      .limit(1);
    const [theirs] = await db
      .select({ id: inspectionDepartments.inspectionId })
      .from(inspectionDepartments)
      .where(ne(inspectionDepartments.departmentId, scjg!.id))
      .limit(1);
    const [officer] = await db
      .select()
      .from(users)
      .where(and(eq(users.departmentId, scjg!.id), eq(users.role, "officer")))
      .limit(1);
    const [head] = await db.select().from(users).where(eq(users.username, "scjg-admin"));
    ids.mine = mine!.id;
    ids.theirs = theirs!.id;
    const at = Date.now() - 3_600_000;
    const line = (action: string, target: string, actor: typeof head, detail: object, offset: number) => ({
      at: at + offset,
      actorId: actor!.id,
      actorName: actor!.username,
      action,
      targetType: "inspection",
      targetId: target,
      ip: "10.1.2.3",
      detail: JSON.stringify(detail),
    });
    await db
      .insert(auditLog)
      .values([
        line("inspection.filed", ids.mine, officer, { after: { status: "filed", type: "routine" } }, 0),
        line(
          "inspection.approved",
          ids.mine,
          head,
          { before: { status: "filed" }, after: { status: "approved" } },
          60_000,
        ),
        line(
          "inspection.filed",
          ids.theirs,
          officer,
          { after: { status: "filed", secret: "另一部门" } },
          120_000,
        ),
      ]);
    await sealAuditLog(db);
  } finally {
    database.close();
  }
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshotDir, `audit-${name}.png`), fullPage: true });

describe.skipIf(chromiumMissing)("the audit log page, opened from an inspection's 操作记录 link", () => {
  const demo = demoServerAndBrowser(DEMO_PASSWORD, { prepare });

  for (const [name, device] of [
    ["phone", phone],
    ["desktop", desktop],
  ] as const) {
    it(`shows the inspection's trail and the chain's state (${name})`, async () => {
      const problems: string[] = [];
      const context = await demo.browser.newContext(device);
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      watchPage(page, problems);
      const base = demo.server.baseUrl;
      await login(page, base, "scjg-admin", DEMO_PASSWORD, `/admin/inspections/${ids.mine}`);

      const link = page.locator("#audit-link a.audit-link");
      await expect.poll(() => link.count(), poll).toBe(1);
      await shot(page, `${name}-inspection-detail`);
      await link.click();
      await page.waitForURL((u) => u.pathname === "/admin/audit");
      const url = new URL(page.url());
      expect(url.searchParams.get("targetType")).toBe("inspection");
      expect(url.searchParams.get("targetId")).toBe(ids.mine);

      const lines = page.locator("#lines li.audit-line");
      await expect.poll(() => lines.count(), poll).toBe(2);
      expect(await lines.locator(".audit-action").allInnerTexts()).toEqual(["审批通过", "备案"]);
      expect(await lines.first().innerText()).toContain("部门管理员");
      await expect.poll(() => page.locator("#chain").getAttribute("data-state"), poll).toBe("ok");
      expect(await page.locator("#chain").innerText()).toMatch(/哈希链完好：已校验至第 \d+ 条/);
      expect(await page.locator("#f-targetId").inputValue()).toBe(ids.mine);
      // The change of the approval, opened.
      await lines.first().locator("summary").click();
      expect(await lines.first().locator(".audit-diff").innerText()).toContain("approved");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await shot(page, `${name}-inspection-trail`);

      // Asked for the other department's inspection, the page finds nothing.
      await page.fill("#f-targetId", ids.theirs);
      await page.click("#filters button[type=submit]");
      await expect.poll(() => page.locator("#lines li.empty").innerText(), poll).toContain("没有符合条件");
      expect(await page.content()).not.toContain("另一部门");
      await shot(page, `${name}-other-department`);

      expect(problems).toEqual([]);
      await context.close();
    });
  }
});
