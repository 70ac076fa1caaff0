// Bundles the browser pages in client/ into public/build/ and copies the SurveyJS stylesheets.
// Run by `npm run build` and by npm `postinstall`; public/build/ is generated, never edited by hand.
import { build } from "esbuild";
import { copyFile, mkdir, readdir, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, parse } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const clientDir = join(root, "client");
const outDir = join(root, "public", "build");

// The "fontless" stylesheets: the regular ones load Open Sans from fonts.gstatic.com, which our pages
// must not call (and which is unreachable from many government networks). app.css sets the font stack.
const stylesheets = [
  ["survey-core/survey-core.fontless.min.css", "survey-core.min.css"],
  ["survey-creator-core/survey-creator-core.fontless.min.css", "survey-creator-core.min.css"],
];

const started = performance.now();
const entries = (await readdir(clientDir, { withFileTypes: true }))
  .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts"))
  .map((entry) => join(clientDir, entry.name))
  .sort();

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });

const result = await build({
  entryPoints: entries,
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
  define: {
    "process.env.NODE_ENV": '"production"',
  },
});

const require = createRequire(import.meta.url);
for (const [from, to] of stylesheets) await copyFile(require.resolve(from), join(outDir, to));

const kb = (bytes) => `${Math.round(bytes / 1024)}k`;
const parts = [];
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  parts.push(`${parse(file).name} ${kb(info.bytes)}`);
}
for (const [, to] of stylesheets) parts.push(`${to} ${kb((await stat(join(outDir, to))).size)}`);
const ms = Math.round(performance.now() - started);
console.log(`build-client: ${entries.length} bundles in ${ms} ms → public/build/ (${parts.join(", ")})`);
