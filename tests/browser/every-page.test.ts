// Every staff page as each role, on a phone and on a desktop (issue 18 #7, #12, #22): one navigation
// built from the role (no link to a page the role cannot use), a page opened anyway says 没有权限
// without spinners or action buttons, the phone bar stays one row with a 菜单, every page has a skip
// link, and axe-core finds no serious or critical violation. Screenshots of every visit are kept.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  axeViolations,
  chromiumMissing,
  demoServerAndBrowser,
  login,
  screenshotDir,
  type AxeFinding,
} from "./harness";

const DEMO_PASSWORD = "Every-page-demo-password";
const shots = join(screenshotDir, "every-page");

const viewports = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "zh-CN" },
  desktop: { viewport: { width: 1366, height: 860 }, locale: "zh-CN" },
} as const;

type Role = "admin" | "supervisor" | "dept_admin" | "officer";
const ALL: Role[] = ["admin", "supervisor", "dept_admin", "officer"];
const DESIGNERS: Role[] = ["admin", "supervisor", "dept_admin"];

/** The staff pages and who may use them (the API's decisions, tests/access-rules.ts). */
function staffPages(ids: { formId: string; inspectionId: string }) {
  const form = `/admin/forms/${ids.formId}`;
  const inspection = `/admin/inspections/${ids.inspectionId}`;
  return [
    { path: "/admin/forms", roles: DESIGNERS, nav: true },
    { path: `${form}/edit`, roles: DESIGNERS },
    { path: `${form}/responses`, roles: DESIGNERS },
    { path: `${form}/share`, roles: DESIGNERS },
    { path: "/admin/inspections", roles: ALL, nav: true },
    { path: "/admin/inspections/new", roles: ["officer", "dept_admin"] as Role[], nav: true },
    { path: inspection, roles: ALL },
    { path: `${inspection}/checklist`, roles: ALL },
    { path: "/admin/sampling", roles: ALL, nav: true },
    { path: "/admin/planning", roles: DESIGNERS, nav: true },
    { path: "/admin/dashboard", roles: DESIGNERS, nav: true },
    { path: "/admin/alerts", roles: ["admin", "supervisor"] as Role[], nav: true },
    { path: "/admin/cases", roles: DESIGNERS, nav: true },
    { path: "/admin/reviews", roles: ["admin", "supervisor"] as Role[], nav: true },
    { path: "/admin/audit", roles: DESIGNERS, nav: true },
    { path: "/admin/officers", roles: DESIGNERS, nav: true },
    { path: "/admin/enterprises", roles: ALL, nav: true },
    { path: "/admin/catalog", roles: ALL, nav: true },
    { path: "/admin/users", roles: ["admin", "dept_admin"] as Role[], nav: true },
  ];
}

describe.skipIf(chromiumMissing)("every staff page, every role, phone and desktop", () => {
  const demo = demoServerAndBrowser(DEMO_PASSWORD);

  it("shows each role its own navigation and no serious accessibility violation", async () => {
    const { server, browser } = demo;
    const base = server.baseUrl;
    await mkdir(shots, { recursive: true });
    console.log(`every-page screenshots: ${shots}`);
    const logins: Record<Role, [string, string]> = {
      admin: [server.username, server.password],
      supervisor: ["sfj-supervisor", DEMO_PASSWORD],
      dept_admin: ["scjg-admin", DEMO_PASSWORD],
      officer: ["scjg-officer1", DEMO_PASSWORD],
    };

    // Ids of a seeded form and a demo inspection of 市场监管 (the dept_admin's and officer's department).
    const probe = await browser.newContext(viewports.desktop);
    const probePage = await probe.newPage();
    await login(probePage, base, ...logins.dept_admin, "/admin/inspections");
    const ids = await probePage.evaluate(async () => {
      const forms = await (await fetch("/api/forms")).json();
      const inspections = await (await fetch("/api/inspections")).json();
      return { formId: forms.items[0].id as string, inspectionId: inspections.items[0].id as string };
    });
    await probe.close();
    const pages = staffPages(ids);

    const problems: string[] = [];
    for (const role of ALL) {
      for (const [size, options] of Object.entries(viewports)) {
        const context: BrowserContext = await browser.newContext(options);
        context.setDefaultTimeout(20_000);
        const page = await context.newPage();
        await signIn(page, base, logins[role], pages[4]!.path, `${role}-${size}`);
        for (const target of pages) {
          await page.goto(`${base}${target.path}`);
          await page.locator(".topbar nav a").first().waitFor({ state: "attached" });
          const allowed = target.roles.includes(role);
          if (!allowed) await page.getByText("没有权限").first().waitFor();
          else await page.waitForLoadState("networkidle");
          const name = `${role}-${size}-${target.path.replace(/^\/admin\//, "").replace(/[^a-z]+/gi, "_")}`;
          await page.screenshot({ path: join(shots, `${name}.png`) });
          problems.push(...(await checkPage(page, role, size, target.path, allowed, pages)));
        }
        await context.close();
      }
    }
    expect(problems).toEqual([]);
  }, 900_000);
});

/** Signs in, once more after a slow first try (scrypt on a shared machine), with a picture of the first. */
async function signIn(
  page: Page,
  base: string,
  [user, password]: [string, string],
  next: string,
  name: string,
) {
  try {
    await login(page, base, user, password, next);
  } catch {
    await page.screenshot({ path: join(shots, `login-retry-${name}.png`) });
    await login(page, base, user, password, next);
  }
}

async function checkPage(
  page: Page,
  role: Role,
  size: string,
  path: string,
  allowed: boolean,
  pages: ReturnType<typeof staffPages>,
): Promise<string[]> {
  const where = `${role} ${size} ${path}`;
  const problems: string[] = [];
  const links = await page
    .locator(".topbar nav a")
    .evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  const expected = pages.filter((p) => p.nav && p.roles.includes(role)).map((p) => p.path);
  if (JSON.stringify([...links].sort()) !== JSON.stringify([...expected].sort()))
    problems.push(`${where}: nav ${links.join(" ")} ≠ ${expected.join(" ")}`);
  if ((await page.locator("a.skip-link").count()) !== 1) problems.push(`${where}: no skip link`);
  if (!allowed) {
    const main = page.locator("main");
    if (await main.getByText("正在加载").count()) problems.push(`${where}: spinner on a denied page`);
    const buttons = await main.locator("button:visible").count();
    if (buttons) problems.push(`${where}: ${buttons} buttons on a denied page`);
  }
  if (size === "phone") {
    const height = await page.locator(".topbar").evaluate((e) => e.getBoundingClientRect().height);
    if (height > 64) problems.push(`${where}: top bar ${Math.round(height)} px high on a phone`);
  }
  // The designer's canvas and property grid are SurveyJS Creator's own UI (its licence banner among
  // them, which must not be restyled away): our page around it is checked, the vendor's widget is not.
  const findings: AxeFinding[] = await axeViolations(page, path.endsWith("/edit") ? ["#creator"] : []);
  for (const f of findings)
    problems.push(`${where}: axe ${f.impact} ${f.id} (${f.help}) ${f.targets.join(", ")}`);
  return problems;
}
