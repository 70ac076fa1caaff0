import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { runMigrations } from "../../src/db/migrate.ts";
import { seedDemo } from "../../src/seed/demo.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing) {
  const where = `Chromium not found at ${CHROMIUM} (install it with apt; it is never downloaded)`;
  if (process.env.CI) throw new Error(`${where}: the browser tests must run in CI.`);
  console.warn(`${where}: browser tests skipped.`);
}

const root = fileURLToPath(new URL("../..", import.meta.url));
export const screenshotDir = join(root, "tests", "browser", "screenshots");

export interface RunningServer {
  baseUrl: string;
  /** A scratch folder removed on stop. */
  dir: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function waitForHealth(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not become healthy in 45 s:\n${output()}`);
}

export interface ServerOptions {
  /** Fills the temp database (a `file:` URL) before the server starts on it, e.g. with demo data. */
  prepare?: (url: string) => Promise<void>;
  /** Publish the sample forms in forms/ on start (off by default: tests make their own). */
  seedForms?: boolean;
  /** Extra environment for the server (e.g. SMS_GATEWAY=file with SMS_FILE). */
  env?: Record<string, string>;
}

/** Migrates a fresh database at `url` and fills it as `npm run seed:demo` does, with `password` for every demo login. */
export async function seedDemoDatabase(url: string, password: string): Promise<void> {
  const database = await openDatabase({ url });
  try {
    await runMigrations(database.db);
    await seedDemo(database.db, { password });
  } finally {
    database.close();
  }
}

/**
 * Starts the real server (src/server.ts) on a free port with a fresh temp database (filled by
 * `prepare` first, if given), or — when LIANMA_TEST_BASE_URL is set — uses an already running one.
 */
export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  await mkdir(screenshotDir, { recursive: true });
  if (process.env.LIANMA_TEST_BASE_URL) {
    return {
      baseUrl: process.env.LIANMA_TEST_BASE_URL.replace(/\/$/, ""),
      dir: await mkdtemp(join(tmpdir(), "lianma-browser-")),
      username: process.env.LIANMA_TEST_USERNAME || "admin",
      password: process.env.LIANMA_TEST_PASSWORD || "",
      stop: async () => {},
    };
  }
  const dir = await mkdtemp(join(tmpdir(), "lianma-browser-"));
  const url = `file:${join(dir, "test.db")}`;
  await opts.prepare?.(url);
  const port = await freePort();
  const password = `Browser-Test-${Math.random().toString(36).slice(2, 10)}`;
  let log = "";
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "test",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: url,
      ADMIN_USERNAME: "admin",
      ADMIN_PASSWORD: password,
      SEED_FORMS: opts.seedForms ? "1" : "0",
      PUBLIC_URL: "",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk) => (log += chunk));
  child.stderr?.on("data", (chunk) => (log += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(baseUrl, child, () => log);
  } catch (error) {
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    baseUrl,
    dir,
    username: "admin",
    password,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login page and waits until it has sent the browser on to `next`. */
/**
 * For a describe block of a browser story: the real server over the seeded demo database (demo
 * users' password `password`) and one browser, started before its tests and stopped after them.
 * Read `server` and `browser` from the returned object inside the tests.
 */
export function demoServerAndBrowser(
  password: string,
  options: { env?: Record<string, string>; prepare?: (url: string) => Promise<void> } = {},
): { server: RunningServer; browser: Browser } {
  const demo = {} as { server: RunningServer; browser: Browser };
  beforeAll(async () => {
    demo.server = await startServer({
      seedForms: true,
      env: options.env,
      prepare: async (url) => {
        await seedDemoDatabase(url, password);
        await options.prepare?.(url);
      },
    });
    demo.browser = await launchBrowser();
  });
  afterAll(async () => {
    await demo.browser?.close();
    await demo.server?.stop();
  });
  return demo;
}

export async function login(
  page: import("playwright-core").Page,
  baseUrl: string,
  username: string,
  password: string,
  next: string,
): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.fill("#username", username);
  await page.fill("#password", password);
  await page.click("#submit");
  await page.waitForURL((url) => url.pathname === next.split("?")[0]);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Collects page errors and CSP violations so a test can assert there were none. */
export function watchPage(page: import("playwright-core").Page, problems: string[]): void {
  page.on("pageerror", (error) => problems.push(`pageerror on ${page.url()}: ${error.message}`));
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() === "error" && !/favicon/.test(text))
      problems.push(`console error on ${page.url()}: ${text}`);
  });
}

/** Answers the evaluation: conduct otherwise fine, but rude (粗暴执法), and 不满意 overall. */
export async function fillEvaluation(page: Page) {
  const answers: Record<string, string> = {
    two_officers_with_credentials: "是",
    informed_items_and_basis: "是",
    clear_result_and_guidance: "是",
    informed_rights: "是",
    unrelated_materials: "否",
    repeat_inspection: "否",
    beyond_scope: "否",
    disrupted_business: "否",
    demanded_gifts: "否",
    designated_services_or_fees: "否",
    rude_conduct: "是",
    overall_satisfaction: "不满意",
  };
  // /i/:code loads SurveyJS only when the enterprise presses 开始评价; the portal shows the form at once.
  await page.locator("#start-evaluation, .sd-question").first().waitFor();
  if (await page.locator("#start-evaluation").isVisible()) await page.click("#start-evaluation");
  await page.locator(".sd-question").first().waitFor();
  for (let guard = 0; guard < 8; guard++) {
    for (const question of await page.locator(".sd-question[data-name]").all()) {
      const name = (await question.getAttribute("data-name")) ?? "";
      if (answers[name]) {
        await question
          .locator(".sd-item__control-label", { hasText: new RegExp(`^${answers[name]}$`) })
          .click();
      }
    }
    // 情况说明 and 意见和建议 (required after a negative answer).
    for (const area of await page.locator(".sd-question textarea:visible").all()) {
      await area.fill("检查人员当众呵斥员工，态度粗暴，希望文明执法。");
    }
    const next = page.locator(".sd-navigation__next-btn:visible");
    if ((await next.count()) > 0) {
      await next.click();
      continue;
    }
    await page.locator(".sd-navigation__complete-btn:visible").click();
    return;
  }
  throw new Error("evaluation did not end");
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations (WCAG 2.1 A/AA rules).
 * Evaluated through the DevTools protocol, so the pages' CSP (no inline scripts) stays as it is.
 */
export async function axeViolations(page: Page, exclude: string[] = []): Promise<AxeFinding[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async (exclude) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: object) => Promise<any> } }).axe;
    const context = exclude.length ? { exclude: exclude.map((s) => [s]) } : document;
    const result = await axe.run(context, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      resultTypes: ["violations"],
    });
    return (result.violations as any[])
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id as string,
        impact: v.impact as string,
        help: v.help as string,
        targets: (v.nodes as any[]).slice(0, 5).map((n) => String(n.target)),
      }));
  }, exclude);
}

/** Calls the API as the signed-in user of `context` (its cookies and CSRF token); throws on a refusal. */
export async function apiAs<T>(
  context: BrowserContext,
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
) {
  const csrf = (await context.cookies(baseUrl)).find((c) => c.name === "lianma_csrf")?.value ?? "";
  const response = await context.request.fetch(`${baseUrl}${path}`, {
    method,
    headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok()) throw new Error(`${method} ${path}: ${response.status()} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A phone as the officers' and enterprises' pages are tested on: 390×844, touch, Chinese, China time. */
export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: "zh-CN",
  timezoneId: "Asia/Shanghai",
};

/** The server's administrator over the API, for tests that publish surveys and read their responses. */
export async function adminApi(browser: Browser, server: RunningServer) {
  const context = await browser.newContext();
  const login = await context.request.post(`${server.baseUrl}/api/auth/login`, {
    data: { username: server.username, password: server.password },
  });
  if (login.status() !== 200) throw new Error(`admin login: ${login.status()} ${await login.text()}`);
  const call = <T>(method: string, path: string, body?: unknown) =>
    apiAs<T>(context, server.baseUrl, method, path, body);
  return {
    call,
    /** Creates a survey, publishes it and gives its id. */
    async publish(title: string, schema: unknown): Promise<string> {
      const { form } = await call<{ form: { id: string } }>("POST", "/api/forms", {
        title,
        kind: "survey",
        schema,
      });
      await call("POST", `/api/forms/${form.id}/publish`);
      return form.id;
    },
    /** The stored responses of a form, newest first. */
    async responses(formId: string) {
      const list = await call<{ items: { id: string; version: number; data: Record<string, unknown> }[] }>(
        "GET",
        `/api/forms/${formId}/responses`,
      );
      return list.items;
    },
  };
}

/** A demo officer (scjg-officer1) signed in on a phone, the id of an inspection in progress, page errors. */
export async function officerOnPhone(
  demo: { server: RunningServer; browser: Browser },
  password: string,
  phone: Partial<typeof PHONE> = {},
) {
  const { server, browser } = demo;
  const device = await browser.newContext({ ...PHONE, ...phone });
  const page = await device.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await login(page, server.baseUrl, "scjg-officer1", password, "/admin/inspections");
  const { items } = await apiAs<{ items: { id: string; status: string }[] }>(
    device,
    server.baseUrl,
    "GET",
    "/api/inspections?status=in_progress",
  );
  const id = items.find((i) => i.status === "in_progress")!.id;
  return { server, device, page, id, errors };
}
