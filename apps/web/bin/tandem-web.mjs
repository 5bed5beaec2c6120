#!/usr/bin/env node
// tandem-web prepare --out <dir> [--brand <brand.json>]
//
// Writes Tandem's web app (this package's Next.js sources) into <dir> of a customer repository,
// with the customer's name, logo and accent colour, so that SST's NextjsSite (or `next dev`)
// builds it there. Run again after every update of @tandem/web: it replaces the copy.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// What the app is made of; tests, build output and the PDF viewer's copied assets stay behind.
const ENTRIES = ["app", "lib", "types", "public", "next.config.mjs", "postcss.config.mjs", "open-next.config.ts", "next-env.d.ts"];
const MANTINE_COLORS = ["dark", "gray", "red", "pink", "grape", "violet", "indigo", "blue", "cyan", "teal", "green", "lime", "yellow", "orange"];
const LOGO_TYPES = { ".svg": "image/svg+xml", ".png": "image/png", ".webp": "image/webp" };

const BrandFile = z
  .object({
    name: z.string().trim().min(1, "name must not be empty").max(60, "name must be at most 60 characters"),
    primaryColor: z.enum(MANTINE_COLORS, { message: `primaryColor must be one of ${MANTINE_COLORS.join(", ")}` }).default("blue"),
    logo: z
      .string()
      .refine((p) => Object.hasOwn(LOGO_TYPES, path.extname(p).toLowerCase()), `logo must be an .svg, .png or .webp file`)
      .optional(),
  })
  .strict();

function fail(message) {
  process.stderr.write(`tandem-web: ${message}\n`);
  process.exit(1);
}

function option(args, name) {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] && !args[at + 1].startsWith("--") ? args[at + 1] : undefined;
}

/** Reads and checks the customer's brand.json; the logo's path is relative to that file. */
function readBrand(file) {
  if (!file) return { name: "Tandem", primaryColor: "blue" };
  let raw;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    fail(`cannot read ${file} as JSON (${error.message}). It holds {"name": "...", "primaryColor": "teal", "logo": "logo.svg"}.`);
  }
  const parsed = BrandFile.safeParse(raw);
  if (!parsed.success) fail(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "the file"}: ${i.message}`).join("; ")}`);
  const brand = parsed.data;
  if (brand.logo) {
    const logo = path.resolve(path.dirname(file), brand.logo);
    if (!existsSync(logo) || !statSync(logo).isFile()) fail(`${file}: the logo ${brand.logo} does not exist (its path is relative to ${file}).`);
    if (statSync(logo).size > 512 * 1024) fail(`${file}: the logo ${brand.logo} is over 512 KB; use a smaller (or an SVG) file.`);
    return { ...brand, logoFile: logo };
  }
  return brand;
}

function prepare(args) {
  const out = option(args, "--out");
  if (!out) fail("name the folder to write the app into: tandem-web prepare --out web [--brand brand.json]");
  const target = path.resolve(out);
  const inside = (dir, parent) => dir === parent || dir.startsWith(`${parent}${path.sep}`);
  if (inside(path.resolve("."), target) || inside(PACKAGE, target) || inside(target, PACKAGE)) fail(`--out ${out} would overwrite the repository or the package; name a folder of its own, such as web.`);
  // The folder is replaced: only ever one this command wrote, or an empty one.
  if (existsSync(target) && readdirSync(target).length > 0) {
    const marker = path.join(target, "package.json");
    let ours = false;
    try {
      ours = JSON.parse(readFileSync(marker, "utf8")).name === "tandem-web-app";
    } catch {
      ours = false;
    }
    if (!ours) fail(`${out} holds files tandem-web prepare did not write; it replaces the folder, so name an empty or new one (such as web).`);
  }
  const brand = readBrand(option(args, "--brand"));

  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  // The marker first: a copy cut short is still recognised as ours, and the next run replaces it.
  const version = JSON.parse(readFileSync(path.join(PACKAGE, "package.json"), "utf8")).version;
  writeFileSync(
    path.join(target, "package.json"),
    `${JSON.stringify({ name: "tandem-web-app", private: true, type: "module", description: `Tandem's web app ${version}, written by tandem-web prepare: do not edit, run it again.`, scripts: { dev: "next dev", build: "next build", start: "next start" } }, null, 2)}\n`,
  );
  for (const entry of ENTRIES) {
    const from = path.join(PACKAGE, entry);
    if (!existsSync(from)) continue;
    // The PDF viewer's assets are copied into public/ by next.config.mjs at build time.
    const viewerAssets = path.join(PACKAGE, "public", "pdfjs-express");
    cpSync(from, path.join(target, entry), { recursive: true, filter: (src) => src !== viewerAssets && !src.startsWith(`${viewerAssets}${path.sep}`) });
  }
  // The app's TypeScript settings, without this monorepo's test folders.
  const tsconfig = JSON.parse(readFileSync(path.join(PACKAGE, "tsconfig.json"), "utf8"));
  tsconfig.include = ["next-env.d.ts", "**/*.ts", "**/*.tsx", ".next/types/**/*.ts"];
  tsconfig.exclude = ["node_modules", ".open-next", ".next-*"];
  writeFileSync(path.join(target, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
  const written = { name: brand.name, primaryColor: brand.primaryColor };
  if (brand.logoFile) {
    const ext = path.extname(brand.logoFile).toLowerCase();
    mkdirSync(path.join(target, "public", "brand"), { recursive: true });
    cpSync(brand.logoFile, path.join(target, "public", "brand", `logo${ext}`));
    written.logo = `/brand/logo${ext}`;
  }
  writeFileSync(path.join(target, "brand.json"), `${JSON.stringify(written, null, 2)}\n`);
  process.stdout.write(`Tandem's web app ${version} is in ${path.relative(process.cwd(), target) || "."}, as "${brand.name}" (${brand.primaryColor}${written.logo ? ", with its logo" : ""}).\n`);
}

const [command, ...rest] = process.argv.slice(2);
if (command === "prepare") prepare(rest);
else fail(`unknown command ${command ?? "(none)"}. Usage: tandem-web prepare --out <dir> [--brand <brand.json>]`);
