// Bundles the subscriber fan-out (src/live/fanout-main.ts) into one file, as its container runs it:
// node scripts/bundle-fanout.mjs [outdir]  (default dist-fanout/). Used by fanout.Dockerfile and its test.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.resolve(process.argv[2] ?? path.join(root, "dist-fanout"));
await build({
  entryPoints: [path.join(root, "src/live/fanout-main.ts")],
  outfile: path.join(outdir, "fanout.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  sourcemap: true,
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __tandemRequire } from 'node:module'; const require = __tandemRequire(import.meta.url);" },
  // Optional native add-ons of the MongoDB driver, loaded only when configured.
  external: ["kerberos", "@mongodb-js/zstd", "@aws-sdk/credential-providers", "snappy", "socks", "aws4", "mongodb-client-encryption", "gcp-metadata"],
  logLevel: "warning",
});
console.log(`fan-out bundled into ${path.relative(process.cwd(), outdir)}/fanout.mjs`);
