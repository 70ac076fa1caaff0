import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../src/db/schema.ts";
import { creditCodeCheckChar } from "../src/directory/uscc.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let admin: Session;

/** A well-formed code for a Jinan (370100) registration, numbered `n`. */
const code = (n: number) => {
  const first17 = `91370100MA${String(n).padStart(7, "0")}`;
  return first17 + creditCodeCheckChar(first17);
};

const enterprise = (over: Record<string, unknown> = {}) => ({
  creditCode: "91350100M000100Y43",
  name: "示例科技有限公司",
  district: "历下区",
  industry: "软件",
  creditGrade: "A",
  riskLevel: "low",
  ...over,
});

beforeEach(async () => {
  t = await makeTestApp();
  await t.user("admin", "admin");
  admin = await t.login("admin");
});

describe("POST /api/enterprises", () => {
  it("creates an enterprise, normalising case, and audits it", async () => {
    const res = await t.call(
      admin,
      "POST",
      "/api/enterprises",
      enterprise({ creditCode: " 91350100m000100y43 " }),
    );
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({
      creditCode: "91350100M000100Y43",
      name: "示例科技有限公司",
      creditGrade: "A",
    });
    const [line] = await t.db.select().from(auditLog).where(eq(auditLog.action, "enterprise.create"));
    expect(JSON.parse(line!.detail).after.creditCode).toBe("91350100M000100Y43");
  });

  it("defaults the credit grade to B and the risk level to medium", async () => {
    const res = await t.call(admin, "POST", "/api/enterprises", { creditCode: code(1), name: "甲" });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ creditGrade: "B", riskLevel: "medium", address: "" });
  });

  it("refuses a wrong check character with 422 and a duplicate code with 409", async () => {
    const bad = await t.call(
      admin,
      "POST",
      "/api/enterprises",
      enterprise({ creditCode: "911100001000013446" }),
    );
    expect(bad.status).toBe(422);
    expect((await bad.json()).error).toMatchObject({ code: "invalid_credit_code" });
    expect((await t.call(admin, "POST", "/api/enterprises", enterprise())).status).toBe(201);
    const dup = await t.call(admin, "POST", "/api/enterprises", enterprise({ name: "别名" }));
    expect(dup.status).toBe(409);
    expect((await dup.json()).error.message).toContain("示例科技有限公司");
  });

  it("refuses an unknown grade with 400", async () => {
    const res = await t.call(admin, "POST", "/api/enterprises", enterprise({ creditGrade: "E" }));
    expect(res.status).toBe(400);
  });

  it("lets department administrators write, and not officers or supervisors", async () => {
    const dept = await t.department("scjg");
    await t.user("head", "dept_admin", dept);
    await t.user("o1", "officer", dept);
    await t.user("sup", "supervisor");
    const head = await t.login("head");
    expect(
      (await t.call(head, "POST", "/api/enterprises", enterprise({ creditGrade: "B", riskLevel: "medium" })))
        .status,
    ).toBe(201);
    for (const name of ["o1", "sup"]) {
      const s = await t.login(name);
      expect((await t.call(s, "POST", "/api/enterprises", enterprise({ creditCode: code(2) }))).status).toBe(
        403,
      );
      expect((await t.call(s, "GET", "/api/enterprises")).status).toBe(200);
    }
  });

  it("needs a login to read", async () => {
    expect((await t.call(null, "GET", "/api/enterprises")).status).toBe(401);
  });
});

describe("GET /api/enterprises", () => {
  beforeEach(async () => {
    const rows = [
      ["甲餐饮有限公司", "历下区", "餐饮", "A", "low"],
      ["乙化工有限公司", "章丘区", "化工", "D", "high"],
      ["丙餐饮店", "历下区", "餐饮", "C", "medium"],
      ["丁 100%_纯净水厂", "槐荫区", "食品", "B", "medium"],
      ["戊物流有限公司", "章丘区", "物流", "B", "low"],
    ];
    for (const [i, [name, district, industry, creditGrade, riskLevel]] of rows.entries()) {
      const res = await t.call(admin, "POST", "/api/enterprises", {
        creditCode: code(i + 10),
        name,
        district,
        industry,
        creditGrade,
        riskLevel,
      });
      expect(res.status).toBe(201);
    }
  });

  const names = async (query: string) => {
    const res = await t.call(admin, "GET", `/api/enterprises${query}`);
    expect(res.status).toBe(200);
    return ((await res.json()).items as { name: string }[]).map((e) => e.name).sort();
  };

  it("filters by text in the name or the credit code", async () => {
    expect(await names("?q=餐饮")).toEqual(["丙餐饮店", "甲餐饮有限公司"].sort());
    expect(await names(`?q=${code(11).slice(-6).toLowerCase()}`)).toEqual(["乙化工有限公司"]);
    expect(await names("?q=100%25_")).toEqual(["丁 100%_纯净水厂"]);
    expect(await names("?q=%25")).toEqual(["丁 100%_纯净水厂"]);
  });

  it("filters by district, industry, credit grade and risk level", async () => {
    expect(await names("?district=章丘区")).toEqual(["乙化工有限公司", "戊物流有限公司"].sort());
    expect(await names("?industry=餐饮&district=历下区")).toHaveLength(2);
    expect(await names("?creditGrade=D")).toEqual(["乙化工有限公司"]);
    expect(await names("?riskLevel=low")).toEqual(["戊物流有限公司", "甲餐饮有限公司"].sort());
    expect((await t.call(admin, "GET", "/api/enterprises?creditGrade=Z")).status).toBe(400);
  });

  it("pages with a cursor through every enterprise exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await t.call(admin, "GET", `/api/enterprises${query}`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((e: { id: string }) => e.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
  });

  it("refuses a forged cursor with 400", async () => {
    expect((await t.call(admin, "GET", "/api/enterprises?cursor=bm9wZQ")).status).toBe(400);
  });
});

describe("PATCH /api/enterprises/:id and GET /api/enterprises/:id", () => {
  it("updates fields, audits before/after, and guards the credit code", async () => {
    const a = await (await t.call(admin, "POST", "/api/enterprises", enterprise())).json();
    await t.call(admin, "POST", "/api/enterprises", enterprise({ creditCode: code(3), name: "另一家" }));
    const res = await t.call(admin, "PATCH", `/api/enterprises/${a.id}`, {
      riskLevel: "high",
      contact: "0531-1234",
      reason: "年度风险评估",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      riskLevel: "high",
      contact: "0531-1234",
      name: "示例科技有限公司",
    });
    const [line] = await t.db.select().from(auditLog).where(eq(auditLog.action, "enterprise.update"));
    const detail = JSON.parse(line!.detail);
    expect([detail.before.riskLevel, detail.after.riskLevel]).toEqual(["low", "high"]);
    expect((await t.call(admin, "PATCH", `/api/enterprises/${a.id}`, { creditCode: code(3) })).status).toBe(
      409,
    );
    expect((await t.call(admin, "PATCH", `/api/enterprises/${a.id}`, { creditCode: "123" })).status).toBe(
      422,
    );
    const got = await t.call(admin, "GET", `/api/enterprises/${a.id}`);
    expect(got.status).toBe(200);
    expect((await got.json()).riskLevel).toBe("high");
    expect((await t.call(admin, "GET", "/api/enterprises/missing")).status).toBe(404);
    expect((await t.call(admin, "PATCH", "/api/enterprises/missing", { name: "x" })).status).toBe(404);
  });
});

// Issue 14 item 13: credit grade and risk level set every department's sampling ratio.
describe("PATCH /api/enterprises/:id: the shared grading fields", () => {
  it("starts a department administrator's new enterprise at the default grade (B, medium) only", async () => {
    const dept = await t.department("SCJG", "市场监管局");
    await t.user("head", "dept_admin", dept);
    const head = await t.login("head");
    const graded = await t.call(head, "POST", "/api/enterprises", enterprise({ creditGrade: "D" }));
    expect(graded.status).toBe(403);
    const risky = await t.call(head, "POST", "/api/enterprises", enterprise({ riskLevel: "high" }));
    expect(risky.status).toBe(403);
    const plain = await t.call(
      head,
      "POST",
      "/api/enterprises",
      enterprise({ creditGrade: "B", riskLevel: "medium" }),
    );
    expect(plain.status).toBe(201);
    expect(await plain.json()).toMatchObject({ creditGrade: "B", riskLevel: "medium" });
    const byAdmin = await t.call(
      admin,
      "POST",
      "/api/enterprises",
      enterprise({ creditCode: code(77), creditGrade: "A" }),
    );
    expect(byAdmin.status).toBe(201);
  });

  it("lets only the system administrator change credit grade and risk level, with a reason, audited", async () => {
    const a = await (await t.call(admin, "POST", "/api/enterprises", enterprise())).json();
    const dept = await t.department("SCJG", "市场监管局");
    await t.user("head", "dept_admin", dept);
    const head = await t.login("head");
    const url = `/api/enterprises/${a.id}`;
    expect((await t.call(head, "PATCH", url, { creditGrade: "D", reason: "x" })).status).toBe(403);
    expect((await t.call(head, "PATCH", url, { riskLevel: "high" })).status).toBe(403);
    // Other fields as before, and the grades sent back unchanged are no change.
    const contact = await t.call(head, "PATCH", url, {
      contact: "0531-1",
      creditGrade: "A",
      riskLevel: "low",
    });
    expect(contact.status).toBe(200);
    const noReason = await t.call(admin, "PATCH", url, { creditGrade: "D" });
    expect(noReason.status).toBe(422);
    expect((await noReason.json()).error.code).toBe("reason_required");
    const ok = await t.call(admin, "PATCH", url, { creditGrade: "D", reason: "行政处罚记录" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ creditGrade: "D", riskLevel: "low", contact: "0531-1" });
    const lines = await t.db.select().from(auditLog).where(eq(auditLog.action, "enterprise.update"));
    const last = JSON.parse(lines.at(-1)!.detail);
    expect(last).toMatchObject({
      reason: "行政处罚记录",
      before: { creditGrade: "A" },
      after: { creditGrade: "D" },
    });
  });
});
