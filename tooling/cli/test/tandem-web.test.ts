import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, run } from "@tandem/local";
import { afterAll, describe, expect, it } from "vitest";

/** `tandem-web prepare`: a customer's copy of the web app, with its brand; hostile or careless input refused. */
const BIN = path.join(ROOT, "apps/web/bin/tandem-web.mjs");
const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-web-prepare-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const prepare = (args: string[]) => run(process.execPath, [BIN, "prepare", ...args], { cwd: dir });

describe("tandem-web prepare", () => {
  it("writes the app with the customer's name, colour and logo, and replaces its own earlier copy", async () => {
    writeFileSync(path.join(dir, "brand.json"), JSON.stringify({ name: "Acme Assist", primaryColor: "teal", logo: "art/logo.svg" }));
    mkdirSync(path.join(dir, "art"));
    writeFileSync(path.join(dir, "art/logo.svg"), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    expect(await prepare(["--out", "web", "--brand", "brand.json"])).toContain('as "Acme Assist" (teal, with its logo)');
    expect(JSON.parse(readFileSync(path.join(dir, "web/brand.json"), "utf8"))).toEqual({ name: "Acme Assist", primaryColor: "teal", logo: "/brand/logo.svg" });
    expect(existsSync(path.join(dir, "web/public/brand/logo.svg"))).toBe(true);
    expect(existsSync(path.join(dir, "web/app/layout.tsx"))).toBe(true);
    expect(existsSync(path.join(dir, "web/types/pdfjs-express-viewer.d.ts"))).toBe(true);
    expect(existsSync(path.join(dir, "web/test"))).toBe(false);
    // Run again (after an update): it replaces its own copy.
    await prepare(["--out", "web", "--brand", "brand.json"]);
  });

  it("refuses a brand it cannot use, saying what is wrong", async () => {
    writeFileSync(path.join(dir, "bad.json"), JSON.stringify({ name: "", primaryColor: "pink2", logo: "logo.gif", extra: 1 }));
    const error = await prepare(["--out", "web2", "--brand", "bad.json"]).then(() => "", (e: Error) => e.message);
    expect(error).toContain("name: name must not be empty");
    expect(error).toContain("primaryColor: primaryColor must be one of");
    expect(error).toContain("logo: logo must be an .svg, .png or .webp file");
    expect(error).toContain("Unrecognized key");
    writeFileSync(path.join(dir, "missing.json"), JSON.stringify({ name: "Acme", logo: "nowhere.svg" }));
    expect(await prepare(["--out", "web2", "--brand", "missing.json"]).then(() => "", (e: Error) => e.message)).toContain("the logo nowhere.svg does not exist");
    expect(existsSync(path.join(dir, "web2"))).toBe(false);
  });

  it("never replaces a folder it did not write, the repository, or a parent of it", async () => {
    mkdirSync(path.join(dir, "src"));
    writeFileSync(path.join(dir, "src/index.ts"), "export {};\n");
    expect(await prepare(["--out", "src"]).then(() => "", (e: Error) => e.message)).toContain("holds files tandem-web prepare did not write");
    expect(readFileSync(path.join(dir, "src/index.ts"), "utf8")).toBe("export {};\n");
    for (const out of [".", ".."]) expect(await prepare(["--out", out]).then(() => "", (e: Error) => e.message)).toContain("would overwrite the repository or the package");
  });
});
