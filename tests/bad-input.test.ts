/**
 * Bad input at every entry point (SECURITY.md #7, #11, #12, #13, #14, #15), beyond the single-route
 * checks of tests/hardening.test.ts: the write routes come from the route table's access rules
 * (tests/access-rules.ts), so a new route is covered as soon as it has a rule. Body-size attacks that
 * need a real socket (Content-Length beside Transfer-Encoding) are in tests/node/bad-input-socket.test.ts.
 */
import { randomUUID } from "node:crypto";
import ExcelJS from "exceljs";
import { count } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { evaluations, inspections, photos, responses } from "../src/db/schema.ts";
import { configFromEnv, type AppDeps } from "../src/env.ts";
import { ACCESS_RULES, apiRoutes, buildWorld, type Sessions, type World } from "./access-rules.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

const ROUTES = apiRoutes(createApp({ config: configFromEnv({}, "x".repeat(40)) } as AppDeps).routes);
const WRITES = ROUTES.filter((r) => !r.startsWith("GET ") && ACCESS_RULES[r]);
/** Routes whose body is a file, not JSON (photos, directory imports). */
const UPLOADS = WRITES.filter((r) => ACCESS_RULES[r]!.request?.(placeholderTarget())?.raw);
const JSON_WRITES = WRITES.filter((r) => !UPLOADS.includes(r));

let t: TestApp;
let world: World;
let sessions: Sessions;
let admin: Session;

beforeAll(async () => {
  // Many anonymous submissions from one address: the rate limit is tested elsewhere.
  // The world draws its sampling tasks at once: no day between commitment and draw here.
  t = await makeTestApp({ SUBMIT_RATE_PER_MINUTE: "100000", SAMPLING_DRAW_DELAY_HOURS: "0" });
  ({ world, sessions } = await buildWorld(t));
  admin = sessions.admin;
}, 120_000);

/** A target for calling request builders before the world exists (only the body's kind matters). */
function placeholderTarget() {
  const d = new Proxy({}, { get: () => "x" }) as World["A"];
  const fresh = { conflict: async () => "x", plannedTask: async () => "x" };
  const world = {
    A: d,
    B: d,
    enterpriseId: "x",
    otherEnterpriseInspectionId: "x",
    otherEnterpriseActionId: "x",
    otherEnterpriseEvidenceId: "x",
    adminUserId: "x",
    fresh,
  };
  return { dept: d, mine: d, world };
}

/** The route's path with its parameters pointing at department A's records. */
async function pathOf(route: string): Promise<string> {
  const rule = ACCESS_RULES[route]!;
  let path = route.slice(route.indexOf(" ") + 1);
  for (const [, name] of path.matchAll(/:(\w+)/g)) {
    path = path.replace(`:${name}`, encodeURIComponent(await rule.params![name!]!(world.A, world)));
  }
  return path;
}
const methodOf = (route: string) => route.slice(0, route.indexOf(" "));

async function rows(table: typeof responses | typeof evaluations | typeof inspections | typeof photos) {
  const [{ n }] = (await t.db.select({ n: count() }).from(table)) as [{ n: number }];
  return n;
}

/** Row counts of everything an entry point can store, to show a refusal stored nothing. */
async function snapshot() {
  return {
    responses: await rows(responses),
    evaluations: await rows(evaluations),
    inspections: await rows(inspections),
    photos: await rows(photos),
  };
}

function send(
  path: string,
  init: { method?: string; type?: string; body?: string | Uint8Array; session?: Session },
) {
  const headers: Record<string, string> = {};
  if (init.type !== undefined) headers["Content-Type"] = init.type;
  if (init.session) {
    headers.Cookie = init.session.cookie;
    headers["X-CSRF-Token"] = init.session.csrf;
  }
  return t.app.request(path, {
    method: init.method ?? "POST",
    headers,
    body: init.body as BodyInit | undefined,
  });
}

const submitPath = () => `/api/public/forms/${world.A.formId}/responses`;

describe("every JSON write route", () => {
  it("has routes to check", () => {
    expect(JSON_WRITES.length).toBeGreaterThanOrEqual(30);
    expect(UPLOADS).toEqual(expect.arrayContaining(["POST /api/inspections/:id/photos"]));
  });

  it.each(JSON_WRITES)("%s refuses JSON nested 10,000 deep with 400", async (route) => {
    const before = await snapshot();
    const deep = "[".repeat(10_000) + "]".repeat(10_000);
    const res = await send(await pathOf(route), {
      method: methodOf(route),
      type: "application/json",
      body: `{"a":${deep}}`,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("json_too_deep");
    expect(await snapshot()).toEqual(before);
  });

  const WRONG_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "application/jsonp",
    "application/json-patch+json",
    "text/html",
  ];
  it.each(WRITES)("%s answers 415 to a body of any other media type, or none", async (route) => {
    const before = await snapshot();
    for (const type of [...WRONG_TYPES, undefined]) {
      const res = await send(await pathOf(route), { method: methodOf(route), type, body: '{"a":1}' });
      expect(res.status, `${type ?? "no Content-Type"}`).toBe(415);
    }
    expect(await snapshot()).toEqual(before);
  });

  it.each(JSON_WRITES)("%s refuses malformed UTF-8 with 400", async (route) => {
    const before = await snapshot();
    for (const bad of [
      [0xff, 0xfe],
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xe4, 0xb8],
    ]) {
      const body = new Uint8Array([
        ...new TextEncoder().encode('{"a":"'),
        ...bad,
        ...new TextEncoder().encode('"}'),
      ]);
      const res = await send(await pathOf(route), {
        method: methodOf(route),
        type: "application/json",
        body,
      });
      expect(res.status, bad.join(",")).toBe(400);
      expect((await res.json()).error.code).toBe("invalid_encoding");
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe("the public submission", () => {
  it("refuses malformed UTF-8 inside an answer instead of storing U+FFFD", async () => {
    const before = await snapshot();
    const head = new TextEncoder().encode(`{"id":"${randomUUID()}","version":1,"data":{"name":"张`);
    const tail = new TextEncoder().encode('","rating":"good"}}');
    const res = await send(submitPath(), {
      type: "application/json",
      body: new Uint8Array([...head, 0xe4, 0xb8, ...tail]),
    });
    expect(res.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ["a top-level array", "[]"],
    ["a top-level string", '"x"'],
    ["null", "null"],
    ["an empty body", ""],
    ["a number as the body", "12"],
  ])("refuses %s with 400", async (_what, body) => {
    const res = await send(submitPath(), { type: "application/json", body });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it.each([
    [
      "200,000 numbers as a text answer",
      { name: Array.from({ length: 200_000 }, (_, i) => i), rating: "good" },
    ],
    ["100,000 choices", { name: "张三", rating: Array.from({ length: 100_000 }, () => "good") }],
    [
      "100,000 unknown questions",
      Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`q${i}`, 1])),
    ],
  ])("refuses %s with 400 and stores nothing", async (_what, data) => {
    const before = await snapshot();
    const res = await send(submitPath(), {
      type: "application/json",
      body: JSON.stringify({ id: randomUUID(), version: 1, data }),
    });
    expect(res.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });
});

/** One question of each kind the designer offers, and answers of the wrong type for each. */
const TYPED_SCHEMA = {
  pages: [
    {
      name: "p1",
      elements: [
        { type: "text", name: "text", title: "文本" },
        { type: "text", name: "number", inputType: "number", title: "数字", min: 0, max: 100 },
        { type: "comment", name: "comment", title: "长文本" },
        { type: "radiogroup", name: "radio", title: "单选", choices: ["a", "b"] },
        { type: "checkbox", name: "checks", title: "多选", choices: ["a", "b", "c"] },
        { type: "dropdown", name: "dropdown", title: "下拉", choices: ["a", "b"] },
        { type: "boolean", name: "bool", title: "是否" },
        { type: "rating", name: "rating", title: "评分", rateMin: 1, rateMax: 5 },
        {
          type: "matrix",
          name: "matrix",
          title: "矩阵",
          columns: ["c1", "c2"],
          rows: ["r1", "r2"],
        },
        { type: "multipletext", name: "multi", title: "多项文本", items: [{ name: "x" }, { name: "y" }] },
      ],
    },
  ],
};

const WRONG_ANSWERS: [string, unknown][] = [
  ["text", { html: "<b>x</b>" }],
  ["text", ["a", "b"]],
  ["number", "五十"],
  ["number", 1000],
  ["number", { n: 1 }],
  ["comment", ["x"]],
  ["radio", ["a"]],
  ["radio", "z"],
  ["radio", { value: "a" }],
  ["checks", "a"],
  ["checks", ["a", "zzz"]],
  ["checks", [{ v: "a" }]],
  ["checks", { 0: "a" }],
  ["dropdown", 7],
  ["dropdown", ["a"]],
  ["bool", "maybe"],
  ["bool", ["true"]],
  ["rating", "five"],
  ["rating", 99],
  ["rating", [3]],
  ["matrix", ["c1"]],
  ["matrix", { r1: "nope" }],
  ["matrix", { r9: "c1" }],
  ["matrix", "c1"],
  ["multi", "x"],
  ["multi", ["x"]],
  ["multi", { x: { deep: 1 } }],
];

describe("wrong types per question", () => {
  let formId: string;

  beforeAll(async () => {
    const created = await t.call(admin, "POST", "/api/forms", {
      title: "类型表",
      kind: "survey",
      departmentId: world.A.id,
      schema: TYPED_SCHEMA,
    });
    expect(created.status).toBe(201);
    formId = (await created.json()).form.id;
    expect((await t.call(admin, "POST", `/api/forms/${formId}/publish`)).status).toBe(201);
  });

  it("accepts well-typed answers (the schema itself is fine)", async () => {
    const res = await t.call(null, "POST", `/api/public/forms/${formId}/responses`, {
      id: randomUUID(),
      version: 1,
      data: {
        text: "文字",
        number: 50,
        comment: "说明",
        radio: "a",
        checks: ["a", "c"],
        dropdown: "b",
        bool: true,
        rating: 4,
        matrix: { r1: "c1" },
        multi: { x: "1" },
      },
    });
    expect(res.status).toBe(201);
  });

  it.each(WRONG_ANSWERS)("refuses %s = %j with 400 and stores nothing", async (name, value) => {
    const before = await snapshot();
    const res = await t.call(null, "POST", `/api/public/forms/${formId}/responses`, {
      id: randomUUID(),
      version: 1,
      data: { [name]: value },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_response");
    expect(await snapshot()).toEqual(before);
  });
});

const PAYLOAD = `<img src=x onerror="alert(1)"><script>alert(2)</script><a href="javascript:alert(3)">x</a>`;

describe("markup in every text field of a form schema", () => {
  const schema = {
    title: `标题${PAYLOAD}`,
    description: `说明${PAYLOAD}`,
    completedHtml: `<p>谢谢</p>${PAYLOAD}`,
    pages: [
      {
        name: "p1",
        title: `页${PAYLOAD}`,
        description: `页说明${PAYLOAD}`,
        elements: [
          { type: "html", name: "intro", html: `<p>介绍</p>${PAYLOAD}` },
          {
            type: "radiogroup",
            name: "pick",
            title: `选择${PAYLOAD}`,
            description: `提示${PAYLOAD}`,
            choices: [{ value: "a", text: `选项${PAYLOAD}` }, "b"],
          },
          { type: "text", name: "t", title: `文本${PAYLOAD}`, placeholder: `占位${PAYLOAD}` },
          { type: "matrix", name: "m", title: "矩阵", columns: [`列${PAYLOAD}`], rows: [`行${PAYLOAD}`] },
        ],
      },
    ],
  };
  let formId: string;

  beforeAll(async () => {
    const created = await t.call(admin, "POST", "/api/forms", {
      title: `表${PAYLOAD}`,
      kind: "survey",
      departmentId: world.A.id,
      schema,
    });
    expect(created.status).toBe(201);
    formId = (await created.json()).form.id;
    expect((await t.call(admin, "POST", `/api/forms/${formId}/publish`)).status).toBe(201);
    const answered = await t.call(null, "POST", `/api/public/forms/${formId}/responses`, {
      id: randomUUID(),
      version: 1,
      data: { pick: "a", t: PAYLOAD },
    });
    expect(answered.status).toBe(201);
  });

  it("is stored as data and only ever served as JSON with nosniff", async () => {
    for (const path of [
      `/api/public/forms/${formId}`,
      `/api/forms/${formId}`,
      `/api/forms/${formId}/responses`,
    ]) {
      const res = await t.call(path.includes("public") ? null : admin, "GET", path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/json/);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      // The text comes back exactly as designed: the runner renders it as text (browser test).
      expect(await res.text(), path).toContain(JSON.stringify(PAYLOAD).slice(1, -1));
    }
  });

  it("reaches an HTML page only as inert JSON data: no markup of it, no inline script runs", async () => {
    for (const path of [`/f/${formId}`, `/admin/forms/${formId}/edit`, `/admin/forms/${formId}/responses`]) {
      const res = await t.call(admin, "GET", path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(/^text\/html/);
      let html = await res.text();
      // The runner carries the live version as JSON (src/pages/runner-page.ts): a data element the
      // browser never runs, with every "<" escaped, so nothing in it can close it or open a tag.
      const data = /<script type="application\/json" id="form-data">([^<]*)<\/script>/.exec(html);
      if (path.startsWith("/f/")) {
        expect(data, path).not.toBeNull();
        expect(JSON.parse(data![1]!).schema).toEqual(JSON.parse(JSON.stringify(schema)));
        html = html.replace(data![0], "");
      }
      expect(html, path).not.toContain("alert(");
      expect(html, path).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toMatch(/script-src 'self'/);
      expect(csp, path).not.toMatch(/script-src[^;]*unsafe-inline/);
    }
  });

  it("leaves exports as attachments of a non-HTML type", async () => {
    for (const ext of ["csv", "xlsx"]) {
      const res = await t.call(admin, "GET", `/api/forms/${formId}/responses.${ext}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).not.toMatch(/html|svg|xml(?!.*sheet)/);
      expect(res.headers.get("content-disposition")).toMatch(/^attachment;/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      await res.arrayBuffer();
    }
  });
});

describe("formula prefixes in exports, end to end", () => {
  const FORMULAS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")'];
  let formId: string;

  beforeAll(async () => {
    const created = await t.call(admin, "POST", "/api/forms", {
      title: "=公式表",
      kind: "survey",
      departmentId: world.A.id,
      schema: {
        elements: FORMULAS.map((_, i) => ({
          type: "text",
          name: `q${i}`,
          title: i === 0 ? "=cmd|'/c calc'!A1" : `问${i}`,
        })),
      },
    });
    expect(created.status).toBe(201);
    formId = (await created.json()).form.id;
    expect((await t.call(admin, "POST", `/api/forms/${formId}/publish`)).status).toBe(201);
    const data = Object.fromEntries(FORMULAS.map((f, i) => [`q${i}`, f]));
    const res = await t.call(null, "POST", `/api/public/forms/${formId}/responses`, {
      id: randomUUID(),
      version: 1,
      data,
    });
    expect(res.status).toBe(201);
  });

  it("neutralises every answer and header in the CSV, which starts with a BOM", async () => {
    const res = await t.call(admin, "GET", `/api/forms/${formId}/responses.csv`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    const cells = text.split(/,|\r\n/).map((c) => c.replace(/^"|"$/g, ""));
    const risky = cells.filter((c) => /^[=+\-@\t\r]/.test(c));
    expect(risky).toEqual([]);
    for (const f of FORMULAS) expect(text).toContain(`'${f.replace(/"/g, '""')}`);
  });

  it("neutralises every answer and header in the XLSX", async () => {
    const res = await t.call(admin, "GET", `/api/forms/${formId}/responses.xlsx`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const values: string[] = [];
    book.worksheets[0]!.eachRow((row) => row.eachCell((cell) => values.push(String(cell.value ?? ""))));
    expect(values.some((v) => v === "'=cmd|'/c calc'!A1")).toBe(true);
    expect(values.filter((v) => /^[=+\-@\t\r]/.test(v))).toEqual([]);
    book.worksheets[0]!.eachRow((row) =>
      row.eachCell((cell) =>
        expect(typeof cell.value === "object" && cell.value !== null && "formula" in cell.value).toBe(false),
      ),
    );
  });
});

describe("disguised photo uploads", () => {
  const text = (s: string) => new TextEncoder().encode(s);
  const CASES: [string, string, Uint8Array][] = [
    ["HTML declared as JPEG", "image/jpeg", text("<!doctype html><script>alert(1)</script>")],
    [
      "SVG declared as JPEG",
      "image/jpeg",
      text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ],
    [
      "SVG declared as PNG",
      "image/png",
      text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
    ],
    ["SVG as itself", "image/svg+xml", text('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ["a JPEG declared as PNG", "image/png", new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4])],
    ["a GIF", "image/gif", text("GIF89a\x01\x00\x01\x00")],
    ["a GIF declared as JPEG", "image/jpeg", text("GIF89a\x01\x00\x01\x00")],
    ["HTML after a JPEG's first two bytes", "image/jpeg", new Uint8Array([0xff, 0xd8, ...text("<html>")])],
    ["an empty body", "image/jpeg", new Uint8Array()],
  ];

  it.each(CASES)("refuses %s with 415 and stores nothing", async (_what, type, bytes) => {
    const before = await rows(photos);
    const res = await send(`/api/inspections/${world.A.liveInspectionId}/photos`, {
      type,
      body: bytes,
      session: sessions.officer.A,
    });
    expect(res.status).toBe(415);
    expect(await rows(photos)).toBe(before);
  });

  it("refuses a 6 MB image with 413", async () => {
    const before = await rows(photos);
    const big = new Uint8Array(6 * 1024 * 1024);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    const res = await send(`/api/inspections/${world.A.liveInspectionId}/photos`, {
      type: "image/jpeg",
      body: big,
      session: sessions.officer.A,
    });
    expect(res.status).toBe(413);
    expect(await rows(photos)).toBe(before);
  });

  it("serves a stored photo with its own type, nosniff and a Content-Disposition", async () => {
    const res = await t.call(
      sessions.officer.A,
      "GET",
      `/api/inspections/${world.A.liveInspectionId}/photos/${world.A.photoId}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-disposition")).toMatch(/^inline; filename="[^"]+\.jpg"$/);
  });
});

/** Spellings of the same path a router or a proxy might read differently. */
function variants(path: string): [string, string, boolean][] {
  const [, api, first, ...rest] = path.split("/");
  const tail = rest.length ? `/${rest.join("/")}` : "";
  const exact = true;
  return [
    ["%61pi", `/%61pi/${first}${tail}`, exact],
    ["encoded first letter", `/${api}/%${first!.charCodeAt(0).toString(16)}${first!.slice(1)}${tail}`, exact],
    ["leading //", `/${path}`, false],
    ["inner //", `/${api}//${first}${tail}`, false],
    ["%2f for a slash", `/${api}%2f${first}${tail}`, false],
    ["%2F in the tail", rest.length ? `/${api}/${first}%2F${rest.join("/")}` : `/${api}/${first}%2F`, false],
    ["trailing slash", `${path}/`, false],
    ["dot segment", `/${api}/./${first}${tail}`, false],
    ["dot-dot segment", `/${api}/x/../${first}${tail}`, false],
    ["upper-case", `/${api!.toUpperCase()}/${first}${tail}`, false],
  ];
}

describe("encoded paths get the same auth decision as the plain path", () => {
  const GETS = ROUTES.filter(
    (r) => r.startsWith("GET ") && ACCESS_RULES[r] && r !== "GET /api/alerts/stream",
  );
  const denied = (s: number) => s === 401 || s === 403 || s === 404;

  it.each(GETS)("%s", async (route) => {
    const plainPath = await pathOf(route);
    const callers: [string, Session | null][] = [
      ["anonymous", null],
      ["officer@A", sessions.officer.A],
      ["dept_admin@B", sessions.dept_admin.B],
      ["supervisor", sessions.supervisor],
    ];
    const failures: string[] = [];
    for (const [who, session] of callers) {
      const plain = await t.call(session, "GET", plainPath);
      await plain.arrayBuffer();
      for (const [name, path, exact] of variants(plainPath)) {
        const res = await t.call(session, "GET", path);
        await res.arrayBuffer();
        const same = exact ? res.status === plain.status : true;
        const noBypass = !(denied(plain.status) && !denied(res.status)) && !(res.ok && !plain.ok);
        if (!same || !noBypass || res.status >= 500)
          failures.push(`${who} ${name} ${path}: ${res.status}, plain ${plain.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  const WRITES_TO_SPELL = WRITES.filter((r) => !ACCESS_RULES[r]!.endsSession);
  it.each(WRITES_TO_SPELL)("%s", async (route) => {
    const method = methodOf(route);
    const plainPath = await pathOf(route);
    const failures: string[] = [];
    for (const [who, session] of [
      ["anonymous", null],
      ["officer@A", sessions.officer.A],
    ] as [string, Session | null][]) {
      const plain = await t.call(session, method, plainPath, {});
      await plain.arrayBuffer();
      for (const [name, path, exact] of variants(plainPath)) {
        const res = await t.call(session, method, path, {});
        await res.arrayBuffer();
        // A write that took effect on the plain path (arrival is recorded once) is then a 409 on the
        // others: the same decision to let the caller act, on a record that has moved on.
        const same = exact ? res.status === plain.status || (plain.ok && res.status === 409) : true;
        const noBypass =
          !(denied(plain.status) && !denied(res.status) && res.status < 400) && !(res.ok && !plain.ok);
        if (!same || !noBypass || res.status >= 500)
          failures.push(`${who} ${name} ${path}: ${res.status}, plain ${plain.status}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("sort and filter parameters come from an allowlist", () => {
  it("answers 400 to an unknown parameter on every route that takes query parameters", async () => {
    const doc = await (await t.app.request("/api/openapi.json")).json();
    const checked: string[] = [];
    for (const [docPath, ops] of Object.entries(
      doc.paths as Record<string, Record<string, { parameters?: { in: string }[] }>>,
    )) {
      const get = ops.get;
      if (!get?.parameters?.some((p) => p.in === "query")) continue;
      const route = `GET ${docPath.replace(/\{(\w+)\}/g, ":$1")}`;
      if (!ACCESS_RULES[route]) continue; // a route without a rule fails tests/access-matrix.test.ts
      // The rule's own query (a required metric, a department) makes the allowed request.
      const query = ACCESS_RULES[route]!.request?.({ dept: world.A, mine: world.A, world }).query;
      const base = `${await pathOf(route)}?${query ? `${query}&` : ""}`;
      const ok = await t.call(admin, "GET", base);
      await ok.arrayBuffer();
      expect(ok.status, route).toBe(200);
      for (const param of [
        "sort=name",
        "orderBy=password_hash",
        "order=desc",
        "filter[status]=x",
        "status[$ne]=x",
      ]) {
        const res = await t.call(admin, "GET", `${base}${param}`);
        expect(res.status, `${route}?${param}`).toBe(400);
        expect((await res.json()).error.code).toBe("invalid_request");
      }
      checked.push(route);
    }
    expect(checked.length).toBeGreaterThanOrEqual(8);
  });

  it.each([
    ["/api/forms?status=everything", "an unknown status"],
    ["/api/inspections?status=draft%27--", "an injected status"],
    ["/api/inspections?limit=100000", "a limit beyond the maximum"],
    ["/api/alerts?limit=-1", "a negative limit"],
    ["/api/enterprises?creditGrade=Z", "an unknown grade"],
    ["/api/inspections?status=filed&status=approved", "a repeated parameter"],
  ])("answers 400 to %s (%s)", async (path) => {
    const res = await t.call(admin, "GET", path);
    expect(res.status).toBe(400);
  });
});

describe("odd path parameters and headers", () => {
  const ODD = [
    "x".repeat(5000),
    "%00",
    "%E0%A4%A",
    "..%2f..%2fetc%2fpasswd",
    "${jndi:x}",
    "'; SELECT 1; --",
    "表单",
    "%F0%9F%92%A9",
  ];

  it.each(ROUTES.filter((r) => r.includes(":") && ACCESS_RULES[r]))(
    "%s answers odd ids with 4xx, never 5xx",
    async (route) => {
      const method = methodOf(route);
      const pattern = route.slice(route.indexOf(" ") + 1);
      for (const odd of ODD) {
        const path = pattern.replace(/:(\w+)/g, odd.includes("%") ? odd : encodeURIComponent(odd));
        const res = await t.call(admin, method, path, method === "GET" ? undefined : {});
        await res.arrayBuffer();
        expect(res.status, `${method} ${path.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${method} ${path.slice(0, 80)}`).toBeLessThan(500);
      }
    },
  );

  it.each([
    ["a session cookie with broken percent-encoding", { Cookie: "lianma_session=%E0%A4%A" }],
    ["a 4 KB session cookie", { Cookie: `lianma_session=${"a".repeat(4096)}` }],
    ["a cookie header of separators", { Cookie: ";;;==;=;" }],
    ["a malformed Origin", { Origin: "::::" }],
    ["Origin null", { Origin: "null" }],
    ["a foreign Origin", { Origin: "http://evil.example" }],
    ["an odd Sec-Fetch-Site", { "Sec-Fetch-Site": "x".repeat(300) }],
    [
      "a spoofed X-Forwarded-Host and Proto",
      { "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "javascript" },
    ],
    ["a charset the server does not speak", { "Content-Type": "application/json; charset=latin1" }],
    ["a 2 KB Content-Type", { "Content-Type": `application/json; ${"a=b; ".repeat(340)}` }],
  ])("survives %s on a write (4xx or success, never 5xx)", async (_what, headers) => {
    const before = await snapshot();
    const res = await t.app.request("/api/auth/logout", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: "{}",
    });
    expect(res.status).toBeLessThan(500);
    const submit = await t.app.request(submitPath(), {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify({ id: randomUUID(), version: 1, data: { name: "x", rating: "good" } }),
    });
    expect(submit.status).toBeLessThan(500);
    if (submit.status !== 201) expect(await snapshot()).toEqual(before);
  });
});

describe("still serving", () => {
  it("answers /healthz after all of the above", async () => {
    expect((await t.app.request("/healthz")).status).toBe(200);
  });
});
