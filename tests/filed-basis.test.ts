import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { checklists, inspections } from "../src/db/schema.ts";
import { signInspectionCode } from "../src/inspections/code.ts";
import { TEST_SECRET } from "./evaluation-fixtures.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import { departmentWithStaff, enterprise, window } from "./inspection-fixtures.ts";

const FILED = "《中华人民共和国食品安全法》第一百一十条";
const CHANGED = "《某某条例》第九条（修订后）";

let t: TestApp;
let staff: Awaited<ReturnType<typeof departmentWithStaff>>;
let officerSession: Session;
let admin: Session;
let inspectionId: string;

interface Item {
  code: string;
  legalBasis: string | null;
}

beforeEach(async () => {
  t = await makeTestApp();
  staff = await departmentWithStaff(t, "scjg");
  await t.user("root", "admin");
  admin = await t.login("root");
  officerSession = await t.login(staff.officerLogin);
  const set = await t.call(admin, "PATCH", `/api/catalog/items/${staff.itemId}`, { legalBasis: FILED });
  expect(set.status).toBe(200);
  const filed = await t.call(officerSession, "POST", "/api/inspections", {
    enterpriseId: await enterprise(t),
    type: "routine",
    ...window(10),
    officerIds: staff.officerIds,
    itemIds: [staff.itemId],
  });
  expect(filed.status).toBe(201);
  inspectionId = ((await filed.json()) as { id: string }).id;
  // Approved, so the inspection code opens its public page.
  await t.db.update(inspections).set({ status: "approved" }).where(eq(inspections.id, inspectionId));
});

/** The catalog item's basis is edited after the filing. */
async function changeCatalogBasis() {
  const res = await t.call(admin, "PATCH", `/api/catalog/items/${staff.itemId}`, { legalBasis: CHANGED });
  expect(res.status).toBe(200);
}

async function detailItems(): Promise<{ legalBasis: string; items: Item[] }> {
  const res = await t.call(officerSession, "GET", `/api/inspections/${inspectionId}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { inspection: { legalBasis: string; items: Item[] } }).inspection;
}

async function publicItems(): Promise<{ legalBasis: string; items: Item[] }> {
  const [row] = await t.db.select().from(inspections).where(eq(inspections.id, inspectionId));
  const code = signInspectionCode(TEST_SECRET, inspectionId, Date.now() + 86_400_000, row!.codeNonce);
  const res = await t.call(null, "GET", `/api/public/inspections/${code}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { legalBasis: string; items: Item[] };
}

describe("the legal basis shown for an inspection is the one it was filed under", () => {
  it("shows each item's basis while the catalog still says what was filed", async () => {
    for (const view of [await detailItems(), await publicItems()]) {
      expect(view.legalBasis).toBe(FILED);
      expect(view.items.map((i) => i.legalBasis)).toEqual([FILED]);
    }
  });

  it("never shows the catalog's later basis on the detail or the public page (QR code)", async () => {
    await changeCatalogBasis();
    for (const view of [await detailItems(), await publicItems()]) {
      expect(view.legalBasis).toBe(FILED);
      expect(JSON.stringify(view)).not.toContain(CHANGED);
    }
  });

  it("shows the checklist's snapshot of the item's basis once a checklist was generated", async () => {
    const pages = [{ name: "p1", lianmaItemCode: "SCJG-001", lianmaLegalBasis: FILED, elements: [] }];
    await t.db.insert(checklists).values({
      inspectionId,
      schema: JSON.stringify({ pages }),
      generatedAt: Date.now(),
    });
    await changeCatalogBasis();
    for (const view of [await detailItems(), await publicItems()]) {
      expect(view.items).toMatchObject([{ code: "SCJG-001", legalBasis: FILED }]);
    }
  });
});
