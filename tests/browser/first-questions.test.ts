import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import {
  adminApi,
  chromiumMissing,
  launchBrowser,
  PHONE,
  screenshotDir,
  startServer,
  type RunningServer,
} from "./harness";

const poll = { timeout: 15_000, interval: 100 };

/** Two plain questions, one with number choices, then one shown by a condition: the block stops there. */
const schema = {
  title: "企业满意度回访",
  pages: [
    {
      name: "p1",
      elements: [
        { type: "text", name: "company", title: "企业名称", isRequired: true, maxLength: 60 },
        {
          type: "radiogroup",
          name: "score",
          title: "总体评价",
          isRequired: true,
          choices: [
            { value: 5, text: "满意" },
            { value: 1, text: "不满意" },
          ],
        },
        { type: "comment", name: "why", title: "不满意的原因", visibleIf: "{score} = 1" },
        { type: "comment", name: "note", title: "其他意见" },
      ],
    },
  ],
};

/** A choice and a text with defaults. */
const DEFAULTS = {
  pages: [
    {
      name: "p1",
      elements: [
        { type: "radiogroup", name: "open", title: "是否营业", choices: ["是", "否"], defaultValue: "是" },
        { type: "text", name: "district", title: "所在区", defaultValue: "历下区" },
      ],
    },
  ],
};

/** The runner's SurveyJS part (client/runner/survey.ts): held back to stand for a slow link. */
const RUNNER = /\/build\/chunks\/survey-[A-Z0-9]+\.js$/;

describe.skipIf(chromiumMissing)("/f/:id answerable before SurveyJS arrives", () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: Awaited<ReturnType<typeof adminApi>>;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    admin = await adminApi(browser, server);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A phone whose SurveyJS script arrives only when `release()` is called (again after `hold()`). */
  async function slowPhone() {
    const context = await browser.newContext(PHONE);
    context.setDefaultTimeout(20_000);
    let open = () => {};
    let gate: Promise<void> | null = null;
    const hold = () => {
      gate = new Promise<void>((resolve) => (open = resolve));
    };
    // Routing turns the HTTP cache off: every load of the chunk passes here.
    await context.route(RUNNER, async (route) => {
      if (gate) await gate;
      await route.continue();
    });
    hold();
    const release = () => {
      gate = null;
      open();
    };
    return { context, release, hold };
  }

  const block = (page: Page) => page.locator("#first-questions");

  it("takes answers typed before SurveyJS, keeps them over a reload, and hands them over with the focus", async () => {
    const formId = await admin.publish(schema.title, schema);
    const { context, release } = await slowPhone();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    // Not "load": that waits for the held script.
    await page.goto(`${server.baseUrl}/f/${formId}`, { waitUntil: "commit" });
    await block(page).locator("input.sd-input").waitFor();

    // The plain questions are there and answerable; the conditional one and the rest are not.
    const names = await block(page)
      .locator("[data-name]")
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.name));
    expect(names).toEqual(["company", "score"]);
    await expect.poll(() => block(page).innerText(), poll).toContain("表单其余部分正在加载");
    await expect(page.locator("#message").isVisible()).resolves.toBe(false);
    await block(page).locator("input.sd-input").fill("历下区示范企业");
    await expect
      .poll(() => block(page).locator(".sd-remaining-character-counter").innerText(), poll)
      .toBe("7/60");
    await block(page).getByText("满意", { exact: true }).click();
    await page.screenshot({ path: join(screenshotDir, "first-questions-block.png") });

    // A reload before SurveyJS ever arrived shows the same answers (kept in the tab's fill).
    await page.reload({ waitUntil: "commit" });
    await expect.poll(() => block(page).locator("input.sd-input").inputValue(), poll).toBe("历下区示范企业");
    expect(await block(page).locator('input[type="radio"]:checked').count()).toBe(1);
    await block(page).getByText("不满意", { exact: true }).click();
    await block(page).locator("input.sd-input").fill("历下区示范企业有限公司");
    await block(page).locator("input.sd-input").focus();

    // SurveyJS arrives and takes the block's place with the answers and the focus.
    release();
    await expect.poll(() => block(page).count(), poll).toBe(0);
    const company = page.locator('#survey .sd-question[data-name="company"] input');
    expect(await company.inputValue()).toBe("历下区示范企业有限公司");
    expect(await company.evaluate((input) => input === document.activeElement)).toBe(true);
    // The number choice stayed a number: SurveyJS shows the conditional question it asks for.
    await expect.poll(() => page.locator('#survey .sd-question[data-name="why"]').count(), poll).toBe(1);
    await page.locator('#survey .sd-question[data-name="why"] textarea').fill("等待时间长");
    await page.screenshot({ path: join(screenshotDir, "first-questions-survey.png") });
    await page.locator(".sd-navigation__complete-btn").click();
    await expect.poll(() => page.locator("#status").innerText(), poll).toContain("提交成功");

    expect((await admin.responses(formId)).map((i) => i.data)).toEqual([
      { company: "历下区示范企业有限公司", score: 1, why: "等待时间长" },
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("a reload shows the answer chosen over a question's default, not the default again", async () => {
    const id = await admin.publish("默认答案", DEFAULTS);
    const { context, release } = await slowPhone();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/f/${id}`, { waitUntil: "commit" });
    await block(page).getByText("否", { exact: true }).click();
    await block(page).locator("input.sd-input").fill("市中区");
    await page.reload({ waitUntil: "commit" });
    await expect
      .poll(() => block(page).locator('input[type="radio"]:checked').getAttribute("value"), poll)
      .toBe('"否"');
    await expect.poll(() => block(page).locator("input.sd-input").inputValue(), poll).toBe("市中区");
    release();
    await expect.poll(() => block(page).count(), poll).toBe(0);
    expect(await page.locator('#survey .sd-question[data-name="district"] input').inputValue()).toBe(
      "市中区",
    );
    expect(
      await page
        .locator('#survey .sd-question[data-name="open"] input:checked')
        .evaluate((i) => (i as HTMLInputElement).value),
    ).toBe("否");
    await context.close();
  });

  it("a default cleared in SurveyJS stays cleared over a reload, in the block and after", async () => {
    const id = await admin.publish("默认答案", DEFAULTS);
    const { context, release, hold } = await slowPhone();
    release();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/f/${id}`);
    await expect.poll(() => block(page).count(), poll).toBe(0);
    const district = () => page.locator('#survey .sd-question[data-name="district"] input');
    await district().fill("");
    await district().blur();
    hold();
    await page.reload({ waitUntil: "commit" });
    await block(page).locator("input.sd-input").waitFor();
    await expect.poll(() => block(page).locator("input.sd-input").inputValue(), poll).toBe("");
    release();
    await expect.poll(() => block(page).count(), poll).toBe(0);
    expect(await district().inputValue()).toBe("");
    await context.close();
  });

  it("without the block (a form whose first question has a condition) the page works as before", async () => {
    const conditional = structuredClone(schema);
    conditional.pages[0]!.elements = [conditional.pages[0]!.elements[2]!, conditional.pages[0]!.elements[3]!];
    conditional.pages[0]!.elements[0]!.visibleIf = "{note} notempty";
    const id = await admin.publish("条件开头", conditional);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/f/${id}`);
    await page.locator('#survey .sd-question[data-name="note"] textarea').fill("无");
    expect(await block(page).count()).toBe(0);
    await context.close();
  });
});
