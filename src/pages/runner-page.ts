import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import type { PublishedForm } from "../forms/published-cache.ts";
import { firstQuestionsHtml } from "./first-questions.ts";

const decoder = new TextDecoder();
/** Where public/runner.html takes the first questions (src/pages/first-questions.ts). */
const FIRST_QUESTIONS_SLOT = "<!-- first-questions -->";

/**
 * JSON as the text of a `<script type="application/json">`: the browser never runs it, and no `<`
 * survives, so no text in a schema can end the element (`</script>`) or open a comment (`<!--`).
 * U+2028/2029 are escaped too, for anything that might still read the text as script.
 */
export function jsonScriptText(json: string): string {
  return json
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Each published version's first questions, rendered once while the cache holds the version. */
const firstQuestions = new WeakMap<PublishedForm, string | null>();

function firstQuestionsOf(live: PublishedForm): string | null {
  if (!firstQuestions.has(live)) {
    let html: string | null = null;
    try {
      html = firstQuestionsHtml(live.schemaJson, live.formId, live.version);
    } catch {
      // A schema survey-core cannot model is left to the runner, which says what is wrong.
    }
    firstQuestions.set(live, html);
  }
  return firstQuestions.get(live)!;
}

/**
 * `/f/:id` with the live version's public JSON (exactly the body of GET /api/public/forms/:id) in the
 * HTML, so the runner renders without a second round trip (562 ms on Fast 3G, issue 17). A form that
 * is not collecting, or any failure to read it, gives the bare page, whose script asks the API and
 * explains, so the page says exactly what the API says.
 */
export async function runnerPage(c: Context<AppEnv>, template: string): Promise<string> {
  const id = c.req.param("id") ?? "";
  const cache = c.var.deps.publishedForms;
  if (!cache || id.length === 0 || id.length > 64) return template;
  let live: PublishedForm | null;
  try {
    live = await cache.live(c.var.db, id, "survey");
  } catch {
    return template;
  }
  if (!live) return template;
  const data = jsonScriptText(decoder.decode(live.body));
  const first = firstQuestionsOf(live);
  // In the head: the body holds only what the form renders, where no script element belongs.
  const page = template.replace(
    "</head>",
    () => `  <script type="application/json" id="form-data">${data}</script>\n  </head>`,
  );
  return first ? page.replace(FIRST_QUESTIONS_SLOT, () => first) : page;
}
