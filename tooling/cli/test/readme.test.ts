import { readFileSync } from "node:fs";
import path from "node:path";
import { FERRETDB_VERSION, MOTO_VERSION, POSTGRES_PACKAGE_VERSION, ROOT } from "@tandem/local";
import { describe, expect, it } from "vitest";

const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("the README's services table", () => {
  it("names the versions the installer really installs, with no template placeholders left", () => {
    expect(readme).toContain(`FerretDB ${FERRETDB_VERSION} with the PostgreSQL backend (PostgreSQL ${POSTGRES_PACKAGE_VERSION.split(".")[0]} from the npm registry)`);
    expect(readme).toContain(`moto ${MOTO_VERSION} in server mode`);
    expect(readme).not.toMatch(/\{[A-Z_]{3,}\}/);
  });
});
