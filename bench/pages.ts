/**
 * `npm run bench:pages` — page loads in headless Chromium as a phone on a slow link (issue 17):
 * Fast 3G (1.44 Mbit/s down, 675 kbit/s up, 562 ms RTT, through CDP Network.emulateNetworkConditions)
 * and a 4× CPU slowdown (Emulation.setCPUThrottlingRate), against the bundled server (dist/server.mjs)
 * on a fresh database. Measures, from navigation start:
 *   /i/:code  first contentful paint, and when the officers' names are painted (Element Timing);
 *   /f/:id    ready to answer (the first question's input visible), first visit and repeat visit;
 * and the JS and CSS bytes each load moved over the wire (encoded, i.e. compressed, bytes), and the
 * page's HTML both on the wire and decoded.
 * `npm run bench:pages -- --only i` (or `--only f`) measures one page alone.
 * Goals: /i FCP ≤ 1.5 s, names ≤ 2.0 s; /f ≤ 4 s first, ≤ 1.5 s repeat. A benchmark, not a test:
 * the figures depend on the machine, so nothing here fails a build.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { login, publishChecklist } from "./api.ts";
import { startNodeServer } from "./processes.ts";
import { seedPublicInspection } from "./public-inspection.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const SECRET = "bench-secret-".padEnd(40, "x");
const FAST_3G = {
  offline: false,
  latency: 562,
  downloadThroughput: (1.44 * 1024 * 1024) / 8,
  uploadThroughput: (675 * 1024) / 8,
};
const GOALS = { fcp: 1500, names: 2000, formFirst: 4000, formRepeat: 1500 };

interface Row {
  page: string;
  visit: string;
  fcpMs: number;
  readyMs: number;
  readyWhat: string;
  goal: string;
  jsBytes: number;
  cssBytes: number;
  htmlWire: number;
  htmlDecoded: number;
  requests: number;
}

/** `--only i` / `--only f`: the one page to measure; every page without it. */
function onlyPage(argv: string[]): "i" | "f" | null {
  const at = argv.indexOf("--only");
  if (at < 0) return null;
  const value = argv[at + 1];
  if (value !== "i" && value !== "f") throw new Error("--only takes i (/i/:code) or f (/f/:id)");
  return value;
}

/** Opens `url` throttled; `ready` is the selector whose visibility marks the page usable. */
async function measure(page: Page, url: string, ready: string) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", FAST_3G);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const types = new Map<string, string>();
  const bytes = { js: 0, css: 0, htmlWire: 0, htmlDecoded: 0, requests: 0 };
  cdp.on("Network.responseReceived", (e) => types.set(e.requestId, e.type));
  // dataLength is the decoded size of each piece of a body; encodedDataLength (at the end) its wire size.
  cdp.on("Network.dataReceived", (e) => {
    if (types.get(e.requestId) === "Document") bytes.htmlDecoded += e.dataLength;
  });
  cdp.on("Network.loadingFinished", (e) => {
    bytes.requests++;
    const type = types.get(e.requestId);
    if (type === "Script") bytes.js += e.encodedDataLength;
    if (type === "Stylesheet") bytes.css += e.encodedDataLength;
    if (type === "Document") bytes.htmlWire += e.encodedDataLength;
  });
  await page.goto(url, { waitUntil: "commit" });
  await page.locator(ready).first().waitFor({ state: "visible", timeout: 60_000 });
  const polledMs = await page.evaluate(() => performance.now());
  await page.waitForLoadState("load");
  // When the page marks the element (elementtiming), the browser's own paint time of it, not the
  // moment this process's polling saw it: on a busy machine the polling adds a second or more.
  const paintedMs = (await page.evaluate(`new Promise((resolve) => {
    setTimeout(() => resolve(null), 2000);
    new PerformanceObserver((list) => {
      const times = list.getEntries()
        .filter((e) => e.element && e.element.matches(${JSON.stringify(ready)}))
        .map((e) => e.renderTime || e.loadTime);
      if (times.length) resolve(Math.min(...times));
    }).observe({ type: "element", buffered: true });
  })`)) as number | null;
  const fcpMs = await page.evaluate(
    () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
  );
  // Laid out is not yet seen: an element can be "visible" to the locator while the stylesheets
  // still hold the first paint back.
  const readyMs = Math.max(paintedMs ?? polledMs, fcpMs);
  await cdp.detach();
  return { fcpMs, readyMs, ...bytes };
}

async function main() {
  const only = onlyPage(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "lianma-pages-"));
  const password = `Bench-${Date.now().toString(36)}`;
  execFileSync(process.execPath, [here("../scripts/build-server.mjs")], { stdio: "inherit" });
  const dbFile = join(dir, "pages.db");
  const server = await startNodeServer(
    here("../dist/server.mjs"),
    { DATABASE_URL: `file:${dbFile}`, ADMIN_PASSWORD: password, APP_SECRET: SECRET, PUBLIC_URL: "" },
    "lianma server",
  );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  const rows: Row[] = [];
  try {
    const admin = await login(server.url, password);
    const form = await publishChecklist(server.url, admin, "页面加载基准问卷");
    const code = await seedPublicInspection(dbFile, SECRET);
    const phone = {
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    };

    // Each page's first visit in a fresh context (empty cache), its repeat in the same context.
    const visits = async (
      name: string,
      url: string,
      ready: string,
      readyWhat: string,
      goals: [string, string],
      repeat: boolean,
    ) => {
      const context: BrowserContext = await browser.newContext(phone);
      const page = await context.newPage();
      const first = await measure(page, url, ready);
      rows.push({
        page: name,
        visit: "first",
        readyWhat,
        goal: goals[0],
        ...first,
        jsBytes: first.js,
        cssBytes: first.css,
      });
      if (repeat) {
        const again = await context.newPage();
        await page.close();
        const second = await measure(again, url, ready);
        rows.push({
          page: name,
          visit: "repeat",
          readyWhat,
          goal: goals[1],
          ...second,
          jsBytes: second.js,
          cssBytes: second.css,
        });
      }
      await context.close();
    };
    if (only !== "f")
      await visits(
        "/i/:code",
        `${server.url}/i/${code}`,
        ".person-name",
        "officers' names painted",
        [`FCP ≤ ${GOALS.fcp} ms, names ≤ ${GOALS.names} ms`, ""],
        false,
      );
    if (only !== "i")
      await visits(
        "/f/:id",
        `${server.url}/f/${form.id}`,
        ".sd-question input, .sd-question textarea, .sd-question .sd-item__control",
        "first question answerable",
        [`ready ≤ ${GOALS.formFirst} ms`, `ready ≤ ${GOALS.formRepeat} ms`],
        true,
      );
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
  const pass = (r: Row) => {
    if (r.page === "/i/:code") return r.fcpMs <= GOALS.fcp && r.readyMs <= GOALS.names;
    return r.readyMs <= (r.visit === "first" ? GOALS.formFirst : GOALS.formRepeat);
  };
  const head = [
    "page",
    "visit",
    "FCP ms",
    "ready ms",
    "ready = ",
    "JS (wire)",
    "CSS (wire)",
    "HTML (wire / decoded)",
    "requests",
    "goal",
    "",
  ];
  const body = rows.map((r) => [
    r.page,
    r.visit,
    r.fcpMs.toFixed(0),
    r.readyMs.toFixed(0),
    r.readyWhat,
    kb(r.jsBytes),
    kb(r.cssBytes),
    `${kb(r.htmlWire)} / ${kb(r.htmlDecoded)}`,
    String(r.requests),
    r.goal,
    pass(r) ? "PASS" : "FAIL",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(
    `\npage loads: Fast 3G (1.44 Mbit/s, 562 ms RTT), CPU 4× slower, phone 390×844, Chromium ${browser.version()}`,
  );
  console.log([fmt(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(fmt)].join("\n"));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
