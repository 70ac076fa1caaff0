import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, catalogItems, departments, enterprises, plannedTasks } from "../src/db/schema.ts";
import { normalizeDay } from "../src/planning/import-rows.ts";
import { parseBound } from "../src/lib/time.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import { departmentWithStaff, enterprise } from "./inspection-fixtures.ts";

type Json = Record<string, any>;

let t: TestApp;
let market: Awaited<ReturnType<typeof departmentWithStaff>>;
let fire: Awaited<ReturnType<typeof departmentWithStaff>>;
let creditCode: string;
let marketItem: string;
let fireItem: string;
let marketHead: Session;

async function upload(s: Session, csv: string, query = "") {
  const real = await t.app.request(`/api/planning/tasks/import${query}`, {
    method: "POST",
    headers: { Cookie: s.cookie, "X-CSRF-Token": s.csrf, "Content-Type": "text/csv" },
    body: csv,
  });
  return { status: real.status, body: (await real.json()) as Json };
}

beforeEach(async () => {
  t = await makeTestApp();
  await t.user("root", "admin");
  market = await departmentWithStaff(t, "scjg");
  fire = await departmentWithStaff(t, "xf");
  const firm = await enterprise(t, "导入计划示例企业");
  creditCode = (await t.db.select().from(enterprises).where(eq(enterprises.id, firm)))[0]!.creditCode;
  const items = await t.db.select().from(catalogItems);
  marketItem = items.find((i) => i.id === market.itemId)!.code;
  fireItem = items.find((i) => i.id === fire.itemId)!.code;
  marketHead = await t.login(market.head);
});

describe("normalizeDay and the day start in the zone", () => {
  it("reads common date spellings and refuses impossible dates", () => {
    expect(normalizeDay("2027-3-1")).toBe("2027-03-01");
    expect(normalizeDay("2027/03/01")).toBe("2027-03-01");
    expect(normalizeDay("2027年3月1日")).toBe("2027-03-01");
    expect(normalizeDay("2027-02-30")).toBeNull();
    expect(normalizeDay("下周")).toBeNull();
  });

  it("starts a day at local midnight", () => {
    expect(new Date(parseBound("2027-03-01", "Asia/Shanghai")!).toISOString()).toBe(
      "2027-02-28T16:00:00.000Z",
    );
    expect(new Date(parseBound("2027-03-01", "UTC")!).toISOString()).toBe("2027-03-01T00:00:00.000Z");
  });
});

describe("POST /api/planning/tasks/import", () => {
  const header = "统一社会信用代码,检查类型,计划开始日期,计划结束日期,检查事项编码,备注";

  it("imports every row of a clean file for the own department, auditing each task", async () => {
    const csv = [
      header,
      `${creditCode},日常,2027-03-01,2027-03-10,${marketItem},一季度`,
      `${creditCode},专项,2027-05-01,2027-05-20,${marketItem},`,
    ].join("\r\n");
    const dry = await upload(marketHead, csv, "?dryRun=1");
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ total: 2, valid: 2, imported: 0 });
    expect(await t.db.select().from(plannedTasks)).toHaveLength(0);

    const res = await upload(marketHead, csv);
    expect(res.status).toBe(201);
    expect(res.body.imported).toBe(2);
    const rows = await t.db.select().from(plannedTasks);
    expect(rows.map((r) => r.kind).sort()).toEqual(["campaign", "routine"]);
    expect(rows.every((r) => r.departmentId === market.departmentId)).toBe(true);
    const march = rows.find((r) => r.kind === "routine")!;
    expect(new Date(march.plannedStart).toISOString()).toBe("2027-02-28T16:00:00.000Z");
    expect(new Date(march.plannedEnd).toISOString()).toBe("2027-03-10T15:59:00.000Z");
    const audits = await t.db.select().from(auditLog).where(eq(auditLog.action, "planning.task.create"));
    expect(audits.map((a) => a.targetId).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it("imports nothing when one row is refused, naming the row and the reasons", async () => {
    const csv = [
      header,
      `${creditCode},日常,2027-03-01,2027-03-10,${marketItem},`,
      `${creditCode},月度,2027-03-01,2027-02-10,${fireItem},`,
      `91370100MA00000000,日常,2027-03-01,2027-03-10,${marketItem},`,
    ].join("\n");
    const res = await upload(marketHead, csv);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("import_refused");
    expect(res.body.refused.map((r: Json) => r.row)).toEqual([3, 4]);
    expect(res.body.refused[0].errors).toEqual(
      expect.arrayContaining([
        "检查类型应为 日常 / 双随机 / 专项",
        "计划结束日期不能早于开始日期",
        `检查事项 ${fireItem} 不属于该部门`,
      ]),
    );
    expect(res.body.refused[1].errors).toContain("企业不在企业名录中");
    expect(await t.db.select().from(plannedTasks)).toHaveLength(0);
  });

  it("lets a department administrator import only the own department; administrators name one per row", async () => {
    const [xf] = await t.db.select().from(departments).where(eq(departments.id, fire.departmentId));
    const withDept = `部门代码,${header}\n${xf!.code},${creditCode},双随机,2027-03-01,2027-03-10,${fireItem},`;
    const foreign = await upload(marketHead, withDept);
    expect(foreign.status).toBe(422);
    expect(foreign.body.refused[0].errors).toContain("部门管理员只能导入本部门的计划任务");

    const admin = await t.login("root");
    const noDept = await upload(admin, `${header}\n${creditCode},日常,2027-03-01,2027-03-10,${fireItem},`);
    expect(noDept.body.refused[0].errors).toContain("请填写部门代码");
    const ok = await upload(admin, withDept);
    expect(ok.status).toBe(201);
    const [row] = await t.db.select().from(plannedTasks);
    expect(row!.departmentId).toBe(fire.departmentId);
    expect(row!.kind).toBe("random");

    const officer = await t.login(market.officerLogin);
    expect((await upload(officer, withDept)).status).toBe(403);
  });

  it("refuses a file without the required columns", async () => {
    const res = await upload(marketHead, `统一社会信用代码,备注\n${creditCode},x`);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("invalid_file");
  });
});
