// Bundles the browser pages in client/ into public/build/ and copies the SurveyJS stylesheets.
// Run by `npm run build` and by npm `postinstall`; public/build/ is generated, never edited by hand.
//
// Every output gets a content-hashed name (served `immutable`, src/node/assets.ts) and precompressed
// .br and .gz twins (served by Accept-Encoding on Node and Workers). manifest.json maps the names the
// HTML pages write (/build/runner.js, /css/app.css) to the hashed files; the page routes rewrite the
// HTML with it (src/pages/assets-manifest.ts). The pages share one SurveyJS chunk; the designer is
// built on its own, so its copy of survey-core does not split that chunk in two.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, parse, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { firstQuestionsCss } from "./first-questions-css.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const clientDir = join(root, "client");
const publicDir = join(root, "public");
const outDir = join(publicDir, "build");

// The "fontless" stylesheets: the regular ones load Open Sans from fonts.gstatic.com, which our pages
// must not call (and which is unreachable from many government networks). app.css sets the font stack.
const stylesheets = [
  ["survey-core/survey-core.fontless.min.css", "survey-core.min.css"],
  ["survey-creator-core/survey-creator-core.fontless.min.css", "survey-creator-core.min.css"],
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui.css"],
];

const started = performance.now();
const entries = (await readdir(clientDir, { withFileTypes: true }))
  .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts"))
  .map((entry) => join(clientDir, entry.name))
  .sort();
const isDesigner = (file) => parse(file).name === "editor";

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });

const common = {
  outdir: outDir,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  platform: "browser",
  jsx: "automatic",
  legalComments: "eof",
  charset: "utf8",
  metafile: true,
  logLevel: "warning",
  entryNames: "[name]-[hash]",
  chunkNames: "chunks/[name]-[hash]",
  define: {
    "process.env.NODE_ENV": '"production"',
  },
};
const pages = await build({ ...common, entryPoints: entries.filter((f) => !isDesigner(f)), splitting: true });
const designer = await build({ ...common, entryPoints: entries.filter(isDesigner) });

// Pages whose dynamic imports always load, started later so that what the server drew is answered
// first (client/runner.ts): their chunks are preloaded all the same.
const PRELOAD_DYNAMIC = new Set(["runner"]);

/** "/build/runner.js" (what the HTML writes) → "/build/runner-HASH.js" (what is served immutable). */
const manifest = {};
const outputs = { ...pages.metafile.outputs, ...designer.metafile.outputs };
for (const [file, info] of Object.entries(outputs)) {
  if (!info.entryPoint) continue;
  const name = parse(info.entryPoint).name;
  manifest[`/build/${name}${parse(file).ext}`] = `/${relative(publicDir, join(root, file))}`;
  const chunks = staticImports(file, new Set(), PRELOAD_DYNAMIC.has(name));
  // The chunks a page's script imports, for <link rel=modulepreload>: without it the browser finds
  // them only after the script arrives, one more round trip (562 ms on Fast 3G, issue 17). Largest
  // first, so the SurveyJS chunk starts before the small ones take the connections.
  if (chunks.length) {
    chunks.sort((a, b) => outputs[b].bytes - outputs[a].bytes);
    manifest[`/build/${name}.js#imports`] = chunks
      .map((f) => `/${relative(publicDir, join(root, f))}`)
      .join(" ");
  }
}

/**
 * Every chunk `file` imports statically, directly or through another chunk; with `dynamic`, the
 * chunks of its dynamic imports too (for a page that always loads them, only later).
 */
function staticImports(file, seen = new Set(), dynamic = false) {
  for (const imported of outputs[file].imports) {
    const wanted = imported.kind === "import-statement" || (dynamic && imported.kind === "dynamic-import");
    if (!wanted || seen.has(imported.path)) continue;
    seen.add(imported.path);
    staticImports(imported.path, seen, dynamic);
  }
  return [...seen];
}

const hashed = (name, body) => {
  const hash = createHash("sha256").update(body).digest("base64url").slice(0, 10).replace(/[-_]/g, "x");
  return `${parse(name).name}-${hash.toUpperCase()}${parse(name).ext}`;
};
const require = createRequire(import.meta.url);
for (const [from, to] of stylesheets) {
  const body = await readFile(require.resolve(from));
  const name = hashed(to, body);
  await writeFile(join(outDir, name), body);
  manifest[`/build/${to}`] = `/build/${name}`;
}
// The stylesheet of the first questions /f/:id serves as HTML (first-questions-css.mjs): the survey-core
// rules for the classes the block uses, read from the module that writes it (`sd-${kind}…` both kinds).
{
  const writer = await readFile(join(root, "src/pages/first-questions.ts"), "utf8");
  const source = ["radio", "checkbox"].map((kind) => writer.replaceAll("${kind}", kind)).join("\n");
  const blockClasses = new Set(source.match(/\b(?:sd|sv)-[\w-]*\w/g));
  const body = firstQuestionsCss(
    await readFile(require.resolve("survey-core/survey-core.fontless.min.css"), "utf8"),
    blockClasses,
  );
  const name = hashed("first-questions.css", body);
  await writeFile(join(outDir, name), body);
  manifest["/build/first-questions.css"] = `/build/${name}`;
}
// The pages' own stylesheets get hashed copies too, so a repeat visit revalidates only the HTML.
await mkdir(join(outDir, "css"), { recursive: true });
for (const file of await readdir(join(publicDir, "css"))) {
  if (!file.endsWith(".css")) continue;
  const body = await readFile(join(publicDir, "css", file));
  const name = hashed(file, body);
  await writeFile(join(outDir, "css", name), body);
  manifest[`/css/${file}`] = `/build/css/${name}`;
}
await writeFile(join(outDir, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");

// The officer's service worker (client/sw/sw.ts, Workbox): it precaches every bundle and stylesheet of
// the pages (hashed names, so their URL is their revision) except the designer, which no phone needs.
const precache = [];
for (const file of await walk(outDir)) {
  const url = `/${relative(publicDir, file)}`;
  if (!/\.(js|css)$/.test(url) || url.includes("/editor-") || url.includes("survey-creator-core")) continue;
  if (!Object.values(manifest).includes(url) && !url.startsWith("/build/chunks/")) continue;
  precache.push({ url, revision: null });
}
await build({
  entryPoints: [join(clientDir, "sw", "sw.ts")],
  outfile: join(outDir, "sw.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  platform: "browser",
  logLevel: "warning",
  define: { PRECACHE: JSON.stringify(precache), "process.env.NODE_ENV": '"production"' },
});

/** Every file below public/build, relative to it. */
async function walk(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(path)));
    else found.push(path);
  }
  return found;
}

// Precompressed once here, so no request pays for compression (brotli 11 is too slow per request).
let raw = 0;
let brotli = 0;
for (const file of await walk(outDir)) {
  if (!/\.(js|css|json)$/.test(file)) continue;
  const body = await readFile(file);
  const br = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  await writeFile(`${file}.br`, br);
  await writeFile(`${file}.gz`, gzipSync(body, { level: 9 }));
  raw += body.length;
  brotli += br.length;
}

const kb = (bytes) => `${Math.round(bytes / 1024)}k`;
const biggest = Object.entries(outputs)
  .filter(([file]) => file.endsWith(".js"))
  .sort((a, b) => b[1].bytes - a[1].bytes)
  .slice(0, 4)
  .map(([file, info]) => `${basename(file)} ${kb(info.bytes)}`);
const ms = Math.round(performance.now() - started);
console.log(
  `build-client: ${entries.length} pages in ${ms} ms → public/build/ (${kb(raw)} raw, ${kb(brotli)} brotli; largest ${biggest.join(", ")})`,
);
