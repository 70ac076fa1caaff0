import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { officers } from "../src/db/schema.ts";
import { credentialValidThrough } from "../src/directory/credentials.ts";
import { makeInspection, makeWorld, type World } from "./evaluation-fixtures.ts";
import { makeTestApp, type TestApp } from "./helpers.ts";

// One credential rule (issue 19): filing, sampling and the public page ask the same question.
let t: TestApp;
let w: World;

beforeEach(async () => {
  t = await makeTestApp();
  w = await makeWorld(t);
});

async function publicOfficer(name: string) {
  const { code } = await makeInspection(t, w, { status: "approved" });
  const body = await (await t.app.request(`/api/public/inspections/${code}`)).json();
  return body.officers.find((o: { name: string }) => o.name === name);
}

describe("the officer credential on the public page", () => {
  it("is not valid without an issue date, as for filing", async () => {
    const [zhang] = await t.db.select().from(officers).where(eq(officers.name, "张明"));
    await t.db.update(officers).set({ credentialIssuedOn: null }).where(eq(officers.id, zhang!.id));
    expect(credentialValidThrough({ ...zhang!, credentialIssuedOn: null }, "2026-01-01")).toBe(false);
    expect(await publicOfficer("张明")).toMatchObject({ credentialNo: "37010001", credentialValid: false });
  });

  it("is not valid for a directory helper listed as an officer", async () => {
    const [li] = await t.db.select().from(officers).where(eq(officers.name, "李华"));
    await t.db.update(officers).set({ isHelper: true }).where(eq(officers.id, li!.id));
    expect(await publicOfficer("李华")).toMatchObject({ isHelper: false, credentialValid: false });
  });

  it("stays valid for a credential in force", async () => {
    expect(await publicOfficer("张明")).toMatchObject({ credentialValid: true });
  });
});
