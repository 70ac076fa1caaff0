// `npm run seed:demo`: fills DATABASE_URL with a demo of Jinan's inspection system. Safe to run twice.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { seedForms } from "../bootstrap.ts";
import { openDatabase, type Db } from "../db/client.ts";
import { runMigrations } from "../db/migrate.ts";
import { auditLog } from "../db/schema.ts";
import { randomToken } from "../lib/ids.ts";
import { localDate } from "../lib/time.ts";
import { seedCatalog } from "./catalog.ts";
import {
  officerPlan,
  seedDepartments,
  seedEnterprises,
  seedOfficers,
  seedUsers,
  type DemoLogin,
} from "./directory.ts";
import { seedEnterpriseAccess, type DemoEnterpriseAccess } from "./enterprise-access.ts";
import { seedFilings } from "./filings.ts";
import { seedHistory } from "./history.ts";

export interface DemoOptions {
  /** Password of every demo login created now; existing logins keep theirs. */
  password: string;
  timeZone?: string;
  evaluationFormId?: string;
  /** Folder of the seed forms (the evaluation questionnaire among them). */
  formsDir?: string;
  now?: number;
}

export interface DemoReport {
  departments: number;
  logins: DemoLogin[];
  officers: number;
  enterprises: number;
  catalogItems: number;
  filings: number;
  checklists: number;
  evaluations: number;
  alerts: number;
  /** How to try the enterprise portal (/e): an SMS enterprise and a printed activation token. */
  enterpriseAccess: DemoEnterpriseAccess;
}

const FORMS_DIR = fileURLToPath(new URL("../../forms", import.meta.url));

/**
 * Seeds departments (the inspecting bodies and the justice bureau), logins, officers with credentials,
 * 200 enterprises, the catalog with a published checklist form per item, and filings in every state.
 * Every record has a stable id or natural key, so a second run inserts nothing twice.
 */
export async function seedDemo(db: Db, opts: DemoOptions): Promise<DemoReport> {
  const now = opts.now ?? Date.now();
  const timeZone = opts.timeZone ?? "Asia/Shanghai";
  const today = localDate(now, timeZone);
  await seedForms(db, opts.formsDir ?? FORMS_DIR);
  const departmentIds = await seedDepartments(db, now);
  const plan = officerPlan(today);
  const loginNames = new Map(
    plan.flatMap((d) => d.officers.filter((o) => o.login).map((o) => [o.login!, o.name] as const)),
  );
  const logins = await seedUsers(db, departmentIds, loginNames, opts.password, now);
  const officers = await seedOfficers(db, plan, departmentIds, now);
  const enterprises = await seedEnterprises(db, now);
  const items = await seedCatalog(db, departmentIds, now);
  const userId = async (username: string) =>
    (await db.query.users.findFirst({ where: (u, { eq }) => eq(u.username, username) }))?.id;
  const filedBy = new Map<string, string>();
  const decidedBy = new Map<string, string>();
  for (const code of departmentIds.keys()) {
    const officer = await userId(`${code.toLowerCase()}-officer1`);
    const head = await userId(`${code.toLowerCase()}-admin`);
    if (officer) filedBy.set(code, officer);
    if (head) decidedBy.set(code, head);
  }
  const filings = await seedFilings(
    db,
    { departmentIds, officers, items, enterprises, filedBy, decidedBy },
    now,
  );
  const history = await seedHistory(db, filings, {
    timeZone,
    evaluationFormId: opts.evaluationFormId ?? "inspection-evaluation",
  });
  const report: DemoReport = {
    departments: departmentIds.size,
    logins,
    officers: [...officers.values()].reduce((n, list) => n + list.length, 0),
    enterprises: enterprises.length,
    catalogItems: items.length,
    filings: filings.length,
    ...history,
    enterpriseAccess: await seedEnterpriseAccess(db, now),
  };
  await db.insert(auditLog).values({
    at: now,
    actorName: "system",
    action: "demo.seed",
    detail: JSON.stringify({
      createdLogins: logins.filter((l) => l.created).map((l) => l.username),
      newFilings: filings.length,
      ...history,
    }),
  });
  return report;
}

function printReport(report: DemoReport, password: string, generated: boolean) {
  console.log(
    `demo data: ${report.departments} departments, ${report.officers} officers, ${report.enterprises} enterprises, ` +
      `${report.catalogItems} catalog items; new this run: ${report.filings} filings, ${report.checklists} checklists, ` +
      `${report.evaluations} evaluations, ${report.alerts} alerts`,
  );
  const created = report.logins.filter((l) => l.created);
  if (created.length) {
    console.log(`\nlogins created now${generated ? " (password generated)" : ""} — password: ${password}`);
    for (const l of created) console.log(`  ${l.username.padEnd(18)} ${l.role.padEnd(11)} ${l.displayName}`);
  }
  const kept = report.logins.filter((l) => !l.created);
  if (kept.length) console.log(`\n${kept.length} demo logins already existed and keep their passwords.`);
  const { sms, letter } = report.enterpriseAccess;
  console.log("\nenterprise portal (/e):");
  if (sms)
    console.log(
      `  SMS sign-in: ${sms.name}, credit code ${sms.creditCode} (phone ${sms.phone}); start the server with ` +
        "SMS_GATEWAY=file SMS_FILE=./data/sms.jsonl and read the code from that file",
    );
  if (letter)
    console.log(
      `  activation letter: ${letter.name} (${letter.creditCode}), token ${letter.token} — ` +
        `open /e/activate#token=${letter.token} or enter it under 使用激活码登录 (works once; each seed run prints a new one)`,
    );
}

async function main() {
  const env = process.env;
  const generated = !env.DEMO_PASSWORD;
  const password = env.DEMO_PASSWORD || `Demo-${randomToken(9)}`;
  if (password.length < 10) throw new Error("DEMO_PASSWORD must be at least 10 characters");
  const url = env.DATABASE_URL || env.LIBSQL_URL || "file:./data/lianma.db";
  const database = await openDatabase({ url, authToken: env.LIBSQL_AUTH_TOKEN });
  try {
    await runMigrations(database.db);
    const report = await seedDemo(database.db, {
      password,
      timeZone: env.TZ || env.LIANMA_TZ || "Asia/Shanghai",
      evaluationFormId: env.EVALUATION_FORM_ID || "inspection-evaluation",
    });
    printReport(report, password, generated);
  } finally {
    database.close();
  }
}

const invokedDirectly = (() => {
  try {
    return realpathSync(process.argv[1] ?? "") === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
