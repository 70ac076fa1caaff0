/**
 * The compiled response validator: a fast path that decides exactly as the survey-core reference
 * in src/forms/reference-validator.ts. See docs/VALIDATION.md.
 */
export { compileResponseValidator } from "./compile.ts";
export type { CompiledResult, CompiledValidator, CompileOutcome } from "./compile.ts";
export type { OwnTexts } from "./questions.ts";
