/**
 * The enterprise's evidence files: images with the checklist photos' own check, PDF and office
 * documents by their magic bytes. The declared type must be what the bytes are; names are the server's.
 */
import { sniffImageType } from "../lib/image-type.ts";
import type { UploadRoute } from "../lib/security.ts";

const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
const DOC = "application/msword";
const XLS = "application/vnd.ms-excel";

export const EVIDENCE_TYPES: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "application/pdf": "pdf",
  [DOCX]: "docx",
  [XLSX]: "xlsx",
  [PPTX]: "pptx",
  [DOC]: "doc",
  [XLS]: "xls",
};

export const EVIDENCE_UPLOAD: UploadRoute = {
  method: "POST",
  path: /^\/api\/enterprise\/actions\/[^/]+\/evidence$/,
  contentTypes: Object.keys(EVIDENCE_TYPES),
  maxBytes: 10 * 1024 * 1024,
};

const OOXML = new Set([DOCX, XLSX, PPTX]);
const OLE = new Set([DOC, XLS]);
const CONTENT_TYPES_ENTRY = new TextEncoder().encode("[Content_Types].xml");

function starts(bytes: Uint8Array, sig: number[]): boolean {
  return bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);
}

function contains(bytes: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * True when the bytes are a file of the declared type as far as their signature tells: an image by
 * sniffImageType, a PDF by `%PDF-`, an Office Open XML document by a zip holding `[Content_Types].xml`,
 * a legacy Word/Excel file by the OLE compound-file header.
 */
export function evidenceMatches(declared: string, bytes: Uint8Array): boolean {
  if (!(declared in EVIDENCE_TYPES)) return false;
  if (declared.startsWith("image/")) return sniffImageType(bytes) === declared;
  if (declared === "application/pdf") return starts(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d]);
  if (OOXML.has(declared))
    return starts(bytes, [0x50, 0x4b, 0x03, 0x04]) && contains(bytes, CONTENT_TYPES_ENTRY);
  if (OLE.has(declared)) return starts(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  return false;
}
