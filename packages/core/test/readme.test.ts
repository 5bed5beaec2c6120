import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../src/config/index.js";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

describe("README configuration table", () => {
  it.each(SETTINGS.map((s) => [s.name, s] as const))("documents %s with its kind and default", (name, setting) => {
    const row = readme.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
    expect(row, `README.md has no configuration row for ${name}`).toBeDefined();
    expect(row).toContain(setting.kind);
    expect(row).toContain(setting.defaultText.replace(/</g, "&lt;").replace(/>/g, "&gt;"));
  });
});
