import { inArray } from "drizzle-orm";
import { hashPassword } from "../auth/password.ts";
import { runBatch, type Db } from "../db/client.ts";
import { departments, enterprises, officers, users, type Role } from "../db/schema.ts";
import { creditCodeCheckChar } from "../directory/uscc.ts";
import { DEPARTMENTS } from "./catalog-data.ts";
import { DISTRICTS, GIVEN_NAMES, INDUSTRIES, SURNAMES, TRADE_NAMES } from "./names.ts";
import { demoId, prng, type Prng } from "./random.ts";

export const ENTERPRISE_COUNT = 200;
const CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const RISKS = ["low", "medium", "high"] as const;

export interface DemoOfficer {
  id: string;
  name: string;
  /** Holds a credential valid for the coming years (counts as an inspector). */
  counts: boolean;
  isHelper: boolean;
  userId: string | null;
}

export interface DemoLogin {
  username: string;
  displayName: string;
  role: Role;
  department: string;
  created: boolean;
}

const personName = (rng: Prng) => rng.pick(SURNAMES) + rng.pick(GIVEN_NAMES);

/** Inserts the departments that are missing; returns code → id for all of them. */
export async function seedDepartments(db: Db, now: number): Promise<Map<string, string>> {
  await db
    .insert(departments)
    .values(
      DEPARTMENTS.map((d) => ({
        id: demoId("department", d.code),
        code: d.code,
        name: d.name,
        listed: d.listed,
        district: "",
        createdAt: now,
      })),
    )
    .onConflictDoNothing();
  const rows = await db
    .select({ id: departments.id, code: departments.code })
    .from(departments)
    .where(
      inArray(
        departments.code,
        DEPARTMENTS.map((d) => d.code),
      ),
    );
  return new Map(rows.map((r) => [r.code, r.id]));
}

/** The logins of the demo: per department an administrator and two officers; the bureau's supervisor. */
function plannedLogins(rng: Prng): Omit<DemoLogin, "created">[] {
  const logins: Omit<DemoLogin, "created">[] = [];
  for (const d of DEPARTMENTS) {
    const short = d.name.replace(/^济南市/, "");
    if (!d.listed) {
      logins.push({
        username: `${d.code.toLowerCase()}-supervisor`,
        displayName: `执法监督处 ${personName(rng)}`,
        role: "supervisor",
        department: d.code,
      });
      continue;
    }
    logins.push({
      username: `${d.code.toLowerCase()}-admin`,
      displayName: `${short}负责人 ${personName(rng)}`,
      role: "dept_admin",
      department: d.code,
    });
    for (const n of [1, 2]) {
      logins.push({
        username: `${d.code.toLowerCase()}-officer${n}`,
        displayName: "",
        role: "officer",
        department: d.code,
      });
    }
  }
  return logins;
}

/**
 * Creates the demo logins that do not exist yet, all with `password`. Officer logins take the name of
 * the officer they are linked to (filled in by {@link seedOfficers}).
 */
export async function seedUsers(
  db: Db,
  departmentIds: Map<string, string>,
  officerNames: Map<string, string>,
  password: string,
  now: number,
): Promise<DemoLogin[]> {
  const planned = plannedLogins(prng(7));
  const existing = await db
    .select({ username: users.username })
    .from(users)
    .where(
      inArray(
        users.username,
        planned.map((p) => p.username),
      ),
    );
  const taken = new Set(existing.map((e) => e.username));
  const missing = planned.filter((p) => !taken.has(p.username));
  // One hash for all: every demo login shares the printed password anyway.
  const passwordHash = missing.length ? await hashPassword(password) : "";
  await runBatch(
    db,
    missing.map((p) =>
      db.insert(users).values({
        id: demoId("user", p.username),
        username: p.username,
        displayName: p.displayName || officerNames.get(p.username) || p.username,
        passwordHash,
        role: p.role,
        departmentId: departmentIds.get(p.department) ?? null,
        createdAt: now,
        updatedAt: now,
      }),
    ),
  );
  return planned.map((p) => ({
    ...p,
    displayName: p.displayName || officerNames.get(p.username) || p.username,
    created: !taken.has(p.username),
  }));
}

/** The officers of one department: valid, expiring, expired, suspended, and two helpers. */
function plannedOfficers(code: string, index: number, rng: Prng, today: string) {
  const year = Number(today.slice(0, 4));
  const soon = new Date(Date.parse(`${today}T00:00:00Z`) + 20 * 86_400_000).toISOString().slice(0, 10);
  const list = [];
  for (let i = 0; i < 10; i++) {
    const helper = i >= 8;
    const issued = `${year - rng.int(2, 6)}-${String(rng.int(1, 12)).padStart(2, "0")}-15`;
    const expires = i === 5 ? soon : i === 6 ? `${year - 1}-06-30` : `${year + rng.int(2, 4)}-12-31`;
    list.push({
      id: demoId("officer", `${code}:${i}`),
      name: personName(rng),
      login: i < 2 ? `${code.toLowerCase()}-officer${i + 1}` : null,
      isHelper: helper,
      credentialNo: helper
        ? null
        : `3701${String(index + 1).padStart(2, "0")}${String(i + 1).padStart(5, "0")}`,
      credentialIssuedOn: helper ? null : issued,
      credentialExpiresOn: helper ? null : expires,
      status: i === 7 ? ("suspended" as const) : ("active" as const),
      counts: !helper && i <= 4,
    });
  }
  return list;
}

export function officerPlan(today: string) {
  const rng = prng(11);
  return DEPARTMENTS.filter((d) => d.listed).map((d, index) => ({
    code: d.code,
    officers: plannedOfficers(d.code, index, rng, today),
  }));
}

/** Inserts the missing officers (linking the officer logins); returns department code → officers. */
export async function seedOfficers(
  db: Db,
  plan: ReturnType<typeof officerPlan>,
  departmentIds: Map<string, string>,
  now: number,
): Promise<Map<string, DemoOfficer[]>> {
  const logins = await db
    .select({ id: users.id, username: users.username, role: users.role, departmentId: users.departmentId })
    .from(users)
    .where(
      inArray(
        users.username,
        plan.flatMap((d) => d.officers.map((o) => o.login).filter((l): l is string => l !== null)),
      ),
    );
  const rows = plan.flatMap((d) =>
    d.officers.map(({ login, counts: _counts, ...o }) => {
      const user = logins.find((u) => u.username === login);
      const linkable = user && user.role === "officer" && user.departmentId === departmentIds.get(d.code);
      return {
        ...o,
        departmentId: departmentIds.get(d.code)!,
        userId: linkable ? user.id : null,
        createdAt: now,
        updatedAt: now,
      };
    }),
  );
  await runBatch(
    db,
    rows.map((r) => db.insert(officers).values(r).onConflictDoNothing()),
  );
  const stored = await db
    .select({ id: officers.id, userId: officers.userId })
    .from(officers)
    .where(
      inArray(
        officers.id,
        rows.map((r) => r.id),
      ),
    );
  const present = new Map(stored.map((s) => [s.id, s.userId]));
  return new Map(
    plan.map((d) => [
      d.code,
      d.officers
        .filter((o) => present.has(o.id))
        .map((o) => ({
          id: o.id,
          name: o.name,
          counts: o.counts,
          isHelper: o.isHelper,
          userId: present.get(o.id) ?? null,
        })),
    ]),
  );
}

export interface DemoEnterprise {
  id: string;
  creditCode: string;
  name: string;
  industry: string;
  district: string;
}

/** 200 enterprises across the ten districts, each with a valid 统一社会信用代码 (GB 32100-2015). */
export function enterprisePlan(now: number) {
  const rng = prng(2024);
  const names = new Set<string>();
  const codes = new Set<string>();
  const rows = [];
  for (let i = 0; i < ENTERPRISE_COUNT; i++) {
    const district = DISTRICTS[i % DISTRICTS.length]!;
    const industry = rng.pick(INDUSTRIES);
    let name = "";
    do {
      const prefix = rng.next() < 0.25 ? "山东" : "济南";
      name = `${prefix}${rng.pick(TRADE_NAMES)}${rng.pick(industry.suffixes)}`;
    } while (names.has(name));
    names.add(name);
    let code = "";
    do {
      let body = `91${district.division}MA`;
      for (let k = 0; k < 7; k++) body += CODE_ALPHABET[rng.int(0, 30)];
      code = body + creditCodeCheckChar(body)!;
    } while (codes.has(code));
    codes.add(code);
    const grade = rng.weighted([
      ["A", 20],
      ["B", 50],
      ["C", 22],
      ["D", 8],
    ] as const);
    const riskIndex = Math.max(0, Math.min(2, industry.risk + (grade === "D" ? 1 : grade === "A" ? -1 : 0)));
    rows.push({
      id: demoId("enterprise", code),
      creditCode: code,
      name,
      address: `山东省济南市${district.name}${rng.pick(district.roads)}${rng.int(1, 2999)}号`,
      district: district.name,
      industry: industry.name,
      legalRepresentative: personName(rng),
      contact: `1${rng.pick(["38", "39", "58", "86", "35", "51"])}${String(rng.int(0, 99_999_999)).padStart(8, "0")}`,
      creditGrade: grade,
      riskLevel: RISKS[riskIndex]!,
      createdAt: now,
      updatedAt: now,
    });
  }
  // Two in three have their number on file as the mobile for SMS sign-in to the portal (/e); the
  // others sign in with an activation letter.
  return rows.map((row, i) => ({ ...row, contactPhone: i % 3 === 2 ? null : row.contact }));
}

/** Inserts the missing demo enterprises in batches; returns all of them as stored. */
export async function seedEnterprises(db: Db, now: number): Promise<DemoEnterprise[]> {
  const rows = enterprisePlan(now);
  const statements = [];
  for (let i = 0; i < rows.length; i += 50) {
    statements.push(
      db
        .insert(enterprises)
        .values(rows.slice(i, i + 50))
        .onConflictDoNothing(),
    );
  }
  await runBatch(db, statements);
  return db
    .select({
      id: enterprises.id,
      creditCode: enterprises.creditCode,
      name: enterprises.name,
      industry: enterprises.industry,
      district: enterprises.district,
    })
    .from(enterprises)
    .where(
      inArray(
        enterprises.creditCode,
        rows.map((r) => r.creditCode),
      ),
    );
}
