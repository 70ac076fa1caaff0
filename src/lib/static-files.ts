/**
 * Rules both static-file adapters share (src/node/assets.ts, src/workers/assets.ts): which files may
 * be cached for ever, and which precompressed twin (built by scripts/build-client.mjs) a request takes.
 */

/** A content-hashed bundle name such as `/build/runner-R5XDX4QI.js`: its bytes never change. */
export function isImmutable(path: string): boolean {
  return /^\/build\/(?:.+\/)?[^/]+-[A-Z0-9]{8,}\.(?:js|css)$/.test(path);
}

export const IMMUTABLE = "public, max-age=31536000, immutable";

/** Only the build's bundles have precompressed twins; every other file is served as it is. */
export function hasTwins(path: string): boolean {
  return path.startsWith("/build/") && /\.(?:js|css|json)$/.test(path);
}

/** The encodings to try, best first, that the client accepts (a `q=0` refuses one). */
export function acceptedEncodings(header: string | null): Array<"br" | "gzip"> {
  if (!header) return [];
  const accepted = new Set<string>();
  for (const part of header.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (q && Number(q.slice(2)) === 0) continue;
    accepted.add(name!.trim());
  }
  return (["br", "gzip"] as const).filter((e) => accepted.has(e) || accepted.has("*"));
}

export const EXTENSION: Record<"br" | "gzip", string> = { br: ".br", gzip: ".gz" };
