/**
 * The page to go to after login: `next` when it is a same-origin absolute path ("/…", not "//…"
 * nor "/\…", which browsers treat as another host), else the form list.
 */
export function safeNext(next: string | null, origin: string, fallback = "/"): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  if (/[\u0000-\u001f\u007f]/.test(next)) return fallback;
  try {
    const url = new URL(next, origin);
    if (url.origin !== origin) return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}
