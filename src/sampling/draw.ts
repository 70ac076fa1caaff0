/**
 * The 双随机 draw, algorithm `lianma-draw-v1` (specified in docs/SAMPLING.md so that anyone can
 * reimplement it). Pure: no database, no clock, no Node API. The server, `npm run verify-draw` and the
 * public page's verify button all run this module, so a published draw is recomputed by the very code
 * that made it — and by any independent implementation of the document.
 */
import { hmacSha256, sha256HexOf, utf8 } from "./sha256.ts";

export const ALGORITHM = "lianma-draw-v1";
export const FILE_FORMAT = "lianma-sampling-draw/1";
export const GRADES = ["A", "B", "C", "D"] as const;
export type Grade = (typeof GRADES)[number];

/** One enterprise of the frozen population. `triggered`: on the task's clue list, included without a draw. */
export interface SnapshotEnterprise {
  id: string;
  creditCode: string;
  name: string;
  grade: Grade;
  triggered: boolean;
}

/** One officer of the frozen pool: credentialed, active and valid over the whole period. */
export interface SnapshotOfficer {
  id: string;
  name: string;
  credentialNo: string;
  departmentId: string;
}

/** Everything the draw depends on besides the seed, frozen (and hashed) when the seed is committed. */
export interface DrawSnapshot {
  algorithm: typeof ALGORITHM;
  task: {
    id: string;
    name: string;
    departments: { id: string; name: string }[];
    items: { id: string; code: string; name: string }[];
    periodFrom: string;
    periodTo: string;
    filters: { districts: string[]; industries: string[]; riskLevels: string[] };
    /** Sampling ratio per credit grade in basis points (1 % = 100). */
    ratiosBp: Record<Grade, number>;
    inspectorsPerEnterprise: number;
  };
  enterprises: SnapshotEnterprise[];
  officers: SnapshotOfficer[];
  /** The pool officers who were on each enterprise's last inspection (回避: not again). */
  lastInspection: { enterpriseId: string; officerIds: string[] }[];
  /** Registered officer–enterprise conflicts (回避登记), reasons left out. */
  conflicts: { officerId: string; enterpriseId: string }[];
}

export interface GradeSummary {
  grade: Grade;
  population: number;
  triggered: number;
  /** Enterprises of the grade the ratio applies to (the population minus the triggered ones). */
  pool: number;
  ratioBp: number;
  drawn: number;
}

export interface DrawPick {
  enterpriseId: string;
  creditCode: string;
  grade: Grade;
  triggered: boolean;
  /** Officers who may inspect this enterprise (pool minus conflicts and its last inspection's officers). */
  eligibleOfficers: number;
  staffed: boolean;
  /** Empty when the enterprise cannot be staffed. */
  officerIds: string[];
}

export interface DrawResult {
  grades: GradeSummary[];
  picks: DrawPick[];
}

/** The file published for verification: inputs, commitment, revealed seed and outcome. */
export interface VerificationFile {
  format: typeof FILE_FORMAT;
  taskId: string;
  commitment: string;
  committedAt: string;
  seed: string;
  revealedAt: string;
  snapshotHash: string;
  snapshot: DrawSnapshot;
  result: DrawResult;
}

/** JSON with object keys sorted (UTF-16 order) and no whitespace: the bytes that are hashed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** sha256 hex of the canonical JSON of the snapshot. */
export const snapshotHash = (snapshot: DrawSnapshot): string => sha256HexOf(canonicalJson(snapshot));

/** The published commitment to a seed: sha256 hex of the seed string's UTF-8 bytes. */
export const commitmentOf = (seed: string): string => sha256HexOf(seed);

/** Number drawn from a grade's pool: ceil(pool × ratio), in integers. */
export const drawCount = (pool: number, ratioBp: number): number =>
  Math.floor((pool * ratioBp + 9999) / 10000);

/**
 * A keyed random stream: block i is HMAC-SHA256(key = seed, message = `${label}/${i}`), read as eight
 * big-endian 32-bit words in order.
 */
export class Stream {
  private counter = 0;
  private words: number[] = [];
  private readonly key: Uint8Array;

  constructor(
    seed: string,
    private readonly label: string,
  ) {
    this.key = utf8(seed);
  }

  /** The next 32-bit word. */
  next(): number {
    if (this.words.length === 0) {
      const block = hmacSha256(this.key, utf8(`${this.label}/${this.counter++}`));
      const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
      for (let i = 0; i < 8; i++) this.words.push(view.getUint32(i * 4));
    }
    return this.words.shift()!;
  }

  /** A uniform integer in [0, n), by rejection: words at or above the largest multiple of n are skipped. */
  below(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0xffff_ffff) throw new RangeError(`below(${n})`);
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
    for (;;) {
      const word = this.next();
      if (word < limit) return word % n;
    }
  }
}

const byCreditCode = (a: SnapshotEnterprise, b: SnapshotEnterprise) => compare(a.creditCode, b.creditCode);
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Partial Fisher–Yates: the first k of `items` after k swaps driven by `stream`. */
function partialShuffle<T>(items: readonly T[], k: number, stream: Stream): T[] {
  const a = [...items];
  for (let i = 0; i < k; i++) {
    const j = i + stream.below(a.length - i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, k);
}

/** Step 1: per grade A→D, the triggered enterprises (by credit code), then the drawn ones in draw order. */
function drawEnterprises(snapshot: DrawSnapshot, seed: string) {
  const grades: GradeSummary[] = [];
  const chosen: SnapshotEnterprise[] = [];
  for (const grade of GRADES) {
    const members = snapshot.enterprises.filter((e) => e.grade === grade).sort(byCreditCode);
    const triggered = members.filter((e) => e.triggered);
    const pool = members.filter((e) => !e.triggered);
    const ratioBp = snapshot.task.ratiosBp[grade];
    const k = Math.min(pool.length, drawCount(pool.length, ratioBp));
    const drawn = partialShuffle(pool, k, new Stream(seed, `enterprises/${grade}`));
    grades.push({
      grade,
      population: members.length,
      triggered: triggered.length,
      pool: pool.length,
      ratioBp,
      drawn: k,
    });
    chosen.push(...triggered, ...drawn);
  }
  return { grades, chosen };
}

/** Officer ids each enterprise must not get: registered conflicts and its last inspection's officers. */
function avoidanceSets(snapshot: DrawSnapshot): Map<string, Set<string>> {
  const avoid = new Map<string, Set<string>>();
  const add = (enterpriseId: string, officerId: string) => {
    if (!avoid.has(enterpriseId)) avoid.set(enterpriseId, new Set());
    avoid.get(enterpriseId)!.add(officerId);
  };
  for (const c of snapshot.conflicts) add(c.enterpriseId, c.officerId);
  for (const l of snapshot.lastInspection) for (const o of l.officerIds) add(l.enterpriseId, o);
  return avoid;
}

/**
 * Step 2: for each chosen enterprise in order, `m` distinct eligible officers; each one is drawn
 * uniformly among the remaining eligible officers with the lowest number of assignments so far
 * (ties in credential-number order), from the stream `officers/<credit code>`.
 */
function assignOfficers(snapshot: DrawSnapshot, seed: string, chosen: SnapshotEnterprise[]): DrawPick[] {
  const m = snapshot.task.inspectorsPerEnterprise;
  const officers = [...snapshot.officers].sort((a, b) => compare(a.credentialNo, b.credentialNo));
  const avoid = avoidanceSets(snapshot);
  const load = new Map(officers.map((o) => [o.id, 0]));
  return chosen.map((e) => {
    const excluded = avoid.get(e.id);
    let remaining = officers.filter((o) => !excluded?.has(o.id));
    const pick = { enterpriseId: e.id, creditCode: e.creditCode, grade: e.grade, triggered: e.triggered };
    if (remaining.length < m) {
      return { ...pick, eligibleOfficers: remaining.length, staffed: false, officerIds: [] };
    }
    const eligibleOfficers = remaining.length;
    const stream = new Stream(seed, `officers/${e.creditCode}`);
    const officerIds: string[] = [];
    for (let i = 0; i < m; i++) {
      const lowest = Math.min(...remaining.map((o) => load.get(o.id)!));
      const tier = remaining.filter((o) => load.get(o.id) === lowest);
      const officer = tier[stream.below(tier.length)]!;
      officerIds.push(officer.id);
      remaining = remaining.filter((o) => o.id !== officer.id);
    }
    for (const id of officerIds) load.set(id, load.get(id)! + 1);
    return { ...pick, eligibleOfficers, staffed: true, officerIds };
  });
}

/** The whole draw: deterministic in (snapshot, seed). */
export function draw(snapshot: DrawSnapshot, seed: string): DrawResult {
  const { grades, chosen } = drawEnterprises(snapshot, seed);
  return { grades, picks: assignOfficers(snapshot, seed, chosen) };
}

export interface Verification {
  ok: boolean;
  problems: string[];
}

const MAX_LISTED = 20;

/** Differences between a published result and the recomputed one, in words. */
function resultDifferences(published: DrawResult, recomputed: DrawResult): string[] {
  const problems: string[] = [];
  for (const g of recomputed.grades) {
    const p = published.grades?.find((x) => x.grade === g.grade);
    if (canonicalJson(p) !== canonicalJson(g)) {
      problems.push(`等级 ${g.grade}：公布 ${canonicalJson(p)}，重算 ${canonicalJson(g)}`);
    }
  }
  const picks = published.picks ?? [];
  if (picks.length !== recomputed.picks.length) {
    problems.push(`抽中企业数：公布 ${picks.length}，重算 ${recomputed.picks.length}`);
  }
  const n = Math.max(picks.length, recomputed.picks.length);
  for (let i = 0; i < n && problems.length < MAX_LISTED; i++) {
    const a = picks[i];
    const b = recomputed.picks[i];
    if (canonicalJson(a) !== canonicalJson(b)) {
      problems.push(`第 ${i + 1} 条：公布 ${canonicalJson(a)}，重算 ${canonicalJson(b)}`);
    }
  }
  return problems;
}

/** The shape checks a downloaded file must pass before anything is recomputed. */
function shapeProblems(file: VerificationFile): string[] {
  if (!file || typeof file !== "object") return ["文件不是 JSON 对象"];
  if (file.format !== FILE_FORMAT) return [`文件格式不是 ${FILE_FORMAT}`];
  if (file.snapshot?.algorithm !== ALGORITHM) return [`抽取算法不是 ${ALGORITHM}`];
  if (typeof file.seed !== "string" || !file.seed) return ["文件中没有公开的随机种子（尚未公示）"];
  const s = file.snapshot;
  if (!Array.isArray(s.enterprises) || !Array.isArray(s.officers) || !s.task?.ratiosBp) {
    return ["快照缺少企业、执法人员或抽查比例"];
  }
  if (!Array.isArray(s.lastInspection) || !Array.isArray(s.conflicts)) return ["快照缺少回避数据"];
  return [];
}

/**
 * Checks a published draw: the seed matches the commitment published before the draw, the snapshot
 * matches its hash, and recomputing the draw gives the published outcome.
 */
export function verifyDrawFile(file: VerificationFile): Verification {
  const shape = shapeProblems(file);
  if (shape.length) return { ok: false, problems: shape };
  const problems: string[] = [];
  if (commitmentOf(file.seed) !== file.commitment) {
    problems.push(`sha256(种子) = ${commitmentOf(file.seed)}，与事先公布的承诺值 ${file.commitment} 不符`);
  }
  const hash = snapshotHash(file.snapshot);
  if (hash !== file.snapshotHash) {
    problems.push(`快照哈希 ${hash} 与公布的 ${file.snapshotHash} 不符`);
  }
  problems.push(
    ...resultDifferences(file.result ?? { grades: [], picks: [] }, draw(file.snapshot, file.seed)),
  );
  return { ok: problems.length === 0, problems };
}
