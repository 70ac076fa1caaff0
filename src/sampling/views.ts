import { eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { catalogItems, samplingFilings } from "../db/schema.ts";
import { iso } from "../lib/router.ts";
import type { TaskRow } from "./access.ts";
import { FILE_FORMAT, GRADES, type DrawResult, type DrawSnapshot, type VerificationFile } from "./draw.ts";

type FilingRow = typeof samplingFilings.$inferSelect;

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

/** Basis points → percent, as the API shows ratios. */
export const ratiosInPercent = (bp: Record<string, number>) =>
  Object.fromEntries(GRADES.map((g) => [g, (bp[g] ?? 0) / 100])) as Record<(typeof GRADES)[number], number>;

/**
 * Each drawn enterprise with its officers (name and 执法证 number only, as on the inspection code
 * page) and, once filed, what became of its filing.
 */
export function outcome(snapshot: DrawSnapshot, result: DrawResult, filings: FilingRow[]) {
  const enterprises = new Map(snapshot.enterprises.map((e) => [e.id, e]));
  const officers = new Map(snapshot.officers.map((o) => [o.id, o]));
  const filed = new Map(filings.map((f) => [f.enterpriseId, f]));
  return result.picks.map((p) => {
    const f = filed.get(p.enterpriseId);
    return {
      enterpriseId: p.enterpriseId,
      enterpriseName: enterprises.get(p.enterpriseId)?.name ?? "",
      creditCode: p.creditCode,
      grade: p.grade,
      triggered: p.triggered,
      staffed: p.staffed,
      eligibleOfficers: p.eligibleOfficers,
      officers: p.officerIds.map((id) => {
        const o = officers.get(id);
        return { id, name: o?.name ?? "", credentialNo: o?.credentialNo ?? "" };
      }),
      filing: f
        ? {
            outcome: f.outcome,
            inspectionId: f.inspectionId,
            conflictInspectionId: f.conflictInspectionId,
            message: f.message,
          }
        : null,
    };
  });
}

/** The task's catalog items in the task's order. */
export async function itemsOf(db: Db, row: TaskRow) {
  const ids = JSON.parse(row.itemIds) as string[];
  const rows = await db
    .select({ id: catalogItems.id, code: catalogItems.code, name: catalogItems.name })
    .from(catalogItems)
    .where(inArray(catalogItems.id, ids));
  return ids.map((id) => rows.find((r) => r.id === id)).filter((r) => r !== undefined);
}

/** The task as the API shows it; the seed only after the reveal. */
export async function taskView(db: Db, row: TaskRow, departments: { id: string; name: string }[]) {
  const snapshot = parse<DrawSnapshot>(row.snapshot);
  const result = parse<DrawResult>(row.result);
  const filings = result
    ? await db.select().from(samplingFilings).where(eq(samplingFilings.taskId, row.id))
    : [];
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    departments,
    items: await itemsOf(db, row),
    periodFrom: row.periodFrom,
    periodTo: row.periodTo,
    filters: JSON.parse(row.filters),
    ratios: ratiosInPercent(JSON.parse(row.ratiosBp)),
    triggeredCreditCodes: JSON.parse(row.triggeredCreditCodes) as string[],
    inspectorsPerEnterprise: row.inspectorsPerEnterprise,
    snapshotHash: row.snapshotHash,
    commitment: row.commitment,
    seed: row.revealedAt ? row.seed : null,
    grades: result?.grades ?? null,
    officerPool: snapshot?.officers.length ?? null,
    outcome: snapshot && result ? outcome(snapshot, result, filings) : null,
    createdAt: iso(row.createdAt)!,
    committedAt: iso(row.committedAt),
    drawnAt: iso(row.drawnAt),
    revealedAt: iso(row.revealedAt),
    filedAt: iso(row.filedAt),
  };
}

/** Population counts per grade of a frozen snapshot (known from the commit on, before the draw). */
export function populationCounts(snapshot: DrawSnapshot) {
  return GRADES.map((grade) => {
    const members = snapshot.enterprises.filter((e) => e.grade === grade);
    return { grade, population: members.length, triggered: members.filter((e) => e.triggered).length };
  });
}

/** The published verification file; only once the seed is revealed. */
export function verificationFile(row: TaskRow): VerificationFile | null {
  if (!row.revealedAt || !row.seed || !row.snapshot || !row.result) return null;
  return {
    format: FILE_FORMAT,
    taskId: row.id,
    commitment: row.commitment!,
    committedAt: iso(row.committedAt)!,
    seed: row.seed,
    revealedAt: iso(row.revealedAt)!,
    snapshotHash: row.snapshotHash!,
    snapshot: JSON.parse(row.snapshot) as DrawSnapshot,
    result: JSON.parse(row.result) as DrawResult,
  };
}
