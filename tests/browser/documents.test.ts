// Official documents (issue 17) as a person meets them: the 文书 card on the inspection page offers the
// PDFs, and the downloaded 现场检查笔录 renders in Chromium (through pdf.js, since headless Chromium
// shows no PDF viewer) with its Chinese text drawn from the embedded font subset.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { chromiumMissing, demoServerAndBrowser, login, screenshotDir, watchPage } from "./harness";

const require = createRequire(import.meta.url);
const pdfjsDir = join(dirname(require.resolve("pdfjs-dist/package.json")), "build");
const PDFJS_ORIGIN = "http://pdfjs.test";
// pdf.js loaded by the page itself: an import() inside page.evaluate would be rewritten by vitest.
const PDFJS_PAGE = `<!doctype html><canvas id=c></canvas><script src="/jsQR.js"></script><script type=module>
import * as pdfjs from "/pdf.mjs";
pdfjs.GlobalWorkerOptions.workerSrc = "/pdf.worker.mjs";
window.pdfjs = pdfjs;
</script>`;
const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  deviceScaleFactor: 2,
  locale: "zh-CN",
};

describe.skipIf(chromiumMissing)("official documents (PDF)", () => {
  let inspectionId = "";
  /** The lead department's administrator: the page asks for nothing they may not see (the code included). */
  let head = "";
  const demo = demoServerAndBrowser("Docs-demo-password", {
    prepare: async (url) => {
      const database = await openDatabase({ url });
      try {
        const result = await database.client.execute(`
          SELECT i.id, u.username FROM inspections i
          JOIN checklists c ON c.inspection_id = i.id
          JOIN users u ON u.department_id = i.lead_department_id AND u.role = 'dept_admin'
          WHERE c.status = 'submitted' AND c.failed_items != '[]' ORDER BY i.id, u.username LIMIT 1`);
        inspectionId = String(result.rows[0]?.id ?? "");
        head = String(result.rows[0]?.username ?? "");
        if (!inspectionId) throw new Error("the demo data has no registered inspection with a failed item");
      } finally {
        database.close();
      }
    },
  });

  it("offers the documents on the inspection page, and the record renders with its Chinese text", async () => {
    const context = await demo.browser.newContext(phone);
    const page = await context.newPage();
    const problems: string[] = [];
    watchPage(page, problems);
    const { baseUrl } = demo.server;
    await login(page, baseUrl, head, "Docs-demo-password", `/admin/inspections/${inspectionId}`);
    const recordLink = page.locator("#document-record");
    await recordLink.waitFor();
    expect(await page.locator("#document-notice").textContent()).toBe("下载行政检查通知书（PDF）");
    await page.locator("#documents-card").screenshot({ path: join(screenshotDir, "documents-card.png") });

    const res = await page.request.get(`${baseUrl}${await recordLink.getAttribute("href")}`);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toBe("application/pdf");
    const pdf = await res.body();
    // Downloading issued it: the card now lists the version with the hash the server sent.
    await page.reload();
    const issued = page.locator("#documents-issued code").first();
    await issued.waitFor({ state: "attached" });
    expect(await issued.textContent()).toBe(res.headers()["x-document-sha256"]);

    await page.route(`${PDFJS_ORIGIN}/**`, (route) => {
      const name = new URL(route.request().url()).pathname.slice(1);
      if (name === "jsQR.js")
        return route.fulfill({ contentType: "text/javascript", body: readFileSync(require.resolve("jsqr")) });
      if (name === "index.html") return route.fulfill({ contentType: "text/html", body: PDFJS_PAGE });
      return route.fulfill({ contentType: "text/javascript", body: readFileSync(join(pdfjsDir, name)) });
    });
    await page.goto(`${PDFJS_ORIGIN}/index.html`);
    await page.waitForFunction(() => "pdfjs" in window);
    const rendered = await page.evaluate(
      async ({ base64 }) => {
        const pdfjs = (window as unknown as { pdfjs: any }).pdfjs;
        const data = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
        const doc = await pdfjs.getDocument({ data }).promise;
        const first = await doc.getPage(1);
        const viewport = first.getViewport({ scale: 1.5 });
        const canvas = document.getElementById("c") as HTMLCanvasElement;
        canvas.width = viewport.width;
        canvas.height = viewport.height;
        const context = canvas.getContext("2d")!;
        context.fillStyle = "#fff";
        context.fillRect(0, 0, canvas.width, canvas.height);
        await first.render({ canvasContext: context, viewport, canvas }).promise;
        // Ink in the title band (the department and 现场检查笔录): glyphs were drawn, not empty boxes.
        const band = context.getImageData(0, 0, canvas.width, Math.round(canvas.height * 0.15)).data;
        let ink = 0;
        for (let i = 0; i < band.length; i += 4) if (band[i]! < 128) ink += 1;
        const text = (await first.getTextContent()).items
          .map((item: { str?: string }) => item.str ?? "")
          .join("");
        // The last page carries the QR code to the public page: render it and read the code back.
        const last = await doc.getPage(doc.numPages);
        const lastViewport = last.getViewport({ scale: 2 });
        const qrCanvas = document.createElement("canvas");
        qrCanvas.width = lastViewport.width;
        qrCanvas.height = lastViewport.height;
        const qrContext = qrCanvas.getContext("2d")!;
        qrContext.fillStyle = "#fff";
        qrContext.fillRect(0, 0, qrCanvas.width, qrCanvas.height);
        await last.render({ canvasContext: qrContext, viewport: lastViewport, canvas: qrCanvas }).promise;
        const pixels = qrContext.getImageData(0, 0, qrCanvas.width, qrCanvas.height);
        const jsQR = (
          window as unknown as {
            jsQR: (d: Uint8ClampedArray, w: number, h: number) => { data: string } | null;
          }
        ).jsQR;
        const qr = jsQR(pixels.data, pixels.width, pixels.height)?.data ?? null;
        return { pages: doc.numPages, ink, text, qr };
      },
      { base64: pdf.toString("base64") },
    );
    await page.locator("#c").screenshot({ path: join(screenshotDir, "documents-record-page1.png") });
    expect(rendered.text).toContain("现场检查笔录");
    expect(rendered.text).toContain("不合格");
    expect(rendered.ink).toBeGreaterThan(500);
    expect(rendered.qr).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/i/${inspectionId}\\.`));
    expect(problems).toEqual([]);
    await context.close();
  });
});
