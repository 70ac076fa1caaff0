// `npm run seed:large`: a city-sized data set for the supervision dashboard and its benchmark.
// DATABASE_URL (default file:./data/large.db) must be new or empty; the demo database is refused.
import type { Client, InValue } from "@libsql/client";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { seedForms } from "../bootstrap.ts";
import { openDatabase } from "../db/client.ts";
import { runMigrations } from "../db/migrate.ts";
import { creditCodeCheckChar } from "../directory/uscc.ts";
import { DEPARTMENTS, ITEMS } from "./catalog-data.ts";
import { DISTRICTS, GIVEN_NAMES, INDUSTRIES, SURNAMES, TRADE_NAMES } from "./names.ts";
import { prng, type Prng } from "./random.ts";

export interface LargeOptions {
  url: string;
  enterprises?: number;
  inspections?: number;
  /** Evaluations plus other form responses. */
  responses?: number;
  seed?: number;
  now?: number;
  log?: (line: string) => void;
}

export interface LargeReport {
  enterprises: number;
  inspections: number;
  evaluations: number;
  responses: number;
  alerts: number;
  ms: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const EXTRA_DEPARTMENTS = [
  { code: "NYNC", name: "济南市农业农村局" },
  { code: "JTYS", name: "济南市交通运输局" },
  { code: "WHLY", name: "济南市文化和旅游局" },
  { code: "SWJ", name: "济南市水务局" },
];
const EVALUATION_FORM = "inspection-evaluation";
const SURVEY_FORM = "business-environment-survey";
/** Evaluation questions whose "no" is negative, then those whose "yes" is. */
const GOOD_IF_YES = [
  "two_officers_with_credentials",
  "informed_items_and_basis",
  "clear_result_and_guidance",
  "informed_rights",
];
const GOOD_IF_NO = [
  "unrelated_materials",
  "repeat_inspection",
  "beyond_scope",
  "disrupted_business",
  "demanded_gifts",
  "designated_services_or_fees",
  "rude_conduct",
];
const TITLES: Record<string, string> = {
  two_officers_with_credentials: "是否两名以上执法人员并主动出示执法证件？",
  informed_items_and_basis: "是否出示检查码/通知书并告知检查事项、依据？",
  clear_result_and_guidance: "是否给出明确的检查结果和整改指导？",
  informed_rights: "是否告知陈述申辩、申请回避等权利？",
  unrelated_materials: "是否要求提供与检查无关的资料？",
  repeat_inspection: "本年度是否存在重复检查？",
  beyond_scope: "检查内容是否超出告知范围？",
  disrupted_business: "是否干扰正常生产经营？",
  demanded_gifts: "是否存在吃拿卡要、索要财物？",
  designated_services_or_fees: "是否指定服务、推销产品或违规收费？",
  rude_conduct: "是否粗暴执法或言行不文明？",
  overall_satisfaction: "总体满意度",
};
const SATISFACTION_TEXT = ["", "非常不满意", "不满意", "基本满意", "满意", "非常满意"];

type Row = InValue[];

/** Multi-row INSERTs of `rows`, in transactions of many statements, with progress on the log. */
async function insertAll(
  client: Client,
  table: string,
  columns: string[],
  rows: Row[],
  log: (s: string) => void,
) {
  const perStatement = Math.max(1, Math.floor(30_000 / columns.length / 1.2));
  const placeholders = `(${columns.map(() => "?").join(",")})`;
  const started = performance.now();
  for (let i = 0; i < rows.length; i += perStatement * 20) {
    const statements = [];
    for (let j = i; j < Math.min(rows.length, i + perStatement * 20); j += perStatement) {
      const chunk = rows.slice(j, j + perStatement);
      statements.push({
        sql: `INSERT INTO ${table} (${columns.join(",")}) VALUES ${chunk.map(() => placeholders).join(",")}`,
        args: chunk.flat(),
      });
    }
    await client.batch(statements, "write");
  }
  log(
    `  ${table}: ${rows.length.toLocaleString("en")} rows in ${Math.round(performance.now() - started)} ms`,
  );
}

function idMaker(rng: Prng) {
  return () => {
    let out = "";
    for (let i = 0; i < 16; i++) out += ID_ALPHABET[Math.floor(rng.next() * 32)];
    return out;
  };
}

const person = (rng: Prng) => rng.pick(SURNAMES) + rng.pick(GIVEN_NAMES);

interface World {
  departments: { id: string; code: string; name: string }[];
  officers: Map<string, string[]>;
  items: Map<string, { id: string; code: string }[]>;
  enterprises: { id: string; district: string }[];
}

function directory(rng: Prng, newId: () => string, count: number, now: number) {
  const listed = [...DEPARTMENTS.filter((d) => d.listed), ...EXTRA_DEPARTMENTS];
  const rows = {
    departments: [] as Row[],
    officers: [] as Row[],
    items: [] as Row[],
    enterprises: [] as Row[],
  };
  const world: World = { departments: [], officers: new Map(), items: new Map(), enterprises: [] };
  for (const d of [...listed, { code: "SFJ", name: "济南市司法局" }]) {
    const id = newId();
    const isListed = d.code !== "SFJ";
    rows.departments.push([id, d.code, d.name, isListed ? 1 : 0, "", now]);
    if (!isListed) continue;
    world.departments.push({ id, code: d.code, name: d.name });
    const people = [];
    for (let k = 0; k < 40; k++) {
      const oid = newId();
      people.push(oid);
      const credential = `37${String(rows.officers.length + 1).padStart(8, "0")}`;
      rows.officers.push([
        oid,
        id,
        person(rng),
        0,
        credential,
        "2020-01-01",
        "2030-12-31",
        "active",
        now,
        now,
      ]);
    }
    world.officers.set(id, people);
    const demo = ITEMS[d.code] ?? [
      {
        n: "001",
        name: `${d.name.slice(3)}重点领域日常监督检查`,
        legalBasis: "《行政执法监督条例》",
        method: "现场检查",
      },
      {
        n: "002",
        name: `${d.name.slice(3)}许可事项事中事后检查`,
        legalBasis: "《行政许可法》第六十一条",
        method: "现场检查",
      },
    ];
    const list = [
      ...demo.map((i) => ({ ...i, code: `JN-${d.code}-${i.n}` })),
      {
        code: `JN-${d.code}-W01`,
        name: "年度报告及台账书面核查",
        legalBasis: "《优化营商环境条例》第五十九条",
        method: "书面检查",
      },
    ];
    world.items.set(
      id,
      list.map((item) => {
        const iid = newId();
        rows.items.push([
          iid,
          item.code,
          id,
          item.name,
          item.legalBasis,
          item.method,
          null,
          "active",
          now,
          now,
        ]);
        return { id: iid, code: item.code };
      }),
    );
  }
  const codes = new Set<string>();
  for (let i = 0; i < count; i++) {
    const district = rng.weighted(DISTRICTS.map((d, k) => [d, k < 5 ? 3 : 1] as const));
    const industry = rng.pick(INDUSTRIES);
    let code = "";
    do {
      let body = `91${district.division}MA`;
      for (let k = 0; k < 7; k++) body += CODE_ALPHABET[rng.int(0, 30)];
      code = body + creditCodeCheckChar(body)!;
    } while (codes.has(code));
    codes.add(code);
    const id = newId();
    const name = `${rng.pick(["济南", "山东"])}${rng.pick(TRADE_NAMES)}${rng.pick(TRADE_NAMES)}${rng.pick(industry.suffixes)}`;
    const grade = rng.weighted([
      ["A", 20],
      ["B", 50],
      ["C", 22],
      ["D", 8],
    ] as const);
    const address = `山东省济南市${district.name}${rng.pick(district.roads)}${rng.int(1, 2999)}号`;
    rows.enterprises.push([
      id,
      code,
      name,
      address,
      district.name,
      industry.name,
      person(rng),
      "",
      grade,
      "medium",
      now,
      now,
    ]);
    world.enterprises.push({ id, district: district.name });
  }
  return { rows, world };
}

/** Status and stamps of a filing planned at `start`, seen at `now`. */
function lifeCycle(rng: Prng, start: number, now: number) {
  const filedAt = start - rng.int(1, 10) * DAY;
  if (start > now)
    return { status: rng.next() < 0.4 ? "filed" : "approved", filedAt, decided: rng.next() >= 0.4 };
  const r = rng.next();
  if (r < 0.03) return { status: "refused", filedAt, decided: true };
  if (r < 0.05) return { status: "approved", filedAt, decided: true };
  if (start > now - 3 * DAY && r < 0.3) return { status: "in_progress", filedAt, decided: true };
  if (r < 0.2) return { status: "registered", filedAt, decided: true };
  if (r < 0.45) return { status: "evaluated", filedAt, decided: true };
  return { status: "closed", filedAt, decided: true };
}

function evaluationAnswers(rng: Prng, bad: boolean) {
  const data: Record<string, unknown> = {};
  const negative: { name: string; title: string; value: unknown; text: string }[] = [];
  for (const q of GOOD_IF_YES) {
    const no = bad && rng.next() < 0.25;
    data[q] = no ? "no" : "yes";
    if (no) negative.push({ name: q, title: TITLES[q]!, value: "no", text: "否" });
  }
  for (const q of GOOD_IF_NO) {
    const yes = bad && rng.next() < (q === "repeat_inspection" ? 0.35 : 0.12);
    data[q] = yes ? "yes" : "no";
    if (yes) negative.push({ name: q, title: TITLES[q]!, value: "yes", text: "是" });
  }
  const satisfaction = bad
    ? rng.int(1, 3)
    : rng.weighted([
        [5, 55],
        [4, 35],
        [3, 10],
      ] as const);
  data.overall_satisfaction = satisfaction;
  if (satisfaction <= 2) {
    negative.push({
      name: "overall_satisfaction",
      title: TITLES.overall_satisfaction!,
      value: satisfaction,
      text: SATISFACTION_TEXT[satisfaction]!,
    });
  }
  if (bad && negative.length === 0) {
    data.rude_conduct = "yes";
    negative.push({ name: "rude_conduct", title: TITLES.rude_conduct!, value: "yes", text: "是" });
  }
  return { data, negative, score: (satisfaction - 1) * 25 };
}

/** Generates filings with their people, items, checklists, evaluations and alerts. */
function inspections(rng: Prng, newId: () => string, world: World, count: number, now: number) {
  const rows = {
    inspections: [] as Row[],
    departments: [] as Row[],
    officers: [] as Row[],
    items: [] as Row[],
    checklists: [] as Row[],
    evaluations: [] as Row[],
    alerts: [] as Row[],
  };
  const hot = world.enterprises.slice(0, Math.ceil(world.enterprises.length * 0.03));
  const deptWeights = world.departments.map((d, k) => [d, k < 6 ? 4 - k * 0.4 : 1] as const);
  const span = 700 * DAY;
  for (let n = 0; n < count; n++) {
    const id = newId();
    const lead = rng.weighted(deptWeights);
    const enterprise = rng.next() < 0.3 ? rng.pick(hot) : rng.pick(world.enterprises);
    const type = rng.weighted([
      ["routine", 45],
      ["random", 30],
      ["campaign", 15],
      ["case", 10],
    ] as const);
    const start = now - span + Math.floor(rng.next() * (span + 30 * DAY));
    const life = lifeCycle(rng, start, now);
    const late = start < now && rng.next() < 0.03;
    const filedAt = late ? start + rng.int(2, 48) * HOUR : life.filedAt;
    const participants = [lead];
    if (rng.next() < 0.12) {
      const other = rng.pick(world.departments);
      if (other.id !== lead.id) participants.push(other);
    }
    const visited = ["in_progress", "registered", "evaluated", "closed"].includes(life.status);
    const registeredAt = visited && life.status !== "in_progress" ? start + 2 * HOUR : null;
    const hasEvaluation = life.status === "evaluated" || (life.status === "closed" && rng.next() < 0.7);
    const evaluatedAt = hasEvaluation ? registeredAt! + rng.int(1, 120) * HOUR : null;
    const closedAt = life.status === "closed" ? (evaluatedAt ?? registeredAt!) + rng.int(1, 72) * HOUR : null;
    rows.inspections.push([
      id,
      enterprise.id,
      lead.id,
      type,
      type === "case" ? rng.pick(["投诉举报", "上级交办", "转办移送", "数据监测预警"]) : null,
      life.status,
      start,
      start + 4 * HOUR,
      "《优化营商环境条例》",
      "",
      late ? 1 : 0,
      late ? "紧急情况先行检查" : null,
      null,
      filedAt,
      null,
      life.decided ? filedAt + HOUR : null,
      life.status === "refused" ? "与已有检查重复" : null,
      visited ? start : null,
      registeredAt,
      evaluatedAt,
      closedAt,
      newId(),
      filedAt,
      closedAt ?? evaluatedAt ?? filedAt,
    ]);
    const filed: string[] = [];
    for (const dept of participants) {
      rows.departments.push([id, dept.id, filedAt, null]);
      const people = world.officers.get(dept.id)!;
      const first = rng.int(0, people.length - 2);
      rows.officers.push([id, people[first]!, 0], [id, people[first + 1]!, 0]);
      const items = world.items.get(dept.id)!;
      const chosen = rng.next() < 0.08 ? [items[items.length - 1]!] : [rng.pick(items.slice(0, -1))];
      if (rng.next() < 0.25) chosen.push(rng.pick(items));
      for (const item of new Map(chosen.map((c) => [c.id, c])).values()) {
        rows.items.push([id, item.id, dept.id]);
        filed.push(item.code);
      }
    }
    if (registeredAt !== null) {
      const failed = filed.filter(() => rng.next() < 0.14);
      rows.checklists.push([
        id,
        "{}",
        "{}",
        "submitted",
        JSON.stringify(failed),
        start,
        registeredAt,
        registeredAt,
      ]);
    }
    if (evaluatedAt !== null) {
      const evaluationId = newId();
      const e = evaluationAnswers(rng, rng.next() < 0.06);
      rows.evaluations.push([
        evaluationId,
        id,
        EVALUATION_FORM,
        1,
        JSON.stringify(e.data),
        e.negative.length ? 1 : 0,
        JSON.stringify(e.negative),
        e.score,
        evaluatedAt,
      ]);
      if (e.negative.length) {
        const age = now - evaluatedAt;
        const r = rng.next();
        const status = age > 30 * DAY || r < 0.7 ? "closed" : r < 0.85 ? "assigned" : "open";
        const handled = status === "open" ? null : evaluatedAt + rng.int(1, 96) * HOUR;
        const closed = status === "closed" ? handled! + rng.int(1, 480) * HOUR : null;
        rows.alerts.push([
          newId(),
          id,
          evaluationId,
          lead.id,
          status,
          `负面评价：${e.negative.map((a) => a.title).join("；")}`,
          status === "closed" ? "已约谈执法人员并整改" : null,
          evaluatedAt,
          handled,
          closed,
        ]);
      }
    }
  }
  return rows;
}

function surveyResponses(rng: Prng, newId: () => string, count: number, now: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const data = {
      district: rng.pick(DISTRICTS).name,
      enterprise_size: rng.pick(["large", "medium", "small", "micro"]),
      overall_rating: rng.int(1, 5),
      inspection_burden: rng.int(1, 5),
      improvement_priorities: [
        rng.pick(["fewer_inspections", "faster_approval", "policy_delivery", "rule_of_law"]),
      ],
    };
    const hash = newId() + newId() + newId() + newId();
    rows.push([
      `${newId()}-${newId()}`,
      SURVEY_FORM,
      1,
      JSON.stringify(data),
      hash,
      now - rng.int(0, 700) * DAY,
    ]);
  }
  return rows;
}

/**
 * Seeds a migrated, empty database with a city's worth of data from a seeded PRNG (same seed, same
 * data): departments, 40 officers each, catalog items (some 书面检查, i.e. off-site), enterprises, and
 * filings over two years with joint, 个案, late and repeat visits, checklists, evaluations, alerts,
 * and other form responses up to the requested total. The dashboard tables fill through their triggers.
 */
export async function seedLarge(opts: LargeOptions): Promise<LargeReport> {
  const log = opts.log ?? (() => undefined);
  const started = performance.now();
  const now = opts.now ?? Date.now();
  const database = await openDatabase({ url: opts.url, synchronous: "OFF" });
  await runMigrations(database.db);
  const client = database.client;
  const existing = await client.execute("SELECT count(*) FROM inspections");
  if (Number(existing.rows[0]![0]) > 0) {
    database.close();
    throw new Error(`${opts.url} already holds inspections; seed:large needs a new database`);
  }
  await client.execute("PRAGMA cache_size = -200000");
  await seedForms(database.db, fileURLToPath(new URL("../../forms", import.meta.url)));
  const rng = prng(opts.seed ?? 20240601);
  const newId = idMaker(rng);
  log("generating…");
  const dir = directory(rng, newId, opts.enterprises ?? 100_000, now);
  const gen = inspections(rng, newId, dir.world, opts.inspections ?? 200_000, now);
  const others = Math.max(0, (opts.responses ?? 1_000_000) - gen.evaluations.length);
  const responses = surveyResponses(rng, newId, others, now);
  log(`generated in ${Math.round(performance.now() - started)} ms; inserting…`);
  const stamp = ["created_at", "updated_at"];
  await insertAll(
    client,
    "departments",
    ["id", "code", "name", "listed", "district", "created_at"],
    dir.rows.departments,
    log,
  );
  await insertAll(
    client,
    "officers",
    [
      "id",
      "department_id",
      "name",
      "is_helper",
      "credential_no",
      "credential_issued_on",
      "credential_expires_on",
      "status",
      ...stamp,
    ],
    dir.rows.officers,
    log,
  );
  await insertAll(
    client,
    "catalog_items",
    ["id", "code", "department_id", "name", "legal_basis", "method", "yearly_cap", "status", ...stamp],
    dir.rows.items,
    log,
  );
  await insertAll(
    client,
    "enterprises",
    [
      "id",
      "credit_code",
      "name",
      "address",
      "district",
      "industry",
      "legal_representative",
      "contact",
      "credit_grade",
      "risk_level",
      ...stamp,
    ],
    dir.rows.enterprises,
    log,
  );
  await insertAll(
    client,
    "inspections",
    [
      "id",
      "enterprise_id",
      "lead_department_id",
      "type",
      "case_reason",
      "status",
      "planned_start",
      "planned_end",
      "legal_basis",
      "notes",
      "late_filing",
      "late_reason",
      "filed_by",
      "filed_at",
      "decided_by",
      "decided_at",
      "refusal_reason",
      "started_at",
      "registered_at",
      "evaluated_at",
      "closed_at",
      "code_nonce",
      ...stamp,
    ],
    gen.inspections,
    log,
  );
  // Items and evaluations before departments: the department trigger then reads them once.
  await insertAll(client, "inspection_items", ["inspection_id", "item_id", "department_id"], gen.items, log);
  await insertAll(
    client,
    "inspection_officers",
    ["inspection_id", "officer_id", "is_helper"],
    gen.officers,
    log,
  );
  await insertAll(
    client,
    "checklists",
    ["inspection_id", "schema", "data", "status", "failed_items", "generated_at", "saved_at", "submitted_at"],
    gen.checklists,
    log,
  );
  await insertAll(
    client,
    "evaluations",
    [
      "id",
      "inspection_id",
      "form_id",
      "version",
      "data",
      "negative",
      "negative_answers",
      "score",
      "submitted_at",
    ],
    gen.evaluations,
    log,
  );
  await insertAll(
    client,
    "alerts",
    [
      "id",
      "inspection_id",
      "evaluation_id",
      "department_id",
      "status",
      "summary",
      "outcome",
      "created_at",
      "first_handled_at",
      "closed_at",
    ],
    gen.alerts,
    log,
  );
  await insertAll(
    client,
    "inspection_departments",
    ["inspection_id", "department_id", "joined_at", "joined_by"],
    gen.departments,
    log,
  );
  await insertAll(
    client,
    "responses",
    ["id", "form_id", "version", "data", "body_hash", "submitted_at"],
    responses,
    log,
  );
  await client.execute("ANALYZE");
  await client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
  database.close();
  return {
    enterprises: dir.rows.enterprises.length,
    inspections: gen.inspections.length,
    evaluations: gen.evaluations.length,
    responses: responses.length + gen.evaluations.length,
    alerts: gen.alerts.length,
    ms: Math.round(performance.now() - started),
  };
}

const DEMO_FILES = ["data/lianma.db"];

/** The target from DATABASE_URL, refusing the demo/server database unless ALLOW_DEMO_DB=1. */
export function largeTarget(env: Record<string, string | undefined>): string {
  const url = env.DATABASE_URL || "file:./data/large.db";
  const path = url.replace(/^file:(\.\/)?/, "");
  if (DEMO_FILES.includes(path) && env.ALLOW_DEMO_DB !== "1") {
    throw new Error(`refusing to fill the demo database ${url}; set ALLOW_DEMO_DB=1 to do it anyway`);
  }
  return url;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const url = largeTarget(process.env);
  const scale = Number(process.env.LARGE_SCALE || 1);
  console.log(`seed:large → ${url}${scale !== 1 ? ` (scale ${scale})` : ""}`);
  const report = await seedLarge({
    url,
    enterprises: Math.round(100_000 * scale),
    inspections: Math.round(200_000 * scale),
    responses: Math.round(1_000_000 * scale),
    log: (line) => console.log(line),
  });
  console.log(
    `done in ${(report.ms / 1000).toFixed(1)} s: ${report.enterprises} enterprises, ${report.inspections} inspections, ` +
      `${report.evaluations} evaluations, ${report.responses} responses, ${report.alerts} alerts`,
  );
}
