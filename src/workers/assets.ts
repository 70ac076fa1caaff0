/** The part of the Workers static-assets binding (`env.ASSETS`) the app uses. */
export interface AssetsBinding {
  fetch(request: Request): Promise<Response>;
}

/**
 * Serves a file of public/ through the Workers assets binding, with the same contract as the Node
 * adapter: a Response, or null when there is no such file. wrangler.toml sets `html_handling = "none"`,
 * so `/login.html` is served as itself rather than redirected to `/login`.
 */
export function workerAssets(binding: AssetsBinding) {
  return async (path: string, request: Request): Promise<Response | null> => {
    const url = new URL(request.url);
    url.pathname = path;
    url.search = "";
    const headers = new Headers();
    for (const name of ["if-none-match", "if-modified-since", "accept-encoding"]) {
      const value = request.headers.get(name);
      if (value) headers.set(name, value);
    }
    const res = await binding.fetch(new Request(url, { method: "GET", headers }));
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    // A fetched Response has immutable headers; the app's middleware adds its own (CSP, no-store, …).
    const copy = new Response(res.body, res);
    copy.headers.set("X-Content-Type-Options", "nosniff");
    return copy;
  };
}
