// Bundles the Node server (src/server.ts) into dist/server.mjs, which `npm start` runs with plain
// node. Running the TypeScript through the tsx loader costs ~75 MB of resident memory for as long as
// the server lives (the loader's own thread, transformed sources and their source maps); the bundle
// starts at ~150 MB instead of ~225 MB (docs/PERFORMANCE.md). npm packages stay external (loaded from
// node_modules as usual), only our own sources are bundled. `npm start` rebuilds first (~1 s), so the
// bundle can never be older than the sources it runs.
import { build } from "esbuild";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// `node scripts/build-server.mjs [entry outfile [check-thread-entry]]`: the benchmark bundles its
// reference server the same way (bench/run.ts), so both run as `npm start` runs. The server's check
// thread (src/responses/check-thread.ts) gets a bundle of its own next to the server's,
// `<outfile>-check-thread.mjs`, whose address the server's bundle is built with.
const [entryArg, outArg, threadArg] = process.argv.slice(2);
const entry = join(root, entryArg ?? "src/server.ts");
const outfile = join(root, outArg ?? "dist/server.mjs");
const threadEntry = join(root, threadArg ?? "src/responses/check-thread-main.ts");
const threadOutfile = outfile.replace(/\.mjs$/, "") + "-check-thread.mjs";

/**
 * Every module resolves files next to itself with `new URL("…", import.meta.url)` (migrations/,
 * public/, forms/). In one bundle `import.meta.url` would be the bundle's
 * own address, so each source's is pinned to that source file's address: the bundle is built where it
 * runs, so those paths are the same as when the sources run under tsx.
 */
const sourceUrls = {
  name: "source-import-meta-url",
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      const own = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: text.replaceAll("import.meta.url", own), loader: "ts" };
    });
  },
};

const options = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  plugins: [sourceUrls],
  logLevel: "warning",
};
const started = performance.now();
await build({ ...options, entryPoints: [threadEntry], outfile: threadOutfile });
await build({
  ...options,
  entryPoints: [entry],
  outfile,
  define: { __CHECK_THREAD_BUNDLE__: JSON.stringify(pathToFileURL(threadOutfile).href) },
});
console.log(
  `${entryArg ?? "src/server.ts"} bundled into ${outArg ?? "dist/server.mjs"} (and its check thread) in ${Math.round(performance.now() - started)} ms`,
);
