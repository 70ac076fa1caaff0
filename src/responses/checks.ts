/**
 * What the submission endpoint learns about a response before storing it: whether the form
 * version's validator accepts it, the hash a retry must repeat, and the answers' JSON as stored.
 * Computed on the request's own thread (`checkResponse`, Workers and app.request()) or, on the
 * Node server, on a thread of its own beside the event loop (check-thread.ts), which then parses
 * the request's JSON text itself.
 */
import type { ValidationResult } from "../forms/validation-types.ts";
import type { ValidatorCache, ValidatorCacheStats } from "../forms/validator-cache.ts";
import { canonicalJson, sha256Hex } from "../lib/ids.ts";

/** One submission to check. */
export interface CheckRequest {
  /** The validator cache key, `${formId}:${version}`: a key always names the same schema. */
  key: string;
  /** The form version's schema as stored (JSON text), compiled on the first check of `key`. */
  schema: string;
  formId: string;
  version: number;
  /** The parsed body's answers. */
  data: Record<string, unknown>;
  /** The body's JSON text, `{ id, version, data }`; a check thread parses its own `data` from it. */
  text: string;
}

export interface CheckedResponse {
  result: ValidationResult;
  bodyHash: string;
  /** `JSON.stringify(data)`: what the responses table stores. */
  dataJson: string;
}

/** Checks submissions off the request's thread (the Node server's check thread). */
export interface ResponseChecker {
  check(request: CheckRequest): Promise<CheckedResponse>;
  stats(): Promise<CheckerStats>;
}

/** What the metrics page shows of a checker. */
export interface CheckerStats {
  running: boolean;
  restarts: number;
  /** Checks run on the event loop because the thread was down. */
  checkedOnLoop: number;
  /** The thread's validator cache (the event loop's fallback while it is down). */
  validators: ValidatorCacheStats;
}

/**
 * What a retry must repeat exactly for it to count as the same submission: the SHA-256 of
 * `canonicalJson({ formId, version, data })`, spelled out so the small envelope is not rebuilt and
 * re-sorted per request (same text, hence the same hash as rows stored before; the keys are in
 * sorted order: data, formId, version).
 */
export const bodyHash = (formId: string, version: number, data: unknown) =>
  sha256Hex(
    `{"data":${canonicalJson(data)},"formId":${JSON.stringify(formId)},"version":${canonicalJson(version)}}`,
  );

/** Checks one submission with `validators`, on the calling thread. */
export function checkResponse(
  validators: ValidatorCache,
  request: Omit<CheckRequest, "text">,
): CheckedResponse {
  const validate = validators.get(request.key, () => JSON.parse(request.schema));
  return {
    result: validate(request.data),
    bodyHash: bodyHash(request.formId, request.version, request.data),
    dataJson: JSON.stringify(request.data),
  };
}
