import { ApiError, errorMessage } from "./api";
import { h } from "./dom";

interface Detail {
  path?: unknown;
  name?: unknown;
  message?: unknown;
}

/** Renders an API error, listing `details` (`{path|name, message}`) under the message. */
export function errorWithDetails(error: unknown, lead?: string): Node {
  const wrap = h("div", {}, lead ? `${lead}${errorMessage(error)}` : errorMessage(error));
  if (error instanceof ApiError && error.details.length > 0) {
    const list = h("ul", {});
    for (const raw of error.details.slice(0, 30)) {
      const detail = (raw ?? {}) as Detail;
      const where = detail.path ?? detail.name;
      const whereText = Array.isArray(where) ? where.join(".") : where ? String(where) : "";
      const text = detail.message ? String(detail.message) : JSON.stringify(raw);
      list.append(h("li", {}, whereText ? `${whereText}：${text}` : text));
    }
    if (error.details.length > 30) list.append(h("li", {}, `……共 ${error.details.length} 项`));
    wrap.append(list);
  }
  return wrap;
}
