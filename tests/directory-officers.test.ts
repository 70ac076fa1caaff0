import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../src/db/schema.ts";
import { localDate } from "../src/lib/time.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let deptA: string;
let deptB: string;
let admin: Session;

/** YYYY-MM-DD `days` from today in China time (the server's default zone). */
const day = (days: number) => localDate(Date.now() + days * 86_400_000, "Asia/Shanghai");

const officer = (over: Record<string, unknown> = {}) => ({
  name: "张执法",
  departmentId: deptA,
  credentialNo: "37010019001",
  credentialIssuedOn: day(-365),
  credentialExpiresOn: day(365),
  ...over,
});

beforeEach(async () => {
  t = await makeTestApp();
  deptA = await t.department("scjg", "市场监管局");
  deptB = await t.department("yjj", "应急管理局");
  await t.user("admin", "admin");
  admin = await t.login("admin");
});

async function create(session: Session, body: Record<string, unknown>) {
  const res = await t.call(session, "POST", "/api/officers", body);
  return { res, body: await res.json() };
}

describe("POST /api/officers", () => {
  it("creates an officer with a valid credential and audits it", async () => {
    const { res, body } = await create(admin, officer());
    expect(res.status).toBe(201);
    expect(body).toMatchObject({
      name: "张执法",
      departmentId: deptA,
      departmentName: "市场监管局",
      isHelper: false,
      credentialNo: "37010019001",
      status: "active",
      credential: { state: "valid", valid: true, expiringSoon: false, expiresInDays: 365 },
    });
    const [line] = await t.db.select().from(auditLog).where(eq(auditLog.action, "officer.create"));
    expect(line?.targetId).toBe(body.id);
    expect(JSON.parse(line!.detail).after).toMatchObject({
      credentialNo: "37010019001",
      departmentId: deptA,
    });
  });

  it("refuses a credential number that is already registered with 409", async () => {
    expect((await create(admin, officer())).res.status).toBe(201);
    const { res, body } = await create(admin, officer({ name: "李执法" }));
    expect(res.status).toBe(409);
    expect(body.error.message).toContain("张执法");
  });

  it("refuses an expiry before the issue date with 422, and an impossible date with 400", async () => {
    const reversed = await create(
      admin,
      officer({ credentialIssuedOn: "2025-06-01", credentialExpiresOn: "2025-05-31" }),
    );
    expect(reversed.res.status).toBe(422);
    expect(reversed.body.error.code).toBe("invalid_credential_dates");
    const impossible = await create(admin, officer({ credentialExpiresOn: "2027-02-30" }));
    expect(impossible.res.status).toBe(400);
    const sameDay = await create(admin, officer({ credentialIssuedOn: day(0), credentialExpiresOn: day(0) }));
    expect(sameDay.res.status).toBe(201);
  });

  it("needs the whole credential for an officer, and none for a helper", async () => {
    const missing = await create(admin, officer({ credentialExpiresOn: null }));
    expect(missing.res.status).toBe(422);
    expect(missing.body.error.code).toBe("credential_required");
    const helperWithCredential = await create(admin, officer({ isHelper: true }));
    expect(helperWithCredential.res.status).toBe(422);
    expect(helperWithCredential.body.error.code).toBe("helper_credential");
    const helper = await create(admin, { name: "王辅助", departmentId: deptA, isHelper: true });
    expect(helper.res.status).toBe(201);
    expect(helper.body.credential).toMatchObject({ state: "none", valid: false, expiresInDays: null });
  });

  it("lets a department administrator add officers to their own department only", async () => {
    await t.user("heada", "dept_admin", deptA);
    const head = await t.login("heada");
    const own = await create(head, officer({ departmentId: undefined }));
    expect(own.res.status).toBe(201);
    expect(own.body.departmentId).toBe(deptA);
    const other = await create(head, officer({ departmentId: deptB, credentialNo: "X-2" }));
    expect(other.res.status).toBe(403);
  });

  it("refuses writes by officers and supervisors with 403", async () => {
    await t.user("o1", "officer", deptA);
    await t.user("sup", "supervisor");
    for (const name of ["o1", "sup"]) {
      const s = await t.login(name);
      expect((await create(s, officer())).res.status, name).toBe(403);
    }
  });

  it("refuses an unknown department with 422", async () => {
    const { res, body } = await create(admin, officer({ departmentId: "nope" }));
    expect(res.status).toBe(422);
    expect(body.error.code).toBe("unknown_department");
  });
});

describe("linking a login", () => {
  it("accepts an officer login of the same department, once", async () => {
    const login = await t.user("o1", "officer", deptA);
    const first = await create(admin, officer({ userId: login }));
    expect(first.res.status).toBe(201);
    expect(first.body.userId).toBe(login);
    const second = await create(admin, officer({ userId: login, credentialNo: "OTHER-1" }));
    expect(second.res.status).toBe(409);
  });

  it("refuses a login of another department or of another role with 422", async () => {
    const elsewhere = await t.user("ob", "officer", deptB);
    const supervisor = await t.user("sup", "supervisor");
    for (const userId of [elsewhere, supervisor, "missing"]) {
      const { res, body } = await create(admin, officer({ userId }));
      expect(res.status).toBe(422);
      expect(body.error.code).toBe("invalid_user");
    }
  });
});

describe("reading officers", () => {
  beforeEach(async () => {
    await create(admin, officer());
    await create(admin, officer({ name: "乙部门执法", departmentId: deptB, credentialNo: "B-1" }));
  });

  it("shows a department's users only their own department", async () => {
    await t.user("o1", "officer", deptA);
    await t.user("headb", "dept_admin", deptB);
    for (const [name, expected] of [
      ["o1", ["张执法"]],
      ["headb", ["乙部门执法"]],
    ] as const) {
      const s = await t.login(name);
      const res = await t.call(s, "GET", "/api/officers");
      expect(res.status).toBe(200);
      expect((await res.json()).items.map((o: { name: string }) => o.name)).toEqual(expected);
    }
  });

  it("shows supervisors every department, and filters by department, status and text", async () => {
    await t.user("sup", "supervisor");
    const s = await t.login("sup");
    const all = await (await t.call(s, "GET", "/api/officers")).json();
    expect(all.items).toHaveLength(2);
    const inB = await (await t.call(s, "GET", `/api/officers?department=${deptB}`)).json();
    expect(inB.items.map((o: { name: string }) => o.name)).toEqual(["乙部门执法"]);
    const byNumber = await (await t.call(s, "GET", "/api/officers?q=B-")).json();
    expect(byNumber.items).toHaveLength(1);
    const wildcard = await (await t.call(s, "GET", "/api/officers?q=%25")).json();
    expect(wildcard.items).toHaveLength(0);
    const retired = await (await t.call(s, "GET", "/api/officers?status=retired")).json();
    expect(retired.items).toHaveLength(0);
  });

  it("answers 404 for another department's officer, for reads and writes", async () => {
    const other = (await (await t.call(admin, "GET", `/api/officers?department=${deptB}`)).json()).items[0];
    await t.user("heada", "dept_admin", deptA);
    const head = await t.login("heada");
    expect((await t.call(head, "GET", `/api/officers/${other.id}`)).status).toBe(404);
    expect((await t.call(head, "PATCH", `/api/officers/${other.id}`, { status: "retired" })).status).toBe(
      404,
    );
    expect((await t.call(admin, "GET", `/api/officers/${other.id}`)).status).toBe(200);
    expect((await t.call(admin, "GET", "/api/officers/unknown")).status).toBe(404);
  });
});

describe("credential validity", () => {
  beforeEach(async () => {
    await create(admin, officer({ name: "有效", credentialNo: "V" }));
    await create(admin, officer({ name: "将到期", credentialNo: "S", credentialExpiresOn: day(10) }));
    await create(admin, officer({ name: "已过期", credentialNo: "E", credentialExpiresOn: day(-1) }));
    await create(admin, officer({ name: "未生效", credentialNo: "N", credentialIssuedOn: day(5) }));
    await create(admin, officer({ name: "停职", credentialNo: "P", status: "suspended" }));
    await create(admin, { name: "辅助", departmentId: deptA, isHelper: true });
  });

  const names = (body: { items: { name: string }[] }) => body.items.map((o) => o.name).sort();

  it("marks each officer's state today, with an expiring-soon flag", async () => {
    const res = await t.call(admin, "GET", "/api/officers");
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(
      (await res.json()).items.map((o: { name: string; credential: unknown }) => [o.name, o.credential]),
    );
    expect(byName["有效"]).toMatchObject({
      state: "valid",
      valid: true,
      expiringSoon: false,
      checkedOn: day(0),
    });
    expect(byName["将到期"]).toMatchObject({ state: "valid", expiringSoon: true, expiresInDays: 10 });
    expect(byName["已过期"]).toMatchObject({ state: "expired", valid: false, expiresInDays: -1 });
    expect(byName["未生效"]).toMatchObject({ state: "not_yet_valid", valid: false });
    expect(byName["停职"]).toMatchObject({ state: "inactive", valid: false });
    expect(byName["辅助"]).toMatchObject({ state: "none", valid: false });
  });

  it("with ?validOn lists only officers whose credential counts on that day", async () => {
    const res = await t.call(admin, "GET", `/api/officers?validOn=${day(0)}`);
    expect(res.status).toBe(200);
    expect(names(await res.json())).toEqual(["将到期", "有效"].sort());
    const later = await (await t.call(admin, "GET", `/api/officers?validOn=${day(6)}`)).json();
    expect(names(later)).toEqual(["将到期", "有效", "未生效"].sort());
  });

  it("with ?validOn&validUntil needs the credential valid over the whole window", async () => {
    const res = await t.call(admin, "GET", `/api/officers?validOn=${day(6)}&validUntil=${day(20)}`);
    expect(res.status).toBe(200);
    expect(names(await res.json())).toEqual(["有效", "未生效"].sort());
    expect((await t.call(admin, "GET", `/api/officers?validOn=${day(6)}&validUntil=${day(1)}`)).status).toBe(
      400,
    );
    expect((await t.call(admin, "GET", "/api/officers?validOn=2025-13-01")).status).toBe(400);
  });
});

describe("PATCH /api/officers/:id", () => {
  it("updates, turning an officer into a helper drops the credential, and audits before/after", async () => {
    const { body: created } = await create(admin, officer());
    const res = await t.call(admin, "PATCH", `/api/officers/${created.id}`, { isHelper: true });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ isHelper: true, credentialNo: null, credentialExpiresOn: null });
    const [line] = await t.db.select().from(auditLog).where(eq(auditLog.action, "officer.update"));
    const detail = JSON.parse(line!.detail);
    expect(detail.before.credentialNo).toBe("37010019001");
    expect(detail.after.credentialNo).toBeNull();
    // The freed number can be given to someone else.
    expect((await create(admin, officer({ name: "新人" }))).res.status).toBe(201);
  });

  it("checks the merged record: dates, and a number taken by another officer", async () => {
    const { body: a } = await create(admin, officer());
    await create(admin, officer({ name: "李", credentialNo: "L-1" }));
    const dates = await t.call(admin, "PATCH", `/api/officers/${a.id}`, {
      credentialExpiresOn: "2000-01-01",
    });
    expect(dates.status).toBe(422);
    const taken = await t.call(admin, "PATCH", `/api/officers/${a.id}`, { credentialNo: "L-1" });
    expect(taken.status).toBe(409);
    const ok = await t.call(admin, "PATCH", `/api/officers/${a.id}`, {
      status: "retired",
      name: "张（退休）",
    });
    expect(ok.status).toBe(200);
    expect((await ok.json()).credential.state).toBe("inactive");
  });

  it("does not let a department administrator move an officer to another department", async () => {
    await t.user("heada", "dept_admin", deptA);
    const head = await t.login("heada");
    const { body } = await create(head, officer({ departmentId: undefined }));
    const res = await t.call(head, "PATCH", `/api/officers/${body.id}`, { departmentId: deptB });
    expect(res.status).toBe(403);
  });
});
