import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, inspectionDepartments, inspectionItems, inspections } from "../src/db/schema.ts";
import { credentialValidThrough as credentialValid } from "../src/directory/credentials.ts";
import { checkFiling, type FilingFacts } from "../src/inspections/rules.ts";
import { localDate, yearBounds } from "../src/lib/time.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import {
  catalogItem,
  consentToJoin,
  departmentWithStaff,
  enterprise,
  officer,
  window,
} from "./inspection-fixtures.ts";

describe("filing rules (pure)", () => {
  const base = (): FilingFacts => ({
    departments: [{ id: "d1", name: "市场监管局", listed: true }],
    requestedDepartmentIds: ["d1"],
    officers: [
      {
        id: "o1",
        name: "甲",
        departmentId: "d1",
        isHelper: false,
        credentialNo: "1",
        credentialIssuedOn: "2020-01-01",
        credentialExpiresOn: "2030-12-31",
        status: "active",
      },
      {
        id: "o2",
        name: "乙",
        departmentId: "d1",
        isHelper: false,
        credentialNo: "2",
        credentialIssuedOn: "2020-01-01",
        credentialExpiresOn: "2030-12-31",
        status: "active",
      },
    ],
    requestedOfficerIds: ["o1", "o2"],
    items: [
      {
        id: "i1",
        code: "X-1",
        name: "x",
        departmentId: "d1",
        status: "active",
        legalBasis: "b",
        yearlyCap: null,
      },
    ],
    requestedItemIds: ["i1"],
    enterprise: { id: "e1" },
    type: "routine",
    plannedStart: Date.parse("2026-12-01T01:00:00Z"),
    plannedEnd: Date.parse("2026-12-01T03:00:00Z"),
    now: Date.parse("2026-11-26T00:00:00Z"),
    timeZone: "Asia/Shanghai",
    lateFilingMaxDays: 10,
  });

  it("accepts a complete filing", () => {
    expect(checkFiling(base())).toBeNull();
  });

  it("counts only credentialed officers valid over the whole visit", () => {
    const f = base();
    f.officers[1] = { ...f.officers[1]!, credentialExpiresOn: "2026-11-30" };
    expect(checkFiling(f)?.code).toBe("credential_invalid");
    const g = base();
    g.officers[1] = { ...g.officers[1]!, isHelper: true, credentialNo: null };
    expect(checkFiling(g)?.code).toBe("too_few_officers");
  });

  it("asks each department of a joint filing for its own credentialed officers (R18)", () => {
    const joint = (): FilingFacts => ({
      ...base(),
      departments: [
        { id: "d1", name: "市场监管局", listed: true },
        { id: "d2", name: "消防救援支队", listed: true },
      ],
      requestedDepartmentIds: ["d1", "d2"],
    });
    const short = checkFiling(joint());
    expect(short).toMatchObject({ code: "too_few_department_officers", details: ["d2"] });
    const d2 = (id: string, isHelper = false) => ({
      ...base().officers[0]!,
      id,
      departmentId: "d2",
      isHelper,
    });
    const staffed = { ...joint(), officers: [...base().officers, d2("o3"), d2("o4")] };
    staffed.requestedOfficerIds = staffed.officers.map((o) => o.id);
    expect(checkFiling(staffed)).toBeNull();
    const helped = { ...staffed, officers: [...base().officers, d2("o3"), d2("o4", true)] };
    expect(checkFiling(helped)?.code).toBe("too_few_department_officers");
    expect(checkFiling({ ...staffed, jointMinOfficers: 3 })?.code).toBe("too_few_department_officers");
  });

  it("uses local dates for credential validity (Asia/Shanghai)", () => {
    // 2026-11-30T17:00Z is already 1 December in Jinan.
    expect(localDate(Date.parse("2026-11-30T17:00:00Z"), "Asia/Shanghai")).toBe("2026-12-01");
    const o = base().officers[0]!;
    expect(credentialValid({ ...o, credentialExpiresOn: "2026-12-01" }, "2026-12-01", "2026-12-01")).toBe(
      true,
    );
    expect(credentialValid({ ...o, credentialExpiresOn: "2026-11-30" }, "2026-12-01", "2026-12-01")).toBe(
      false,
    );
    expect(credentialValid({ ...o, status: "suspended" }, "2026-12-01", "2026-12-01")).toBe(false);
  });

  it("refuses unlisted departments, foreign items, a case without reason and a late filing without reason", () => {
    expect(checkFiling({ ...base(), departments: [{ id: "d1", name: "x", listed: false }] })?.code).toBe(
      "department_not_listed",
    );
    const foreign = base();
    foreign.items = [{ ...foreign.items[0]!, departmentId: "d2" }];
    expect(checkFiling(foreign)?.code).toBe("item_outside_department");
    expect(checkFiling({ ...base(), type: "case" })?.code).toBe("case_reason_required");
    expect(checkFiling({ ...base(), type: "case", caseReason: "举报" })).toBeNull();
    const late = { ...base(), now: Date.parse("2026-12-02T00:00:00Z") };
    expect(checkFiling(late)?.code).toBe("late_reason_required");
    expect(checkFiling({ ...late, lateReason: "现场发现重大隐患" })).toBeNull();
    expect(checkFiling({ ...base(), requestedItemIds: ["i1", "nope"] })?.code).toBe("item_not_in_catalog");
  });

  it("finds the calendar year in the local zone", () => {
    const [start, end] = yearBounds(Date.parse("2026-06-01T00:00:00Z"), "Asia/Shanghai");
    expect(new Date(start).toISOString()).toBe("2025-12-31T16:00:00.000Z");
    expect(new Date(end).toISOString()).toBe("2026-12-31T16:00:00.000Z");
  });
});

let t: TestApp;
let market: Awaited<ReturnType<typeof departmentWithStaff>>;
let fire: Awaited<ReturnType<typeof departmentWithStaff>>;
let firm: string;
let officerSession: Session;

beforeEach(async () => {
  t = await makeTestApp({ INSPECTION_YEARLY_CAP: "3" });
  market = await departmentWithStaff(t, "scjg");
  fire = await departmentWithStaff(t, "xf");
  firm = await enterprise(t);
  officerSession = await t.login(market.officerLogin);
});

const filing = (d = market, extra: Record<string, unknown> = {}) => ({
  enterpriseId: firm,
  type: "routine",
  ...window(10),
  officerIds: [...d.officerIds, d.helperId],
  itemIds: [d.itemId],
  ...extra,
});

async function file(s: Session, body: unknown) {
  const res = await t.call(s, "POST", "/api/inspections", body);
  return { status: res.status, body: await res.json() };
}

describe("POST /api/inspections", () => {
  it("files an inspection with its departments, officers and items, and audits it", async () => {
    const res = await file(officerSession, filing());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "filed", lateFiling: false });
    const got = await (await t.call(officerSession, "GET", `/api/inspections/${res.body.id}`)).json();
    expect(got.inspection.officers).toHaveLength(3);
    expect(got.inspection.officers.filter((o: { isHelper: boolean }) => o.isHelper)).toHaveLength(1);
    expect(got.inspection.items[0].id).toBe(market.itemId);
    expect(got.inspection.legalBasis).toMatch(/示例条例/);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.targetId, res.body.id));
    expect(audit.map((a) => a.action)).toEqual(["inspection.filed"]);
  });

  it("refuses fewer than two credentialed officers (helpers do not count) with 422", async () => {
    const res = await file(
      officerSession,
      filing(market, { officerIds: [market.officerIds[0], market.helperId] }),
    );
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("too_few_officers");
    expect(await t.db.select().from(inspections)).toHaveLength(0);
  });

  it("refuses an officer whose credential has expired", async () => {
    const expired = await officer(t, market.departmentId, { expires: "2020-12-31" });
    const res = await file(officerSession, filing(market, { officerIds: [market.officerIds[0], expired] }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("credential_invalid");
  });

  it("refuses an item outside the catalog or of another department", async () => {
    const other = await file(officerSession, filing(market, { itemIds: [fire.itemId] }));
    expect(other.body.error.code).toBe("item_outside_department");
    const retired = await catalogItem(t, market.departmentId, "SCJG-OLD", { status: "retired" });
    const old = await file(officerSession, filing(market, { itemIds: [retired] }));
    expect(old.status).toBe(422);
    expect(old.body.error.code).toBe("item_not_in_catalog");
    const none = await file(officerSession, filing(market, { itemIds: [] }));
    expect(none.status).toBe(400);
  });

  it("refuses a department not on the published list", async () => {
    const unlisted = await departmentWithStaff(t, "bad", { listed: false });
    const s = await t.login(unlisted.officerLogin);
    const res = await file(s, filing(unlisted));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("department_not_listed");
  });

  it("refuses a second filing in the window, across departments, naming the first", async () => {
    const first = await file(officerSession, filing());
    expect(first.status).toBe(201);
    const again = await file(officerSession, filing(market, window(20)));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("duplicate_window");
    expect(again.body.error.conflict.id).toBe(first.body.id);
    const fireSession = await t.login(fire.officerLogin);
    const other = await file(fireSession, filing(fire, window(-0.5 + 15)));
    expect(other.status).toBe(409);
    expect(other.body.error.conflict.departments).toEqual(["scjg局"]);
    expect(await t.db.select().from(inspections)).toHaveLength(1);
  });

  it("accepts a filing outside the window, and exempts case inspections", async () => {
    expect((await file(officerSession, filing())).status).toBe(201);
    expect((await file(officerSession, filing(market, window(45)))).status).toBe(201);
    const caseFiling = await file(
      officerSession,
      filing(market, { ...window(11), type: "case", caseReason: "投诉举报" }),
    );
    expect(caseFiling.status).toBe(201);
  });

  it("enforces the yearly cap per department, with a stricter item cap", async () => {
    const capped = await catalogItem(t, market.departmentId, "SCJG-CAP", { yearlyCap: 1 });
    const thisYear = (day: number) => {
      const start = Date.parse(`${new Date().getUTCFullYear() + 1}-01-01T02:00:00Z`) + day * 86_400_000;
      return {
        plannedStart: new Date(start).toISOString(),
        plannedEnd: new Date(start + 3_600_000).toISOString(),
      };
    };
    expect((await file(officerSession, filing(market, { ...thisYear(0), itemIds: [capped] }))).status).toBe(
      201,
    );
    const second = await file(officerSession, filing(market, { ...thisYear(60), itemIds: [capped] }));
    expect(second.status).toBe(422);
    expect(second.body.error.code).toBe("yearly_cap");
    expect((await file(officerSession, filing(market, thisYear(60)))).status).toBe(201);
    expect((await file(officerSession, filing(market, thisYear(120)))).status).toBe(201);
    const fourth = await file(officerSession, filing(market, thisYear(180)));
    expect(fourth.body.error.code).toBe("yearly_cap");
  });

  it("flags a late filing (补办) and requires its reason", async () => {
    const past = window(-2);
    const noReason = await file(officerSession, filing(market, past));
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.code).toBe("late_reason_required");
    const ok = await file(
      officerSession,
      filing(market, { ...past, lateReason: "群众举报燃气泄漏，立即到场" }),
    );
    expect(ok.status).toBe(201);
    expect(ok.body.lateFiling).toBe(true);
  });

  it("lets exactly one of ten simultaneous filings for one enterprise win the window", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => file(officerSession, filing())));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    expect(await t.db.select().from(inspections)).toHaveLength(1);
    expect(await t.db.select().from(inspectionDepartments)).toHaveLength(1);
  });

  it("is for department staff only", async () => {
    await t.user("root", "admin");
    const admin = await t.login("root");
    expect((await file(admin, filing())).status).toBe(403);
  });
});

describe("POST /api/inspections/:id/join-request", () => {
  it("merges another department into the filing as a joint inspection once both administrators consent", async () => {
    const first = await file(officerSession, filing());
    const fireSession = await t.login(fire.officerLogin);
    const refused = await file(fireSession, filing(fire));
    expect(refused.status).toBe(409);
    const res = await t.call(
      fireSession,
      "POST",
      `/api/inspections/${refused.body.error.conflict.id}/join-request`,
      {
        officerIds: fire.officerIds,
        itemIds: [fire.itemId],
      },
    );
    expect(res.status).toBe(202);
    expect((await res.json()).request).toMatchObject({ status: "pending", awaiting: ["lead", "department"] });
    await consentToJoin(t, await t.login(fire.head), first.body.id, "approve");
    await consentToJoin(t, await t.login(market.head), first.body.id, "accept");
    const got = await (await t.call(fireSession, "GET", `/api/inspections/${first.body.id}`)).json();
    expect(got.inspection.joint).toBe(true);
    expect(got.inspection.items).toHaveLength(2);
    expect(await t.db.select().from(inspectionItems)).toHaveLength(2);
    const again = await t.call(fireSession, "POST", `/api/inspections/${first.body.id}/join-request`, {
      officerIds: fire.officerIds,
      itemIds: [fire.itemId],
    });
    expect(again.status).toBe(409);
  });

  it("refuses items of another department when joining", async () => {
    const first = await file(officerSession, filing());
    const fireSession = await t.login(fire.officerLogin);
    const res = await t.call(fireSession, "POST", `/api/inspections/${first.body.id}/join-request`, {
      officerIds: fire.officerIds,
      itemIds: [market.itemId],
    });
    expect(res.status).toBe(422);
  });
});

describe("approval and life cycle", () => {
  it("lets the lead department's administrator approve, then issues the inspection code", async () => {
    const { body } = await file(officerSession, filing());
    expect((await t.call(officerSession, "GET", `/api/inspections/${body.id}/code`)).status).toBe(409);
    expect((await t.call(officerSession, "POST", `/api/inspections/${body.id}/approve`)).status).toBe(403);
    const fireHead = await t.login(fire.head);
    expect((await t.call(fireHead, "POST", `/api/inspections/${body.id}/approve`)).status).toBe(404);
    const head = await t.login(market.head);
    const ok = await t.call(head, "POST", `/api/inspections/${body.id}/approve`);
    expect(ok.status).toBe(200);
    expect((await ok.json()).inspection.status).toBe("approved");
    expect((await t.call(head, "POST", `/api/inspections/${body.id}/approve`)).status).toBe(409);
    const code = await (await t.call(officerSession, "GET", `/api/inspections/${body.id}/code`)).json();
    expect(code.url).toMatch(new RegExp(`/i/${body.id}\\.`));
    const png = await t.call(officerSession, "GET", `/api/inspections/${body.id}/qr.png`);
    expect(png.headers.get("content-type")).toBe("image/png");
    // With PUBLIC_URL unset, a forged Host never makes it into the code's link or QR.
    for (const path of ["code", "qr.png", "qr.svg"]) {
      const forged = await t.call(
        officerSession,
        "GET",
        `http://evil.example/api/inspections/${body.id}/${path}`,
      );
      expect(forged.status, path).toBe(409);
      expect((await forged.json()).error.code, path).toBe("public_url_required");
    }
    const actions = (await t.db.select().from(auditLog).where(eq(auditLog.targetId, body.id))).map(
      (a) => a.action,
    );
    // Each code issued (the code, its PNG) is on record with its address; the forged hosts got none.
    expect(actions).toEqual([
      "inspection.filed",
      "inspection.approved",
      "inspection.code_viewed",
      "inspection.code_viewed",
    ]);
  });

  it("refuses with a reason, which frees the window", async () => {
    const { body } = await file(officerSession, filing());
    const head = await t.login(market.head);
    expect((await t.call(head, "POST", `/api/inspections/${body.id}/refuse`, { reason: "" })).status).toBe(
      400,
    );
    const res = await t.call(head, "POST", `/api/inspections/${body.id}/refuse`, {
      reason: "检查事项与企业经营范围不符",
    });
    expect((await res.json()).inspection.refusalReason).toBe("检查事项与企业经营范围不符");
    expect((await file(officerSession, filing())).status).toBe(201);
  });

  it("hides another department's filing from its officers (404) but not from supervisors", async () => {
    const { body } = await file(officerSession, filing());
    const fireSession = await t.login(fire.officerLogin);
    expect((await t.call(fireSession, "GET", `/api/inspections/${body.id}`)).status).toBe(404);
    expect((await (await t.call(fireSession, "GET", "/api/inspections")).json()).items).toHaveLength(0);
    await t.user("sup", "supervisor");
    const sup = await t.login("sup");
    expect((await t.call(sup, "GET", `/api/inspections/${body.id}`)).status).toBe(200);
    expect((await (await t.call(sup, "GET", "/api/inspections")).json()).items).toHaveLength(1);
  });
});
