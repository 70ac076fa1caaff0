import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, PDFHexString, PDFArray, type PDFImage } from "pdf-lib";
import QRCode from "qrcode";
import { createHash } from "node:crypto";
import { localDate } from "../lib/time.ts";
import { DOCUMENT_TITLES, type DocumentFacts, type NoticeFacts, type RecordFacts } from "./facts.ts";
import { Layout } from "./layout.ts";
import type { PdfFont } from "./font.ts";

/** Photos drawn as thumbnails; further ones (and WebP, which PDF cannot hold) are listed by their hash. */
const MAX_THUMBNAILS = 12;
/** A photo larger than this is listed, not embedded: PDF keeps a JPEG whole, it cannot shrink it. */
const MAX_THUMBNAIL_BYTES = 1_500_000;

const FONT_NAME = "NotoSansHans-Regular";
// A subset's name carries a six-letter tag; a fixed one keeps the bytes equal (pdf-lib's is derived
// from a seeded counter, which would change with the order fonts are embedded).
const SUBSET_NAME = `LIANMA+${FONT_NAME}`;

/** "2026年12月6日": the date as Chinese official documents write it. */
const cnDate = (ms: number, timeZone: string) => {
  const [year, month, day] = localDate(ms, timeZone).split("-").map(Number);
  return `${year}年${month}月${day}日`;
};

/**
 * Renders an official document from its facts. Deterministic: the same facts give the same bytes
 * (dates and the document ID come from the record, the subset's tag is fixed, no producer string
 * with a version or time), so a document's SHA-256 identifies it.
 */
export async function renderDocument(
  facts: DocumentFacts,
  font: PdfFont,
  timeZone: string,
): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  const pdfFont = await doc.embedFont(font.bytes, { subset: true, customName: SUBSET_NAME });
  const title = DOCUMENT_TITLES[facts.kind];
  const dated = new Date(facts.datedAt);
  doc.setTitle(`${title}（${facts.enterprise.name}）`, { showInWindowTitleBar: true });
  doc.setAuthor(facts.issuer);
  doc.setSubject(title);
  doc.setCreator("lianma 亮码");
  doc.setProducer("lianma 亮码 (pdf-lib)");
  doc.setCreationDate(dated);
  doc.setModificationDate(dated);
  doc.setLanguage("zh-CN");
  const id = createHash("sha256")
    .update(`lianma-document|${facts.inspectionId}|${facts.kind}|${facts.datedAt}`)
    .digest("hex")
    .slice(0, 32);
  doc.context.trailerInfo.ID = PDFArray.withContext(doc.context);
  (doc.context.trailerInfo.ID as PDFArray).push(PDFHexString.of(id));
  (doc.context.trailerInfo.ID as PDFArray).push(PDFHexString.of(id));

  const layout = new Layout(doc, pdfFont, font.clean);
  layout.text(facts.issuer, { size: 16, align: "center", after: 2 });
  layout.text(title, { size: 20, align: "center", after: 4 });
  layout.text(`文书编号：${facts.inspectionId}-${facts.kind === "notice" ? "TZ" : "BL"}`, {
    size: 9,
    align: "right",
    color: "faint",
    after: 6,
  });
  if (facts.kind === "notice") notice(layout, facts, timeZone);
  else await record(doc, layout, facts, timeZone);
  layout.finish(`${title}　${facts.enterprise.name}`);
  return doc.save({ useObjectStreams: true });
}

function officerLine(facts: DocumentFacts): string {
  const inspectors = facts.inspectors.map(
    (p) => `${p.name}（${p.department}，执法证号 ${p.credentialNo ?? "—"}）`,
  );
  return inspectors.join("、");
}

function notice(l: Layout, f: NoticeFacts, timeZone: string) {
  l.text(`${f.enterprise.name}（统一社会信用代码：${f.enterprise.creditCode}）：`, { size: 12, after: 4 });
  const basis = f.legalBasis.trim() || f.items.map((i) => i.legalBasis).join("；");
  const why = f.caseReason ? `（检查原因：${f.caseReason}）` : "";
  l.text(
    `根据${basis}的规定，本机关决定于${f.window.start}至${f.window.end}对你单位进行${f.typeLabel}${why}。${
      f.departments.length > 1 ? `本次检查为${f.departments.join("、")}联合检查（进一次门、查多项事）。` : ""
    }`,
    { indent: 2, after: 4 },
  );
  l.text("检查事项：", { indent: 2 });
  f.items.forEach((item, i) =>
    l.text(
      `${i + 1}. ${item.name}（事项编码 ${item.code}，检查方式：${item.method}；检查依据：${item.legalBasis}）`,
      {
        left: 22,
        after: 2,
      },
    ),
  );
  l.gap(4);
  l.text(`执法人员：${officerLine(f)}。执法人员应当主动出示执法证件，人数不少于两人。`, {
    indent: 2,
    after: 2,
  });
  if (f.helpers.length)
    l.text(`辅助人员：${f.helpers.map((p) => p.name).join("、")}（辅助人员不得单独实施检查）。`, {
      indent: 2,
      after: 2,
    });
  l.text("请你单位予以配合，如实提供与检查事项有关的资料、回答询问。检查不得超出上述事项。", {
    indent: 2,
    after: 4,
  });
  l.text("你单位依法享有下列权利：", { indent: 2 });
  f.rights.forEach((r, i) => l.text(`${i + 1}. ${r.title}：${r.text}`, { left: 22, size: 10, after: 2 }));
  if (f.lateFiling)
    l.text("（本次检查为紧急情况下的事后补办备案。）", { indent: 2, size: 10, color: "faint" });
  l.gap(24);
  l.ensure(60);
  l.text(`${f.issuer}（印章）`, { align: "right", after: 2 });
  l.text(cnDate(f.datedAt, timeZone), { align: "right" });
}

async function embed(doc: PDFDocument, contentType: string, bytes: Uint8Array): Promise<PDFImage | null> {
  try {
    if (contentType === "image/jpeg") return await doc.embedJpg(bytes);
    if (contentType === "image/png") return await doc.embedPng(bytes);
  } catch {
    // A photo the PDF library cannot read is listed by its hash like one it cannot hold.
  }
  return null;
}

async function record(doc: PDFDocument, l: Layout, f: RecordFacts, timeZone: string) {
  const field = (label: string, value: string) => l.text(`${label}：${value || "—"}`, { after: 1 });
  field("检查时间", `${f.startTime} 至 ${f.endTime}`);
  field("检查地点", f.place);
  field("被检查单位", `${f.enterprise.name}（统一社会信用代码：${f.enterprise.creditCode}）`);
  field("地址", f.enterprise.address);
  field("企业代表", f.representative);
  field("检查类别", `${f.typeLabel}${f.caseReason ? `（${f.caseReason}）` : ""}`);
  field("检查依据", f.legalBasis);
  field("执法人员", officerLine(f));
  if (f.helpers.length) field("辅助人员", f.helpers.map((p) => p.name).join("、"));
  field("权利告知", f.rightsNotified ? "已出示执法证件，已告知陈述、申辩、申请回避等权利" : "未记录");
  l.rule();

  l.text("一、检查情况", { size: 13, after: 2 });
  f.results.forEach((item, i) => {
    l.text(`（${i + 1}）${item.name}（事项编码 ${item.code}）`, { size: 11.5, after: 1 });
    l.text(`检查依据：${item.legalBasis}`, { left: 22, size: 9.5, color: "faint", after: 1 });
    if (!item.points.length) l.text("无适用的检查要点。", { left: 22, size: 10 });
    item.points.forEach((p, n) => l.text(`${n + 1}. ${p.point}　——　${p.result}`, { left: 22, size: 10.5 }));
    l.gap(4);
  });

  l.text("二、检查结果告知", { size: 13, after: 2 });
  const failures = f.results.flatMap((item) => item.failures.map((x) => ({ ...x, item: item.name })));
  if (!failures.length) l.text("本次检查未发现不合格事项。", { indent: 2, after: 4 });
  failures.forEach((x, i) =>
    l.text(
      `${i + 1}. 【${x.item}】${x.point}：不合格。整改要求：${x.requirement || "—"}；整改期限：${x.deadline || "—"}。`,
      {
        left: 22,
        after: 2,
      },
    ),
  );
  if (failures.length)
    l.text("请你单位在期限内完成整改并保留整改材料；对检查结果有异议的，可以陈述、申辩。", {
      indent: 2,
      after: 4,
    });

  await photoGrid(doc, l, f);
  await signatures(doc, l, f, timeZone);
}

async function photoGrid(doc: PDFDocument, l: Layout, f: RecordFacts) {
  l.text(`三、现场照片（共 ${f.photos.length} 张）`, { size: 13, after: 4 });
  if (!f.photos.length) {
    l.text("无。", { indent: 2, after: 4 });
    return;
  }
  const cols = 4;
  const gap = 8;
  const w = (l.width - gap * (cols - 1)) / cols;
  const h = w * 0.75;
  const listed: string[] = [];
  let col = 0;
  let shown = 0;
  for (const [i, photo] of f.photos.entries()) {
    const image =
      shown < MAX_THUMBNAILS && photo.bytes.length <= MAX_THUMBNAIL_BYTES
        ? await embed(doc, photo.contentType, photo.bytes)
        : null;
    if (!image) {
      listed.push(`照片 ${i + 1}：SHA-256 ${photo.sha256}`);
      continue;
    }
    if (col === 0) l.ensure(h + 16);
    l.image(image, col * (w + gap), l.y, w, h);
    l.caption(`照片 ${i + 1}`, col * (w + gap), l.y - h - 10, w);
    shown += 1;
    col = (col + 1) % cols;
    if (col === 0) l.gap(h + 16);
  }
  if (col !== 0) l.gap(h + 16);
  if (listed.length) {
    l.text("未嵌入本文书的照片（原件存于系统，可按 SHA-256 核对）：", { size: 9.5, color: "faint" });
    for (const line of listed) l.text(line, { left: 22, size: 8.5, color: "faint" });
  }
  l.gap(4);
}

async function signatures(doc: PDFDocument, l: Layout, f: RecordFacts, timeZone: string) {
  l.ensure(140);
  l.text("四、签名", { size: 13, after: 4 });
  const boxW = 150;
  const boxH = 56;
  const rows: { label: string; png: Uint8Array | null }[] = [
    ...f.officerSignatures,
    { label: `企业代表签名：${f.representative}`, png: f.enterpriseSignature },
  ];
  for (const row of rows) {
    l.ensure(boxH + 8);
    const top = l.y;
    l.text(row.label, { size: 10, right: boxW + 16 });
    l.y = top;
    const image = row.png ? await embed(doc, "image/png", row.png) : null;
    if (image) l.image(image, l.width - boxW, top, boxW, boxH);
    else l.caption("（未签名）", l.width - boxW, top - boxH / 2, boxW, 10);
    l.page.drawLine({
      start: { x: l.left + l.width - boxW, y: top - boxH },
      end: { x: l.left + l.width, y: top - boxH },
      thickness: 0.5,
    });
    l.y = top - boxH - 8;
  }
  l.text(`登记时间：${cnDate(f.datedAt, timeZone)}`, { align: "right", after: 10 });

  const side = 96;
  l.ensure(side + 20);
  const top = l.y;
  l.qr(QRCode.create(f.codeUrl, { errorCorrectionLevel: "M" }).modules, 0, top, side);
  l.y = top - 8;
  l.text("扫码核验本次检查、查看检查结果，并对检查进行评价（评价直接报送司法局）：", {
    left: side + 14,
    size: 10,
  });
  l.text(f.codeUrl, { left: side + 14, size: 8, color: "faint" });
  l.y = Math.min(l.y, top - side - 8);
}
