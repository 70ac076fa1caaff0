import { and, eq } from "drizzle-orm";
import { PNG as PngImage } from "pngjs";
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, checklists, enterprises, inspections, officers } from "../src/db/schema.ts";
import { issuedDocuments } from "../src/db/schema-documents.ts";
import { newId } from "../src/lib/ids.ts";
import { enterpriseCall, enterpriseSession } from "./enterprise-fixtures.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import { catalogItem, departmentWithStaff, enterprise, publishedChecklist } from "./inspection-fixtures.ts";
import { pdfText } from "./pdf-text.ts";
import { signInspectionCode } from "../src/inspections/code.ts";
import { TEST_SECRET } from "./evaluation-fixtures.ts";
import { inspectionDepartments, inspectionItems, inspectionOfficers } from "../src/db/schema.ts";
import { WORKER_TARGET } from "./worker/target.ts";

type Json = Record<string, any>;

const FORM = {
  elements: [
    { type: "radiogroup", name: "license", title: "证照是否有效", choices: ["y", "n"] },
    { type: "radiogroup", name: "records", title: "台账是否齐全", choices: ["y", "n"] },
  ],
};

/** A real (decodable) PNG of `w`×`h` pixels, so the PDF embeds it as an image. */
function png(w: number, h: number, shade: number): Buffer {
  const image = new PngImage({ width: w, height: h });
  for (let i = 0; i < w * h; i++) image.data.set([shade, 120, 255 - shade, 255], i * 4);
  return PngImage.sync.write(image);
}
const SIGNATURE = `data:image/png;base64,${png(60, 20, 30).toString("base64")}`;

let t: TestApp;
let staff: Awaited<ReturnType<typeof departmentWithStaff>>;
let other: Awaited<ReturnType<typeof departmentWithStaff>>;
let officerSession: Session;
let inspectionId: string;
let enterpriseId: string;
let credentialNos: string[];

async function approvedInspection(itemId: string, status: "filed" | "approved" = "approved") {
  const id = newId();
  const now = Date.now();
  await t.db.insert(inspections).values({
    id,
    enterpriseId,
    leadDepartmentId: staff.departmentId,
    type: "routine",
    status,
    plannedStart: now + 3_600_000,
    plannedEnd: now + 7_200_000,
    legalBasis: "《中华人民共和国食品安全法》第一百一十条",
    filedAt: now - 86_400_000,
    decidedAt: status === "approved" ? now - 3_600_000 : null,
    codeNonce: newId(),
    createdAt: now,
    updatedAt: now,
  });
  await t.db
    .insert(inspectionDepartments)
    .values({ inspectionId: id, departmentId: staff.departmentId, joinedAt: now });
  await t.db.insert(inspectionOfficers).values([
    { inspectionId: id, officerId: staff.officerIds[0]!, isHelper: false },
    { inspectionId: id, officerId: staff.officerIds[1]!, isHelper: false },
    { inspectionId: id, officerId: staff.helperId, isHelper: true },
  ]);
  await t.db.insert(inspectionItems).values({ inspectionId: id, itemId, departmentId: staff.departmentId });
  return id;
}

const shanghaiClock = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);

async function register(id = inspectionId) {
  expect((await t.call(officerSession, "GET", `/api/inspections/${id}/checklist`)).status).toBe(200);
  const photoIds: string[] = [];
  for (const shade of [40, 200]) {
    const res = await t.app.request(`/api/inspections/${id}/photos`, {
      method: "POST",
      headers: {
        Cookie: officerSession.cookie,
        "X-CSRF-Token": officerSession.csrf,
        "Content-Type": "image/png",
      },
      body: new Uint8Array(png(64, 48, shade)),
    });
    expect(res.status).toBe(201);
    photoIds.push(((await res.json()) as Json).url);
  }
  const data = {
    inspection_place: "一号车间",
    start_time: shanghaiClock(Date.now() - 30 * 60_000),
    end_time: shanghaiClock(Date.now()),
    i1__license: "pass",
    i1__records: "fail",
    i1__records__requirement: "补齐进货查验台账",
    i1__records__deadline: "2099-12-31",
    photos: photoIds.map((url, i) => ({ name: `现场${i}.png`, type: "image/png", content: url })),
    rights_notified: true,
    officer_signature_1: SIGNATURE,
    officer_signature_2: SIGNATURE,
    enterprise_representative: "王五",
    enterprise_signature: SIGNATURE,
  };
  const res = await t.call(officerSession, "POST", `/api/inspections/${id}/checklist/submit`, { data });
  expect(res.status).toBe(200);
}

async function download(session: Session | null, kind: string, id = inspectionId) {
  const res = await t.call(session, "GET", `/api/inspections/${id}/documents/${kind}`);
  const bytes = res.status === 200 ? new Uint8Array(await res.arrayBuffer()) : null;
  return { res, bytes };
}

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const issuedRows = (kind: string) =>
  t.db
    .select()
    .from(issuedDocuments)
    .where(and(eq(issuedDocuments.inspectionId, inspectionId), eq(issuedDocuments.kind, kind as "notice")));
const issuedAudit = () =>
  t.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, "document.issued"), eq(auditLog.targetId, inspectionId)));

beforeEach(async () => {
  t = await makeTestApp();
  staff = await departmentWithStaff(t, "scjg");
  other = await departmentWithStaff(t, "xf");
  officerSession = await t.login(staff.officerLogin);
  enterpriseId = await enterprise(t, "济南泉城食品有限公司");
  const itemId = await catalogItem(t, staff.departmentId, "SC-101", {
    checklistFormId: await publishedChecklist(t, FORM),
  });
  inspectionId = await approvedInspection(itemId);
  credentialNos = [];
  for (const id of staff.officerIds) {
    const [o] = await t.db.select({ no: officers.credentialNo }).from(officers).where(eq(officers.id, id));
    credentialNos.push(o!.no!);
  }
});

describe("GET /api/inspections/:id/documents/notice", () => {
  it("renders the 行政检查通知书 with the officers' credential numbers, the items and the rights", async () => {
    const { res, bytes } = await download(officerSession, "notice");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const text = (await pdfText(bytes!)).pages.join("\n");
    expect(text).toContain("行政检查通知书");
    expect(text).toContain("济南泉城食品有限公司");
    for (const no of credentialNos) expect(text).toContain(no);
    expect(text).toContain("SC-101");
    expect(text).toContain("《中华人民共和国食品安全法》第一百一十条");
    expect(text).toContain("申请回避");
    expect(text).not.toContain("辅助人员：scjg甲");
  });

  it("gives byte-identical PDFs for the same record, issues it once and puts its SHA-256 in the audit chain", async () => {
    const first = await download(officerSession, "notice");
    const second = await download(await t.login("scjg-head"), "notice");
    expect(first.res.status).toBe(200);
    expect(second.res.status).toBe(200);
    expect(sha(second.bytes!)).toBe(sha(first.bytes!));
    expect(first.res.headers.get("x-document-sha256")).toBe(sha(first.bytes!));
    const rows = await issuedRows("notice");
    expect(rows.map((r) => [r.version, r.sha256, r.channel])).toEqual([[1, sha(first.bytes!), "staff"]]);
    const lines = await issuedAudit();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!.detail)).toMatchObject({ kind: "notice", sha256: sha(first.bytes!) });
    expect(lines[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("issues once when two first downloads race", async () => {
    const [a, b] = await Promise.all([
      download(officerSession, "notice"),
      download(officerSession, "notice"),
    ]);
    expect([a.res.status, b.res.status]).toEqual([200, 200]);
    expect(sha(a.bytes!)).toBe(sha(b.bytes!));
    expect(await issuedRows("notice")).toHaveLength(1);
    expect(await issuedAudit()).toHaveLength(1);
  });

  it("prints □ for a character the font cannot draw instead of dropping it", async () => {
    await t.db
      .update(enterprises)
      .set({ name: "济南\ue000食品有限公司" })
      .where(eq(enterprises.id, enterpriseId));
    const { bytes } = await download(officerSession, "notice");
    expect((await pdfText(bytes!)).pages.join("")).toContain("济南□食品有限公司");
  });

  it("is dated from the approval, not from the download", async () => {
    const { bytes } = await download(officerSession, "notice");
    const { info } = await pdfText(bytes!);
    const [row] = await t.db.select().from(inspections).where(eq(inspections.id, inspectionId));
    const approved = new Date(row!.decidedAt!).toISOString().replace(/[-:T]/g, "").slice(0, 14);
    expect(String(info.CreationDate)).toContain(approved);
    expect(String(info.ModDate)).toContain(approved);
  });

  it("answers 409 while the filing is not approved", async () => {
    const itemId = await catalogItem(t, staff.departmentId, "SC-909");
    const pending = await approvedInspection(itemId, "filed");
    const { res } = await download(officerSession, "notice", pending);
    expect(res.status).toBe(409);
    expect(((await res.json()) as Json).error.code).toBe("document_not_available");
  });
});

describe("GET /api/inspections/:id/documents/record", () => {
  it("answers 409 until the checklist is registered", async () => {
    expect((await download(officerSession, "record")).res.status).toBe(409);
  });

  it("renders results per point, requirement and deadline, photos, signatures and the QR link", async () => {
    await register();
    const { res, bytes } = await download(officerSession, "record");
    expect(res.status).toBe(200);
    const text = (await pdfText(bytes!)).pages.join("\n");
    expect(text).toContain("现场检查笔录");
    expect(text).toMatch(/证照是否有效\s*——\s*合格/);
    expect(text).toMatch(/台账是否齐全\s*——\s*不合格/);
    expect(text).toContain("补齐进货查验台账");
    expect(text).toContain("2099-12-31");
    expect(text).toContain("一号车间");
    expect(text).toContain("企业代表签名：王五");
    for (const no of credentialNos) expect(text).toContain(no);
    expect(text).toContain("现场照片（共 2 张）");
    expect(text).toMatch(/\/i\/[0-9a-z]+\.[0-9a-z]+\./);
    // Both photos and the three signatures are embedded as images.
    const images =
      Buffer.from(bytes!)
        .toString("latin1")
        .match(/\/Subtype \/Image/g) ?? [];
    expect(images.length).toBe(5);
  });

  it("keeps the hash across generations, and a changed record is a new version with the old one kept", async () => {
    await register();
    const a = await download(officerSession, "record");
    const b = await download(officerSession, "record");
    expect(sha(b.bytes!)).toBe(sha(a.bytes!));
    const [row] = await t.db.select().from(checklists).where(eq(checklists.inspectionId, inspectionId));
    const data = JSON.parse(row!.data) as Json;
    await t.db
      .update(checklists)
      .set({ data: JSON.stringify({ ...data, i1__records__deadline: "2099-11-30" }) })
      .where(eq(checklists.inspectionId, inspectionId));
    const c = await download(officerSession, "record");
    expect(sha(c.bytes!)).not.toBe(sha(a.bytes!));
    expect((await pdfText(c.bytes!)).pages.join("")).toContain("2099-11-30");
    expect(c.res.headers.get("x-document-version")).toBe("2");
    const rows = await issuedRows("record");
    expect(rows.map((r) => [r.version, r.sha256]).sort()).toEqual([
      [1, sha(a.bytes!)],
      [2, sha(c.bytes!)],
    ]);
    const lines = (await issuedAudit()).map((l) => JSON.parse(l.detail).sha256);
    expect(lines.sort()).toEqual([sha(a.bytes!), sha(c.bytes!)].sort());
    const listed = await t.call(officerSession, "GET", `/api/inspections/${inspectionId}/documents`);
    const body = (await listed.json()) as Json;
    expect(body.available.map((d: Json) => d.kind)).toEqual(["notice", "record"]);
    expect(body.issued.map((d: Json) => [d.kind, d.version])).toEqual([
      ["record", 1],
      ["record", 2],
    ]);
  });
});

describe.skipIf(WORKER_TARGET)("the record's printed origin without PUBLIC_URL", () => {
  it("refuses a Host port the server does not listen on instead of issuing a new version per port", async () => {
    await register();
    const own = await enterpriseSession(t, enterpriseId);
    // What @hono/node-server hands the app: the socket the request arrived on (here port 80).
    const socket = { incoming: { socket: { localPort: 80 } } };
    const get = (host: string) =>
      t.app.request(
        `http://${host}/api/enterprise/inspections/${inspectionId}/documents/record`,
        { headers: { Cookie: own.cookie } },
        socket,
      );
    expect((await get("localhost")).status).toBe(200);
    for (const host of ["localhost:81", "localhost:8080"]) {
      const res = await get(host);
      expect(res.status).toBe(409);
      expect(((await res.json()) as Json).error.code).toBe("public_url_required");
    }
    expect(await issuedRows("record")).toHaveLength(1);
    expect(await issuedAudit()).toHaveLength(1);
  });
});

describe("who may download", () => {
  it("refuses another department (404) and an officer not on the visit (403); supervisors read", async () => {
    const otherOfficer = await t.login(other.officerLogin);
    const otherHead = await t.login(other.head);
    expect((await download(otherOfficer, "notice")).res.status).toBe(404);
    expect((await download(otherHead, "notice")).res.status).toBe(404);
    await t.user("scjg-bystander", "officer", staff.departmentId);
    expect((await download(await t.login("scjg-bystander"), "notice")).res.status).toBe(403);
    await t.user("jdc", "supervisor");
    expect((await download(await t.login("jdc"), "notice")).res.status).toBe(200);
    expect((await download(null, "notice")).res.status).toBe(401);
    expect(await issuedRows("notice")).toHaveLength(1);
  });

  it("gives the enterprise its own documents in the portal, the same bytes as staff get; another enterprise 404", async () => {
    await register();
    const staffCopy = await download(officerSession, "record");
    const own = await enterpriseSession(t, enterpriseId);
    const res = await enterpriseCall(
      t,
      own,
      "GET",
      `/api/enterprise/inspections/${inspectionId}/documents/record`,
    );
    expect(res.status).toBe(200);
    expect(sha(new Uint8Array(await res.arrayBuffer()))).toBe(sha(staffCopy.bytes!));
    expect(await issuedRows("record")).toHaveLength(1);
    const stranger = await enterpriseSession(t, await enterprise(t, "别家公司"));
    const refused = await enterpriseCall(
      t,
      stranger,
      "GET",
      `/api/enterprise/inspections/${inspectionId}/documents/record`,
    );
    expect(refused.status).toBe(404);
  });

  it("gives the notice to the holder of the code, the record only to the inspected enterprise signed in", async () => {
    await register();
    const [row] = await t.db.select().from(inspections).where(eq(inspections.id, inspectionId));
    const code = signInspectionCode(TEST_SECRET, row!.id, row!.plannedEnd + 86_400_000, row!.codeNonce);
    const path = (kind: string) => `/api/public/inspections/${code}/documents/${kind}`;
    const notice = await t.app.request(path("notice"));
    expect(notice.status).toBe(200);
    expect(notice.headers.get("referrer-policy")).toBe("no-referrer");
    const anonymousRecord = await t.app.request(path("record"));
    expect(anonymousRecord.status).toBe(403);
    const stranger = await enterpriseSession(t, await enterprise(t, "别家公司"));
    expect((await enterpriseCall(t, stranger, "GET", path("record"))).status).toBe(403);
    const own = await enterpriseSession(t, enterpriseId);
    const record = await enterpriseCall(t, own, "GET", path("record"));
    expect(record.status).toBe(200);
    const forged = await t.app.request(`/api/public/inspections/${code.slice(0, -2)}xx/documents/notice`);
    expect(forged.status).toBe(401);
  });
});
