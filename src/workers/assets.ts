import { acceptedEncodings, EXTENSION, hasTwins, IMMUTABLE, isImmutable } from "../lib/static-files.ts";

/** The part of the Workers static-assets binding (`env.ASSETS`) the app uses. */
export interface AssetsBinding {
  fetch(request: Request): Promise<Response>;
}

/**
 * Serves a file of public/ through the Workers assets binding, with the same contract as the Node
 * adapter: a Response, or null when there is no such file. wrangler.toml sets `html_handling = "none"`,
 * so `/login.html` is served as itself rather than redirected to `/login`. A bundle goes out as its
 * precompressed twin (`.br`/`.gz`, uploaded with public/) when the client accepts it: the twin is
 * fetched as an opaque file and sent with `encodeBody: "manual"`, so the runtime neither decodes nor
 * compresses it again.
 */
export function workerAssets(binding: AssetsBinding) {
  const get = async (path: string, request: Request) => {
    const url = new URL(request.url);
    url.pathname = path;
    url.search = "";
    const headers = new Headers();
    for (const name of ["if-none-match", "if-modified-since"]) {
      const value = request.headers.get(name);
      if (value) headers.set(name, value);
    }
    const res = await binding.fetch(new Request(url, { method: "GET", headers }));
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    return res;
  };

  return async (path: string, request: Request): Promise<Response | null> => {
    const original = await get(path, request);
    if (!original) return null;
    const cacheControl = isImmutable(path) ? IMMUTABLE : "no-cache";
    if (hasTwins(path) && original.status === 200) {
      for (const encoding of acceptedEncodings(request.headers.get("accept-encoding"))) {
        const twin = await get(path + EXTENSION[encoding], request);
        if (!twin || twin.status !== 200) {
          await twin?.body?.cancel();
          continue;
        }
        await original.body?.cancel();
        const headers = new Headers({
          "Content-Type": original.headers.get("content-type") ?? "application/octet-stream",
          "Content-Encoding": encoding,
          "Cache-Control": cacheControl,
          Vary: "Accept-Encoding",
          "X-Content-Type-Options": "nosniff",
        });
        const etag = original.headers.get("etag");
        if (etag) headers.set("ETag", `${etag.replace(/"$/, "")}-${encoding}"`);
        if (etag && request.headers.get("if-none-match") === headers.get("ETag")) {
          await twin.body?.cancel();
          return new Response(null, { status: 304, headers });
        }
        return new Response(twin.body, { status: 200, headers, encodeBody: "manual" } as ResponseInit);
      }
    }
    // A fetched Response has immutable headers; the app's middleware adds its own (CSP, …).
    const copy = new Response(original.body, original);
    copy.headers.set("X-Content-Type-Options", "nosniff");
    copy.headers.set("Cache-Control", cacheControl);
    if (hasTwins(path)) copy.headers.set("Vary", "Accept-Encoding");
    return copy;
  };
}
