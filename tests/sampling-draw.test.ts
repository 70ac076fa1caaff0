import { createHash, createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALGORITHM,
  canonicalJson,
  commitmentOf,
  draw,
  drawCount,
  FILE_FORMAT,
  GRADES,
  snapshotHash,
  Stream,
  verifyDrawFile,
  type DrawSnapshot,
  type Grade,
  type VerificationFile,
} from "../src/sampling/draw.ts";
import { hmacSha256, sha256, toHex, utf8 } from "../src/sampling/sha256.ts";

describe("sha256 / hmacSha256", () => {
  it("matches the FIPS 180-4 test vectors", () => {
    expect(toHex(sha256(utf8("")))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(toHex(sha256(utf8("abc")))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(toHex(sha256(utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("agrees with node:crypto on random inputs of every length around the block boundaries", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.uint8Array({ maxLength: 100 }),
        (data, key) => {
          expect(toHex(sha256(data))).toBe(createHash("sha256").update(data).digest("hex"));
          expect(toHex(hmacSha256(key, data))).toBe(createHmac("sha256", key).update(data).digest("hex"));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("Stream", () => {
  it("reads HMAC-SHA256(seed, label/counter) as big-endian words", () => {
    const seed = "00".repeat(32);
    const block = createHmac("sha256", seed).update("enterprises/B/0").digest();
    const s = new Stream(seed, "enterprises/B");
    for (let i = 0; i < 8; i++) expect(s.next()).toBe(block.readUInt32BE(i * 4));
    const second = createHmac("sha256", seed).update("enterprises/B/1").digest();
    expect(s.next()).toBe(second.readUInt32BE(0));
  });

  it("gives integers below n", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 2 ** 32 - 1 }), (seed, n) => {
        const v = new Stream(seed, "x").below(n);
        return Number.isInteger(v) && v >= 0 && v < n;
      }),
    );
  });
});

describe("drawCount", () => {
  it("is ceil(pool × ratio) in integers", () => {
    expect(drawCount(10, 300)).toBe(1);
    expect(drawCount(100, 300)).toBe(3);
    expect(drawCount(101, 300)).toBe(4);
    expect(drawCount(0, 3000)).toBe(0);
    expect(drawCount(7, 0)).toBe(0);
    expect(drawCount(7, 10000)).toBe(7);
  });
});

// ---- Property tests over random populations ----

const gradeArb = fc.constantFrom<Grade>(...GRADES);

/** A random snapshot: population, officer pool, conflicts and last inspections among them. */
const snapshotArb = fc
  .record({
    enterprises: fc.uniqueArray(
      fc.record({ n: fc.integer({ min: 0, max: 99_999 }), grade: gradeArb, triggered: fc.boolean() }),
      {
        selector: (e) => e.n,
        maxLength: 120,
      },
    ),
    officers: fc.uniqueArray(fc.integer({ min: 0, max: 9999 }), { maxLength: 12 }),
    ratios: fc.record({
      A: fc.integer({ min: 0, max: 10000 }),
      B: fc.integer({ min: 0, max: 10000 }),
      C: fc.integer({ min: 0, max: 10000 }),
      D: fc.integer({ min: 0, max: 10000 }),
    }),
    m: fc.integer({ min: 2, max: 4 }),
    conflicts: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 60 }),
    last: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 40 }),
  })
  .map(({ enterprises, officers, ratios, m, conflicts, last }): DrawSnapshot => {
    const ents = enterprises.map((e) => ({
      id: `e${e.n}`,
      creditCode: `91370100MA${String(e.n).padStart(7, "0")}X`,
      name: `企业${e.n}`,
      grade: e.grade,
      triggered: e.triggered,
    }));
    const offs = officers.map((n) => ({
      id: `o${n}`,
      name: `执法${n}`,
      credentialNo: `3701${String(n).padStart(6, "0")}`,
      departmentId: "d",
    }));
    const pickE = (i: number) => ents[i % Math.max(ents.length, 1)]?.id;
    const pickO = (i: number) => offs[i % Math.max(offs.length, 1)]?.id;
    const pairs = conflicts
      .map(([o, e]) => ({ officerId: pickO(o)!, enterpriseId: pickE(e)! }))
      .filter((p) => p.officerId && p.enterpriseId);
    const lastMap = new Map<string, Set<string>>();
    for (const [e, o1, o2] of last) {
      const ent = pickE(e);
      if (!ent || !offs.length) continue;
      lastMap.set(ent, new Set([pickO(o1)!, pickO(o2)!]));
    }
    return {
      algorithm: ALGORITHM,
      task: {
        id: "t",
        name: "测试",
        departments: [{ id: "d", name: "部门" }],
        items: [{ id: "i", code: "X-1", name: "事项" }],
        periodFrom: "2026-01-01",
        periodTo: "2026-01-31",
        filters: { districts: [], industries: [], riskLevels: [] },
        ratiosBp: ratios,
        inspectorsPerEnterprise: m,
      },
      enterprises: ents,
      officers: offs,
      lastInspection: [...lastMap].map(([enterpriseId, ids]) => ({ enterpriseId, officerIds: [...ids] })),
      conflicts: pairs,
    };
  });

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex"));

describe("draw (property tests over random populations)", () => {
  it("gives the same outcome for the same inputs, whatever their order", () => {
    fc.assert(
      fc.property(snapshotArb, seedArb, (snapshot, seed) => {
        const shuffled = {
          ...snapshot,
          enterprises: [...snapshot.enterprises].reverse(),
          officers: [...snapshot.officers].reverse(),
        };
        expect(canonicalJson(draw(shuffled, seed))).toBe(canonicalJson(draw(snapshot, seed)));
      }),
      { numRuns: 150 },
    );
  });

  it("draws ceil(pool × ratio) of each grade's untriggered enterprises, and every triggered one", () => {
    fc.assert(
      fc.property(snapshotArb, seedArb, (snapshot, seed) => {
        const result = draw(snapshot, seed);
        for (const g of GRADES) {
          const members = snapshot.enterprises.filter((e) => e.grade === g);
          const pool = members.filter((e) => !e.triggered).length;
          const picks = result.picks.filter((p) => p.grade === g);
          const expected = drawCount(pool, snapshot.task.ratiosBp[g]);
          expect(picks.filter((p) => !p.triggered)).toHaveLength(expected);
          expect(picks.filter((p) => p.triggered)).toHaveLength(members.length - pool);
          expect(result.grades.find((x) => x.grade === g)).toMatchObject({
            population: members.length,
            pool,
            drawn: expected,
          });
        }
        expect(new Set(result.picks.map((p) => p.enterpriseId)).size).toBe(result.picks.length);
      }),
      { numRuns: 150 },
    );
  });

  it("never assigns a conflict or a last-inspection officer, and staffs with m distinct pool officers", () => {
    fc.assert(
      fc.property(snapshotArb, seedArb, (snapshot, seed) => {
        const m = snapshot.task.inspectorsPerEnterprise;
        const pool = new Set(snapshot.officers.map((o) => o.id));
        for (const p of draw(snapshot, seed).picks) {
          const avoided = new Set([
            ...snapshot.conflicts.filter((c) => c.enterpriseId === p.enterpriseId).map((c) => c.officerId),
            ...(snapshot.lastInspection.find((l) => l.enterpriseId === p.enterpriseId)?.officerIds ?? []),
          ]);
          const eligible = [...pool].filter((o) => !avoided.has(o)).length;
          expect(p.eligibleOfficers).toBe(eligible);
          expect(p.staffed).toBe(eligible >= m);
          expect(p.officerIds).toHaveLength(p.staffed ? m : 0);
          expect(new Set(p.officerIds).size).toBe(p.officerIds.length);
          for (const o of p.officerIds) {
            expect(pool.has(o)).toBe(true);
            expect(avoided.has(o)).toBe(false);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("spreads the work: assignment counts of officers never differ by more than one when nobody is avoided", () => {
    fc.assert(
      fc.property(snapshotArb, seedArb, (snapshot, seed) => {
        const plain = { ...snapshot, conflicts: [], lastInspection: [] };
        const load = new Map(plain.officers.map((o) => [o.id, 0]));
        for (const p of draw(plain, seed).picks) for (const o of p.officerIds) load.set(o, load.get(o)! + 1);
        const counts = [...load.values()];
        if (counts.length) expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 100 },
    );
  });

  it("depends on the seed", () => {
    const snapshot = fixedSnapshot(60, 8, 5000);
    const outcomes = new Set(
      Array.from({ length: 5 }, () => canonicalJson(draw(snapshot, randomBytes(32).toString("hex")).picks)),
    );
    expect(outcomes.size).toBeGreaterThan(1);
  });
});

/** A fixed snapshot: `n` enterprises spread over the grades, `k` officers, one ratio for all grades. */
function fixedSnapshot(n: number, k: number, ratioBp: number): DrawSnapshot {
  return {
    algorithm: ALGORITHM,
    task: {
      id: "t",
      name: "测试",
      departments: [{ id: "d", name: "部门" }],
      items: [{ id: "i", code: "X-1", name: "事项" }],
      periodFrom: "2026-01-01",
      periodTo: "2026-01-31",
      filters: { districts: [], industries: [], riskLevels: [] },
      ratiosBp: { A: ratioBp, B: ratioBp, C: ratioBp, D: ratioBp },
      inspectorsPerEnterprise: 2,
    },
    enterprises: Array.from({ length: n }, (_, i) => ({
      id: `e${i}`,
      creditCode: `91370100MA${String(i).padStart(7, "0")}X`,
      name: `企业${i}`,
      grade: GRADES[i % 4]!,
      triggered: i % 17 === 0,
    })),
    officers: Array.from({ length: k }, (_, i) => ({
      id: `o${i}`,
      name: `执法${i}`,
      credentialNo: `3701${String(i).padStart(6, "0")}`,
      departmentId: "d",
    })),
    lastInspection: [{ enterpriseId: "e0", officerIds: ["o0", "o1"] }],
    conflicts: [{ officerId: "o2", enterpriseId: "e0" }],
  };
}

describe("verifyDrawFile", () => {
  const snapshot = fixedSnapshot(50, 6, 3000);
  const seed = "ab".repeat(32);
  const file = (): VerificationFile => ({
    format: FILE_FORMAT,
    taskId: "t",
    commitment: commitmentOf(seed),
    committedAt: "2026-01-01T00:00:00.000Z",
    seed,
    revealedAt: "2026-01-02T00:00:00.000Z",
    snapshotHash: snapshotHash(snapshot),
    snapshot: structuredClone(snapshot),
    result: draw(snapshot, seed),
  });

  it("accepts an honest file", () => {
    expect(verifyDrawFile(file())).toEqual({ ok: true, problems: [] });
  });

  it("catches a seed that does not match the commitment", () => {
    const f = file();
    f.commitment = commitmentOf("cd".repeat(32));
    const v = verifyDrawFile(f);
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toContain("承诺值");
  });

  it("catches an edited snapshot and an edited outcome", () => {
    const edited = file();
    edited.snapshot.enterprises = edited.snapshot.enterprises.slice(1);
    expect(verifyDrawFile(edited).problems.some((p) => p.includes("快照哈希"))).toBe(true);

    const swapped = file();
    const pick = swapped.result.picks.find((p) => p.staffed)!;
    pick.officerIds = [...pick.officerIds].reverse();
    const v = verifyDrawFile(swapped);
    expect(v.ok).toBe(false);
    expect(v.problems.join("\n")).toContain(pick.creditCode);
  });

  it("refuses a file without a revealed seed", () => {
    const f = file();
    f.seed = "";
    expect(verifyDrawFile(f).ok).toBe(false);
  });
});
