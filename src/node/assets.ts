import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { acceptedEncodings, EXTENSION, hasTwins, IMMUTABLE, isImmutable } from "../lib/static-files.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

interface Entry {
  mtimeMs: number;
  body: Buffer;
  etag: string;
}

/**
 * Serves files below `root` by their URL path. The path is decoded once and refused if it then holds
 * a dot segment, a backslash or a NUL, so `%2e%2e%2f` or `%5c` cannot climb out of public/.
 * Bundles go out as their precompressed .br/.gz twin when the client accepts it; hashed names are
 * `immutable`, everything else `no-cache` with an ETag.
 */
export function nodeAssets(root: string) {
  const base = resolve(root);
  const cache = new Map<string, Entry>();

  async function load(file: string): Promise<Entry | null> {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return null;
    let entry = cache.get(file);
    if (!entry || entry.mtimeMs !== info.mtimeMs) {
      const body = await readFile(file);
      const etag = `"${createHash("sha1").update(body).digest("base64url")}"`;
      entry = { mtimeMs: info.mtimeMs, body, etag };
      cache.set(file, entry);
    }
    return entry;
  }

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
    const entry = await load(file);
    if (!entry) return null;
    const headers: Record<string, string> = {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Cache-Control": isImmutable(path) ? IMMUTABLE : "no-cache",
      "X-Content-Type-Options": "nosniff",
    };
    let body = entry.body;
    let etag = entry.etag;
    if (hasTwins(path)) {
      headers.Vary = "Accept-Encoding";
      for (const encoding of acceptedEncodings(request.headers.get("accept-encoding"))) {
        const twin = await load(file + EXTENSION[encoding]);
        if (!twin) continue;
        body = twin.body;
        // A weak tag of the same bytes would let a cache swap encodings; each twin has its own.
        etag = `${entry.etag.slice(0, -1)}-${encoding}"`;
        headers["Content-Encoding"] = encoding;
        break;
      }
    }
    headers.ETag = etag;
    if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
    return new Response(new Uint8Array(body), { status: 200, headers });
  };
}
