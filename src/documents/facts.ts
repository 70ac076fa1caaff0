import { and, asc, eq, inArray } from "drizzle-orm";
import { referencedPhotoIds } from "../checklists/answers.ts";
import { FIXED, POINT_CHOICES } from "../checklists/metadata.ts";
import { checkpointResults, summarizeChecklist } from "../checklists/summary.ts";
import type { Db } from "../db/client.ts";
import {
  catalogItems,
  checklists,
  departments,
  enterprises,
  inspectionDepartments,
  inspectionItems,
  inspectionOfficers,
  officers,
  photos,
} from "../db/schema.ts";
import type { DocumentKind } from "../db/schema-documents.ts";
import { ENTERPRISE_RIGHTS } from "../evaluations/rights.ts";
import { TYPE_LABELS } from "../inspections/labels.ts";
import type { InspectionRow } from "../inspections/access.ts";
import { localDateTime } from "../lib/time.ts";

type Json = Record<string, unknown>;

/** Statuses in which each document exists: the notice once the filing is approved, the record once registered. */
export const DOCUMENT_STATUSES: Record<DocumentKind, readonly InspectionRow["status"][]> = {
  notice: ["approved", "in_progress", "registered", "evaluated", "closed"],
  record: ["registered", "evaluated", "closed"],
};

export const DOCUMENT_TITLES: Record<DocumentKind, string> = {
  notice: "行政检查通知书",
  record: "现场检查笔录（检查结果告知书）",
};

export interface PersonFact {
  name: string;
  department: string;
  /** 执法证号; null for helpers (辅助人员), who never count as inspectors. */
  credentialNo: string | null;
}

/** What both documents say: only stored values, never "now", so the same record gives the same bytes. */
export interface CommonFacts {
  inspectionId: string;
  issuer: string;
  departments: string[];
  enterprise: { name: string; creditCode: string; address: string; legalRepresentative: string };
  typeLabel: string;
  caseReason: string | null;
  window: { start: string; end: string };
  legalBasis: string;
  items: { code: string; name: string; legalBasis: string; method: string }[];
  inspectors: PersonFact[];
  helpers: PersonFact[];
  /** The record's own time the document is dated from (approval; registration). */
  datedAt: number;
}

export interface NoticeFacts extends CommonFacts {
  kind: "notice";
  lateFiling: boolean;
  rights: { title: string; text: string }[];
}

export interface RecordPhoto {
  contentType: string;
  sha256: string;
  bytes: Uint8Array;
}

export interface RecordFacts extends CommonFacts {
  kind: "record";
  place: string;
  startTime: string;
  endTime: string;
  rightsNotified: boolean;
  results: {
    code: string;
    name: string;
    legalBasis: string;
    points: { point: string; result: string }[];
    failures: { point: string; requirement: string; deadline: string }[];
  }[];
  photos: RecordPhoto[];
  /** Each officer's signature as signed: the question's title names the officer and the credential. */
  officerSignatures: { label: string; png: Uint8Array | null }[];
  representative: string;
  enterpriseSignature: Uint8Array | null;
  /** The public page of the inspection (/i/:code), printed as a QR code. */
  codeUrl: string;
}

export type DocumentFacts = NoticeFacts | RecordFacts;

const RESULT_TEXT = Object.fromEntries(POINT_CHOICES.map((c) => [c.value, c.text])) as Record<string, string>;
const text = (value: unknown) => (typeof value === "string" ? value : "");

function pngOf(value: unknown): Uint8Array | null {
  const match = typeof value === "string" ? /^data:image\/png;base64,(.+)$/.exec(value) : null;
  return match ? new Uint8Array(Buffer.from(match[1]!, "base64")) : null;
}

async function commonFacts(db: Db, row: InspectionRow, timeZone: string, datedAt: number) {
  const [firm] = await db.select().from(enterprises).where(eq(enterprises.id, row.enterpriseId));
  const depts = await db
    .select({ id: departments.id, name: departments.name })
    .from(inspectionDepartments)
    .innerJoin(departments, eq(departments.id, inspectionDepartments.departmentId))
    .where(eq(inspectionDepartments.inspectionId, row.id))
    .orderBy(asc(inspectionDepartments.joinedAt), asc(departments.name));
  const deptName = new Map(depts.map((d) => [d.id, d.name]));
  const people = await db
    .select({
      id: officers.id,
      name: officers.name,
      departmentId: officers.departmentId,
      isHelper: inspectionOfficers.isHelper,
      credentialNo: officers.credentialNo,
    })
    .from(inspectionOfficers)
    .innerJoin(officers, eq(officers.id, inspectionOfficers.officerId))
    .where(eq(inspectionOfficers.inspectionId, row.id))
    .orderBy(asc(officers.name), asc(officers.id));
  const items = await db
    .select({
      code: catalogItems.code,
      name: catalogItems.name,
      legalBasis: catalogItems.legalBasis,
      method: catalogItems.method,
    })
    .from(inspectionItems)
    .innerJoin(catalogItems, eq(catalogItems.id, inspectionItems.itemId))
    .where(eq(inspectionItems.inspectionId, row.id))
    .orderBy(asc(catalogItems.code));
  const person = (p: (typeof people)[number]): PersonFact => ({
    name: p.name,
    department: deptName.get(p.departmentId) ?? "",
    credentialNo: p.isHelper ? null : p.credentialNo,
  });
  const common: CommonFacts = {
    inspectionId: row.id,
    issuer: deptName.get(row.leadDepartmentId) ?? "",
    departments: depts.map((d) => d.name),
    enterprise: {
      name: firm?.name ?? "",
      creditCode: firm?.creditCode ?? "",
      address: firm?.address ?? "",
      legalRepresentative: firm?.legalRepresentative ?? "",
    },
    typeLabel: TYPE_LABELS[row.type],
    caseReason: row.type === "case" ? row.caseReason : null,
    window: {
      start: localDateTime(row.plannedStart, timeZone),
      end: localDateTime(row.plannedEnd, timeZone),
    },
    legalBasis: row.legalBasis,
    items,
    inspectors: people.filter((p) => !p.isHelper).map(person),
    helpers: people.filter((p) => p.isHelper).map(person),
    datedAt,
  };
  return common;
}

/** The facts of the 行政检查通知书, read from the stored filing. */
export async function noticeFacts(db: Db, row: InspectionRow, timeZone: string): Promise<NoticeFacts> {
  const common = await commonFacts(db, row, timeZone, row.decidedAt ?? row.filedAt);
  return { ...common, kind: "notice", lateFiling: row.lateFiling, rights: ENTERPRISE_RIGHTS };
}

/** The facts of the 现场检查笔录, read from the registered checklist; null while it is not submitted. */
export async function recordFacts(
  db: Db,
  row: InspectionRow,
  timeZone: string,
  codeUrl: string,
): Promise<RecordFacts | null> {
  const [checklist] = await db
    .select()
    .from(checklists)
    .where(and(eq(checklists.inspectionId, row.id), eq(checklists.status, "submitted")));
  if (!checklist || checklist.submittedAt === null) return null;
  const schema = JSON.parse(checklist.schema) as Json;
  const data = JSON.parse(checklist.data) as Json;
  const common = await commonFacts(db, row, timeZone, checklist.submittedAt);
  const points = new Map(checkpointResults(schema, data).map((p) => [p.code, p.points]));
  const results = summarizeChecklist(schema, data).map((item) => ({
    code: item.code,
    name: item.name,
    legalBasis: item.legalBasis,
    points: (points.get(item.code) ?? []).map((p) => ({ point: p.point, result: RESULT_TEXT[p.result]! })),
    failures: item.failures,
  }));
  const photoIds = referencedPhotoIds(schema, data);
  const stored = photoIds.length
    ? await db
        .select({ id: photos.id, contentType: photos.contentType, sha256: photos.sha256, data: photos.data })
        .from(photos)
        .where(and(eq(photos.inspectionId, row.id), inArray(photos.id, photoIds)))
    : [];
  const byId = new Map(stored.map((p) => [p.id, p]));
  const signatures: RecordFacts["officerSignatures"] = [];
  for (const page of Array.isArray(schema.pages) ? (schema.pages as Json[]) : []) {
    for (const el of Array.isArray(page.elements) ? (page.elements as Json[]) : []) {
      const name = text(el.name);
      if (el.type === "signaturepad" && name.startsWith("officer_signature_"))
        signatures.push({ label: text(el.title) || "执法人员签名", png: pngOf(data[name]) });
    }
  }
  return {
    ...common,
    kind: "record",
    place: text(data[FIXED.place]),
    startTime: text(data[FIXED.start]).replace("T", " "),
    endTime: text(data[FIXED.end]).replace("T", " "),
    rightsNotified: data[FIXED.rights] === true,
    results,
    photos: photoIds.flatMap((id) => {
      const p = byId.get(id);
      return p ? [{ contentType: p.contentType, sha256: p.sha256, bytes: new Uint8Array(p.data) }] : [];
    }),
    officerSignatures: signatures,
    representative: text(data[FIXED.representative]),
    enterpriseSignature: pngOf(data[FIXED.enterpriseSignature]),
    codeUrl,
  };
}
