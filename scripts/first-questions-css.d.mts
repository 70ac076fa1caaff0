/**
 * survey-core's rules for the classes of /f/:id's first questions, scoped to the block, and its
 * narrow-screen rules rewritten for the block (first-questions-css.mjs).
 */
export function firstQuestionsCss(surveyCss: string, blockClasses: ReadonlySet<string>): string;
