// Copies the CJK font of the official documents (PDF, src/documents/) into public/fonts/, where the
// server reads it through the same assets adapter on both targets: from disk on Node, through the
// Workers assets binding at the edge, so the 8 MB font never counts towards the Worker's script size.
// Run by `npm run build` and by npm `postinstall`; public/fonts/ is generated, never committed.
import { copyFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
// The package exports only its index (dist/), which sits beside fonts/.
const packageDir = dirname(dirname(require.resolve("@embedpdf/fonts-sc")));
const outDir = join(root, "public", "fonts");
await mkdir(outDir, { recursive: true });
await copyFile(
  join(packageDir, "fonts", "NotoSansHans-Regular.otf"),
  join(outDir, "NotoSansHans-Regular.otf"),
);
console.log("copy-pdf-font: NotoSansHans-Regular.otf → public/fonts/");
