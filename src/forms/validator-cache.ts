/**
 * The validators of published form versions, compiled once each: the fast validator of compiled/
 * where the compiler supports the form, the survey-core reference otherwise, both behind the pre-check.
 */
import { Model } from "survey-core";
import { compileResponseValidator } from "./compiled/index.ts";
import { answerPlan, precheckAnswers, type AnswerPlan } from "./precheck.ts";
import {
  DEFAULT_LOCALE,
  createResponseValidator,
  ownMessages,
  withoutRemoteChoices,
} from "./reference-validator.ts";
import { isPlainObject } from "./validation-types.ts";
import type { ValidationResult } from "./validation-types.ts";
import { Lru } from "../lib/lru.ts";

/** Counters of a ValidatorCache, for the metrics endpoint. */
export interface ValidatorCacheStats {
  /** Validators currently cached. */
  size: number;
  capacity: number;
  /** Cached form versions validated by the compiled fast path / by the survey-core reference. */
  compiled: number;
  fallback: number;
  hits: number;
  misses: number;
  /** Keys of cached form versions the compiler refused, with the reason. */
  fallbackForms: string[];
  /** Responses of compiled forms that the fast path left to the reference (values outside its exact domain). */
  deferredResponses: number;
  /** Responses decided by the fast path. */
  compiledResponses: number;
}

interface CacheEntry {
  validate: (data: unknown) => ValidationResult;
  /** Why the compiler refused this form; undefined when it compiled. */
  refused?: string;
}

/** The pre-check's plan of a form version, read from a survey-core model of it. */
export function planOf(schema: unknown): AnswerPlan {
  if (!isPlainObject(schema)) throw new TypeError("A form schema must be a JSON object");
  return withoutRemoteChoices(() => {
    const model = new Model(structuredClone(schema));
    try {
      return answerPlan(model);
    } finally {
      model.dispose();
    }
  });
}

/**
 * A small LRU cache of validators keyed by e.g. `${formId}:${version}`. Each form version is
 * compiled once into the fast validator of src/forms/compiled/ when the compiler supports it, and
 * falls back to the survey-core reference (`createResponseValidator`) otherwise; a compiled
 * validator still hands single responses outside its exact domain to the reference.
 */
export class ValidatorCache {
  private readonly entries: Lru<string, CacheEntry>;
  private hits = 0;
  private misses = 0;
  private deferred = 0;
  private fast = 0;

  /** @param maxEntries How many compiled form versions to keep (at least 1). */
  constructor(maxEntries: number) {
    this.entries = new Lru(maxEntries);
  }

  /**
   * Returns the validator for `key`, compiling `schema()` on a miss. A key must always name the
   * same schema (published versions are immutable); the least recently used entry is evicted.
   */
  get(key: string, schema: () => unknown): (data: unknown) => ValidationResult {
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      return hit.validate;
    }
    this.misses++;
    const entry = this.build(schema());
    this.entries.set(key, entry);
    return entry.validate;
  }

  /** Whether `key` is cached (without counting or touching it). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  private build(schema: unknown): CacheEntry {
    const reference = createResponseValidator(schema);
    const plan = planOf(schema);
    // Before either validator: what no form can hold is refused at the cost of one pass over it.
    const precheck = (data: unknown): ValidationResult | undefined => {
      const found = precheckAnswers(plan, data);
      return found ? { ok: false, errors: [found.error] } : undefined;
    };
    // The compiler reads one survey-core model of the form: no choicesByUrl request from it either.
    const outcome = withoutRemoteChoices(() =>
      compileResponseValidator(schema, DEFAULT_LOCALE, ownMessages(DEFAULT_LOCALE)),
    );
    if (!outcome.ok)
      return { validate: (data) => precheck(data) ?? reference(data), refused: outcome.reason };
    const compiled = outcome.validate;
    return {
      validate: (data) => {
        const refused = precheck(data);
        if (refused) return refused;
        const result = compiled(data);
        if (result) {
          this.fast++;
          return result;
        }
        this.deferred++;
        return reference(data);
      },
    };
  }

  /** Number of cached validators. */
  get size(): number {
    return this.entries.size;
  }

  /** Cache and fast-path counters (see ValidatorCacheStats). */
  stats(): ValidatorCacheStats {
    const fallbackForms: string[] = [];
    for (const [key, entry] of this.entries.entries())
      if (entry.refused !== undefined) fallbackForms.push(`${key}: ${entry.refused}`);
    return {
      size: this.entries.size,
      capacity: this.entries.max,
      compiled: this.entries.size - fallbackForms.length,
      fallback: fallbackForms.length,
      hits: this.hits,
      misses: this.misses,
      fallbackForms,
      deferredResponses: this.deferred,
      compiledResponses: this.fast,
    };
  }
}
