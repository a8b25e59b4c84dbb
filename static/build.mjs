// Builds static/src into static/dist (committed, embedded by static.go).
// Usage: node static/build.mjs [--check]   (--check fails when dist is stale)
import { build } from "esbuild";
import { readFileSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes("--check");
const outdir = check ? mkdtempSync(join(tmpdir(), "stepwise-dist-")) : join(here, "dist");
// Chunk names change with their content: start from an empty dist so no
// stale chunk stays behind (and gets embedded).
if (!check) rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: [join(here, "src/app.ts"), join(here, "src/app.css"), join(here, "src/designer/designer.ts"), join(here, "src/designer/elk-worker.ts"), join(here, "src/designer/designer.css"), join(here, "src/live/live.ts"), join(here, "src/live/live.css")],
  bundle: true,
  // STEPWISE_NOMINIFY=1 builds readable output for profiling (do not commit it).
  minify: !process.env.STEPWISE_NOMINIFY,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  format: "esm",
  target: ["es2020"],
  outdir,
  logLevel: "warning",
  legalComments: "none",
});

if (check) {
  const stale = [];
  for (const f of readdirSync(outdir, { recursive: true })) {
    if (statSync(join(outdir, f)).isDirectory()) continue;
    const want = readFileSync(join(outdir, f));
    let have;
    try { have = readFileSync(join(here, "dist", f)); } catch { have = null; }
    if (!have || !want.equals(have)) stale.push(f);
  }
  for (const f of readdirSync(join(here, "dist"), { recursive: true })) {
    if (statSync(join(here, "dist", f)).isDirectory()) continue;
    try { statSync(join(outdir, f)); } catch { stale.push(f + " (not built any more)"); }
  }
  rmSync(outdir, { recursive: true, force: true });
  if (stale.length) {
    console.error("static/dist is stale (" + stale.join(", ") + "): run node static/build.mjs");
    process.exit(1);
  }
}
