// The designer page gets the deployment's SurveyJS Creator licence key at run time (issue 18 #2).
import { describe, expect, it } from "vitest";
import { makeTestApp } from "./helpers.ts";

async function designerPage(env: Record<string, string>) {
  const t = await makeTestApp(env);
  await t.user("designer", "admin");
  const session = await t.login("designer");
  const res = await t.call(session, "GET", "/admin/forms/some-form/edit");
  return { status: res.status, html: await res.text() };
}

describe("GET /admin/forms/:id/edit", () => {
  it("hands the configured SURVEYJS_LICENSE_KEY to the designer, escaped", async () => {
    const page = await designerPage({ SURVEYJS_LICENSE_KEY: 'key-123"<x>' });
    expect(page.status).toBe(200);
    expect(page.html).toContain('<meta name="surveyjs-license-key" content="key-123&quot;&lt;x&gt;" />');
  });

  it("carries no key when none is configured (SurveyJS's banner stays)", async () => {
    const page = await designerPage({});
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="creator"');
    expect(page.html).not.toContain("surveyjs-license-key");
  });
});
