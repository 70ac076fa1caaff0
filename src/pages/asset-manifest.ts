import type { AppDeps } from "../env.ts";

/** "/build/runner.js" → "/build/runner-HASH.js", written by scripts/build-client.mjs. */
export type AssetManifest = Record<string, string>;

/**
 * Reads public/build/manifest.json once per app (per isolate on Workers: a deployment's files never
 * change under it). Without a build (a test that never bundled) the map is empty and the pages keep
 * the names they write.
 */
export function assetManifest(assets: AppDeps["assets"]): () => Promise<AssetManifest> {
  let loading: Promise<AssetManifest> | null = null;
  const load = async (): Promise<AssetManifest> => {
    const res = await assets("/build/manifest.json", new Request("http://assets.local/build/manifest.json"));
    if (!res || res.status !== 200) return {};
    return JSON.parse(await res.text()) as AssetManifest;
  };
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = null;
      throw error;
    }));
}

/**
 * Points the page's script and stylesheet references at their hashed, immutable copies, and names
 * the chunks each module script imports (`<link rel=modulepreload>`) so they load alongside it
 * instead of a round trip after it.
 */
export function rewriteAssets(html: string, manifest: AssetManifest): string {
  html = html.replace(
    /^([ \t]*)(<script type="module" src="([^"]+)"><\/script>)/gm,
    (all, indent: string, tag: string, src: string) => {
      const chunks = manifest[`${src}#imports`];
      if (!chunks) return all;
      const links = chunks.split(" ").map((href) => `${indent}<link rel="modulepreload" href="${href}" />\n`);
      return `${links.join("")}${indent}${tag}`;
    },
  );
  return html.replace(/(["'])(\/(?:build|css)\/[^"']+)\1/g, (all, quote: string, path: string) => {
    const hashed = manifest[path];
    return hashed ? `${quote}${hashed}${quote}` : all;
  });
}
