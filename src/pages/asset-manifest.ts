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

/** Points the page's script and stylesheet references at their hashed, immutable copies. */
export function rewriteAssets(html: string, manifest: AssetManifest): string {
  return html.replace(/(["'])(\/(?:build|css)\/[^"']+)\1/g, (all, quote: string, path: string) => {
    const hashed = manifest[path];
    return hashed ? `${quote}${hashed}${quote}` : all;
  });
}
