import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { responses } from "../src/db/schema.ts";
import { configFromEnv, type AppDeps } from "../src/env.ts";
import { makeTestApp, SAMPLE_SCHEMA, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let admin: Session;
let formId: string;

async function publish(schema: unknown) {
  await t.call(admin, "PUT", `/api/forms/${formId}`, { schema });
  const res = await t.call(admin, "POST", `/api/forms/${formId}/publish`);
  return (await res.json()).version as number;
}

const submit = (body: unknown, headers: Record<string, string> = {}) =>
  t.app.request(`/api/public/forms/${formId}/responses`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

beforeEach(async () => {
  t = await makeTestApp();
  await t.user("admin", "admin");
  admin = await t.login("admin");
  const res = await t.call(admin, "POST", "/api/forms", {
    title: "满意度调查",
    kind: "survey",
    schema: SAMPLE_SCHEMA,
  });
  formId = (await res.json()).form.id;
  await publish(SAMPLE_SCHEMA);
});

describe("GET /api/public/forms/:id", () => {
  it("serves the published version with an ETag and answers 304 to a revalidation", async () => {
    const res = await t.app.request(`/api/public/forms/${formId}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ id: formId, version: 1, title: "满意度调查" });
    const again = await t.app.request(`/api/public/forms/${formId}`, {
      headers: { "If-None-Match": res.headers.get("etag")! },
    });
    expect(again.status).toBe(304);
  });

  it("is 404 for a draft-only form", async () => {
    const res = await t.call(admin, "POST", "/api/forms", {
      title: "草稿",
      kind: "survey",
      schema: SAMPLE_SCHEMA,
    });
    const { form } = await res.json();
    expect((await t.app.request(`/api/public/forms/${form.id}`)).status).toBe(404);
  });
});

describe("POST /api/public/forms/:id/responses", () => {
  const good = { name: "张三", rating: "good" };

  it("stores a valid response (201) and answers a retry with the same record (200)", async () => {
    const id = randomUUID();
    const first = await submit({ id, version: 1, data: good });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ id });
    const retry = await submit({ id, version: 1, data: { rating: "good", name: "张三" } });
    expect(retry.status).toBe(200);
    expect(await t.db.select().from(responses)).toHaveLength(1);
  });

  it("refuses the same id with a different body (409) and keeps the first", async () => {
    const id = randomUUID();
    await submit({ id, version: 1, data: good });
    const other = await submit({ id, version: 1, data: { name: "李四", rating: "good" } });
    expect(other.status).toBe(409);
    const rows = await t.db.select().from(responses);
    expect(JSON.parse(rows[0]!.data).name).toBe("张三");
  });

  it("makes concurrent retries of one id into one record", async () => {
    const id = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => submit({ id, version: 1, data: good })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(9);
    expect(await t.db.select().from(responses)).toHaveLength(1);
  });

  it.each([
    ["a missing required answer", { rating: "good" }, "name"],
    ["a choice outside the list", { name: "x", rating: "excellent" }, "rating"],
    ["an unknown question", { name: "x", rating: "good", extra: 1 }, "extra"],
    ["text over maxLength", { name: "x".repeat(21), rating: "good" }, "name"],
    ["a required follow-up made visible", { name: "x", rating: "bad" }, "why"],
  ])("refuses %s with 400 naming the question, storing nothing", async (_, data, name) => {
    const res = await submit({ id: randomUUID(), version: 1, data });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("invalid_response");
    expect(body.error.details.map((d: { name: string }) => d.name)).toContain(name);
    expect(body.error.message).toMatch(/[\u4e00-\u9fa5]/);
    expect(await t.db.select().from(responses)).toHaveLength(0);
  });

  it("names the question by its title in the message, not by the designer's generated name", async () => {
    const version = await publish({
      elements: [{ type: "text", name: "问题5", title: "企业名称", isRequired: true }],
    });
    const res = await submit({ id: randomUUID(), version, data: {} });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.message).toContain("「企业名称」");
    expect(body.error.message).not.toContain("问题5");
    expect(body.error.details[0].name).toBe("问题5");
  });

  it("refuses a non-UUID id, a non-object data and a missing version with 400", async () => {
    for (const body of [
      { id: "1", version: 1, data: good },
      { id: randomUUID(), version: 1, data: [1, 2] },
      { id: randomUUID(), data: good },
    ]) {
      expect((await submit(body)).status).toBe(400);
    }
    for (const data of [[1, 2], null, "张三", 3, true]) {
      const res = await submit({ id: randomUUID(), version: 1, data });
      expect(res.status).toBe(400);
      const { error } = await res.json();
      expect(error.code).toBe("invalid_request");
      expect(error.message).toContain("data 必须是对象");
    }
    expect(await t.db.$count(responses)).toBe(0);
  });

  it("refuses an unknown version with 409 version_mismatch", async () => {
    const res = await submit({ id: randomUUID(), version: 7, data: good });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("version_mismatch");
  });

  it("is 404 for a form that is not collecting", async () => {
    await t.call(admin, "POST", `/api/forms/${formId}/unpublish`);
    expect((await submit({ id: randomUUID(), version: 1, data: good })).status).toBe(404);
  });

  it("creates no rate-limit counter for a form that does not exist, and counts a real one", async () => {
    const ghost = "no-such-form-0001";
    const res = await t.app.request(`/api/public/forms/${ghost}/responses`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id: randomUUID(), version: 1, data: good }),
    });
    expect(res.status).toBe(404);
    expect(await t.rateLimiter.peek(`submit:form-ip:${ghost}:127.0.0.1`, 60_000)).toBe(0);
    expect(await t.rateLimiter.peek("submit:ip:127.0.0.1", 60_000)).toBe(1);
    expect((await submit({ id: randomUUID(), version: 1, data: good })).status).toBe(201);
    expect(await t.rateLimiter.peek(`submit:form-ip:${formId}:127.0.0.1`, 60_000)).toBe(1);
  });

  it("rate-limits one client, and a spoofed X-Forwarded-For does not reset the count", async () => {
    let last = 0;
    for (let i = 0; i < 31; i++) {
      const res = await submit(
        { id: randomUUID(), version: 1, data: good },
        { "X-Forwarded-For": `10.0.0.${i}` },
      );
      last = res.status;
      if (i < 30) expect(res.status).toBe(201);
    }
    expect(last).toBe(429);
  });
});

describe("the submission lane (src/app.ts)", () => {
  const good = { name: "张三", rating: "good" };
  const post = (path: string, init: RequestInit = {}) =>
    t.app.request(path, { method: "POST", headers: { "Content-Type": "application/json" }, ...init });

  it("is in the app's route table, where the access matrix and the bad-input sweep find it", () => {
    const app = createApp({ config: configFromEnv({}, "x".repeat(40)) } as AppDeps);
    expect(app.routes).toContainEqual(
      expect.objectContaining({ method: "POST", path: "/api/public/forms/:id/responses" }),
    );
  });

  it("answers paths next to it as the main app does: 404 JSON, nothing stored", async () => {
    const body = JSON.stringify({ id: randomUUID(), version: 1, data: good });
    for (const path of [
      `/api/public/forms/${formId}/responses/`,
      `/api/public/forms/${formId}/x/responses`,
      `/api/public/forms//responses`,
    ]) {
      const res = await post(path, { body });
      expect(res.status, path).toBe(404);
      expect((await res.json()).error.code).toBe("not_found");
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
    expect((await t.app.request(`/api/public/forms/${formId}/responses`)).status).toBe(404);
    expect(await t.db.$count(responses)).toBe(0);
  });

  it("takes a percent-encoded form id and a query string like any route", async () => {
    const encoded = `%${formId.charCodeAt(0).toString(16)}${formId.slice(1)}`;
    const res = await post(`/api/public/forms/${encoded}/responses?utm=qr`, {
      body: JSON.stringify({ id: randomUUID(), version: 1, data: good }),
    });
    expect(res.status).toBe(201);
  });

  it("answers a body that is not JSON, or no body at all, with 400 bad_request", async () => {
    for (const body of ["{nope", "", undefined]) {
      const res = await post(`/api/public/forms/${formId}/responses`, { body });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toEqual({
        code: "bad_request",
        message: "请求格式错误（JSON 无法解析）",
      });
    }
  });

  it("keeps the security headers and the API's Cache-Control on its answers", async () => {
    const res = await submit({ id: randomUUID(), version: 1, data: good });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
  });
});

describe("versions keep their responses", () => {
  it("renders and exports v1 responses with v1 labels after v2 renames and removes questions", async () => {
    await submit({ id: randomUUID(), version: 1, data: { name: "老王", rating: "bad", why: "太慢" } });
    const v2 = {
      title: "满意度 v2",
      pages: [
        {
          name: "p1",
          elements: [
            { type: "text", name: "fullname", title: "全名", isRequired: true },
            {
              type: "radiogroup",
              name: "rating",
              title: "总体评价",
              choices: [
                { value: "good", text: "满意" },
                { value: "bad", text: "不满意" },
              ],
            },
          ],
        },
      ],
    };
    expect(await publish(v2)).toBe(2);
    const late = await submit({ id: randomUUID(), version: 1, data: { name: "迟到", rating: "good" } });
    expect(late.status).toBe(201);
    await submit({ id: randomUUID(), version: 2, data: { fullname: "小李", rating: "good" } });

    const list = await (await t.call(admin, "GET", `/api/forms/${formId}/responses?version=1`)).json();
    expect(list.items).toHaveLength(2);
    const old = list.items.find((r: { data: { name: string } }) => r.data.name === "老王");
    const one = await (await t.call(admin, "GET", `/api/forms/${formId}/responses/${old.id}`)).json();
    expect(one.version).toBe(1);
    expect(one.schema.pages[0].elements[0].name).toBe("name");

    const csv1 = await (await t.call(admin, "GET", `/api/forms/${formId}/responses.csv?version=1`)).text();
    expect(csv1.split("\r\n")[0]).toContain("姓名");
    expect(csv1).toContain("差");
    expect(csv1).toContain("太慢");
    const all = await (await t.call(admin, "GET", `/api/forms/${formId}/responses.csv`)).text();
    expect(all).toContain("老王");
    expect(all).toContain("小李");
  });
});

describe("GET /api/forms/:id/responses", () => {
  it("pages newest first with a cursor and filters by date", async () => {
    for (let i = 0; i < 5; i++)
      await submit({ id: randomUUID(), version: 1, data: { name: `n${i}`, rating: "good" } });
    const p1 = await (await t.call(admin, "GET", `/api/forms/${formId}/responses?limit=2`)).json();
    expect(p1.items).toHaveLength(2);
    const p2 = await (
      await t.call(admin, "GET", `/api/forms/${formId}/responses?limit=2&cursor=${p1.nextCursor}`)
    ).json();
    const p3 = await (
      await t.call(admin, "GET", `/api/forms/${formId}/responses?limit=2&cursor=${p2.nextCursor}`)
    ).json();
    expect(p3.nextCursor).toBeNull();
    const ids = [...p1.items, ...p2.items, ...p3.items].map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(5);
    const future = await (
      await t.call(admin, "GET", `/api/forms/${formId}/responses?from=2999-01-01`)
    ).json();
    expect(future.items).toHaveLength(0);
    const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date());
    const sameDay = await (
      await t.call(admin, "GET", `/api/forms/${formId}/responses?from=${today}&to=${today}`)
    ).json();
    expect(sameDay.items).toHaveLength(5);
  });

  it("refuses a bad date, a bad cursor and an unknown parameter value with 400", async () => {
    for (const q of ["from=yesterday", "cursor=%%%", "limit=5000", "version=abc"]) {
      const res = await t.call(admin, "GET", `/api/forms/${formId}/responses?${q}`);
      expect(res.status, q).toBe(400);
    }
  });
});

describe("exports", () => {
  it("neutralises formula cells and writes a BOM", async () => {
    await submit({ id: randomUUID(), version: 1, data: { name: "=1+2", rating: "good" } });
    const res = await t.call(admin, "GET", `/api/forms/${formId}/responses.csv`);
    expect(res.headers.get("content-disposition")).toMatch(/attachment/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain("'=1+2");
    expect(text).not.toMatch(/(^|,)=1\+2/m);
  });

  it("produces an XLSX file", async () => {
    await submit({ id: randomUUID(), version: 1, data: { name: "张三", rating: "good" } });
    const res = await t.call(admin, "GET", `/api/forms/${formId}/responses.xlsx`);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 2)]).toEqual([0x50, 0x4b]);
  });
});
