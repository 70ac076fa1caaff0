/** survey-core's narrow-screen rules rewritten for /f/:id's first questions (first-questions-css.mjs). */
export function firstQuestionsCss(surveyCss: string): string;
