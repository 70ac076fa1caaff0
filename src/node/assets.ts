import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

/**
 * Serves files below `root` by their URL path. The path is decoded once and refused if it then holds
 * a dot segment, a backslash or a NUL, so `%2e%2e%2f` or `%5c` cannot climb out of public/.
 */
export function nodeAssets(root: string) {
  const base = resolve(root);
  const cache = new Map<string, { mtimeMs: number; body: Buffer; etag: string }>();
  return async (urlPath: string, request: Request): Promise<Response | null> => {
    let path: string;
    try {
      path = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    if (path.includes("\0") || path.includes("\\") || path.split("/").some((s) => s === ".." || s === "."))
      return null;
    const file = resolve(join(base, path));
    if (!file.startsWith(base + sep)) return null;
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return null;
    let entry = cache.get(file);
    if (!entry || entry.mtimeMs !== info.mtimeMs) {
      const body = await readFile(file);
      entry = {
        mtimeMs: info.mtimeMs,
        body,
        etag: `"${createHash("sha1").update(body).digest("base64url")}"`,
      };
      cache.set(file, entry);
    }
    const headers = {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      ETag: entry.etag,
      "Cache-Control": "no-cache",
      "X-Content-Type-Options": "nosniff",
    };
    if (request.headers.get("if-none-match") === entry.etag)
      return new Response(null, { status: 304, headers });
    return new Response(new Uint8Array(entry.body), { status: 200, headers });
  };
}
