import { Model, type SurveyModel } from "survey-core";
import type { FieldError } from "../forms/validation-types.ts";
import { canonicalJson } from "../lib/ids.ts";

type Json = Record<string, unknown>;

/** Where a photo of an inspection is served; the photo answer stores this URL. */
export const photoUrl = (inspectionId: string, photoId: string) =>
  `/api/inspections/${inspectionId}/photos/${photoId}`;

const MAX_SIGNATURE_CHARS = 600_000;
const SIGNATURE = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/;
const PHOTO_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);

function* elementsOf(list: unknown): Generator<Json> {
  if (!Array.isArray(list)) return;
  for (const el of list) {
    if (typeof el !== "object" || el === null) continue;
    yield el as Json;
    yield* elementsOf((el as Json).elements);
  }
}

/** Names of the root-level file and signature questions of a schema. */
export function mediaFields(schema: Json): { files: string[]; signatures: string[] } {
  const files: string[] = [];
  const signatures: string[] = [];
  for (const page of Array.isArray(schema.pages) ? schema.pages : []) {
    for (const el of elementsOf((page as Json).elements)) {
      if (typeof el.name !== "string") continue;
      if (el.type === "file") files.push(el.name);
      if (el.type === "signaturepad") signatures.push(el.name);
    }
  }
  return { files, signatures };
}

/** Photo ids the answers refer to (by URL), whatever inspection the URL names. */
export function referencedPhotoIds(schema: Json, data: Json): string[] {
  const ids: string[] = [];
  for (const name of mediaFields(schema).files) {
    const value = data[name];
    if (!Array.isArray(value)) continue;
    for (const entry of value) {
      const content = (entry as Json | null)?.content;
      const match = typeof content === "string" ? /\/photos\/([0-9a-z]{1,64})$/.exec(content) : null;
      if (match) ids.push(match[1]!);
    }
  }
  return ids;
}

/**
 * survey-core accepts any value for file and signature questions. Here a photo answer must list
 * uploads of this very inspection (`knownPhotoIds`) by their URL, and a signature must be a PNG data URL.
 */
export function mediaProblems(
  schema: Json,
  data: Json,
  inspectionId: string,
  knownPhotoIds: Set<string>,
): FieldError[] {
  const errors: FieldError[] = [];
  const { files, signatures } = mediaFields(schema);
  for (const name of files) {
    const value = data[name];
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value) || value.length > 100) {
      errors.push({ name, message: "照片答案格式不正确" });
      continue;
    }
    value.forEach((entry: unknown, i) => {
      const e = (typeof entry === "object" && entry !== null ? entry : {}) as Json;
      const content = typeof e.content === "string" ? e.content : "";
      const photoId = content.split("/").pop() ?? "";
      const ok =
        typeof e.name === "string" &&
        e.name.length <= 255 &&
        typeof e.type === "string" &&
        PHOTO_TYPES.has(e.type) &&
        content === photoUrl(inspectionId, photoId) &&
        knownPhotoIds.has(photoId);
      if (!ok) errors.push({ name: `${name}[${i}]`, message: "照片须先通过本检查的照片上传接口上传" });
    });
  }
  for (const name of signatures) {
    const value = data[name];
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string" || value.length > MAX_SIGNATURE_CHARS || !SIGNATURE.test(value)) {
      errors.push({ name, message: "签名必须是 PNG 图片" });
    }
  }
  return errors;
}

/**
 * Survey models for partial checks, keyed by an immutable snapshot: building one costs hundreds of
 * milliseconds for a large checklist, and autosave asks every few seconds. Least recently used first out.
 */
const partialModels = new Map<string, SurveyModel>();
const MAX_PARTIAL_MODELS = 32;

function partialModel(cacheKey: string, schema: Json): SurveyModel {
  const hit = partialModels.get(cacheKey);
  if (hit) {
    partialModels.delete(cacheKey);
    partialModels.set(cacheKey, hit);
    return hit;
  }
  const model = new Model(schema);
  model.clearInvisibleValues = "none";
  partialModels.set(cacheKey, model);
  for (const [key, old] of partialModels) {
    if (partialModels.size <= MAX_PARTIAL_MODELS) break;
    partialModels.delete(key);
    old.dispose();
  }
  return model;
}

/**
 * Checks a partial save: no completeness rules, but every key must be a question of the checklist and
 * every value one survey-core keeps (a choice that exists, …) — the same test as the reference
 * validator's clearIncorrectValues step, without the required/validator rules.
 *
 * @param cacheKey Names `schema` for good (e.g. inspection id and generation time of the snapshot).
 */
export function partialProblems(schema: Json, data: Json, cacheKey: string): FieldError[] {
  if (Object.hasOwn(data, "__proto__"))
    return [{ name: "__proto__", message: "数据包含不允许的键名 __proto__" }];
  const model = partialModel(cacheKey, schema);
  model.data = structuredClone(data);
  model.clearIncorrectValues(true);
  const kept = model.data as Json;
  const errors: FieldError[] = [];
  for (const key of Object.keys(data)) {
    if (!Object.hasOwn(kept, key)) {
      const known = model.getQuestionByValueName(key) !== null;
      errors.push({ name: key, message: known ? "值不在表单允许的范围内" : "表单中没有此字段" });
    } else if (canonicalJson(kept[key]) !== canonicalJson(data[key])) {
      errors.push({ name: key, message: "值不在表单允许的范围内" });
    }
  }
  return errors;
}
