import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../src/config/index.js";

const guide = readFileSync(new URL("../../../docs/onboarding.md", import.meta.url), "utf8");

// Seed 000's order: what a new installation does, first to last.
const STEPS = ["Decisions", "AWS account", "Route 53", "VPC", "SES and SMTP credentials", "ECR", "MongoDB / DocumentDB", "Bedrock model access in us-east-1", "Quotas", "SST bootstrap", "Seed app and IAM roles", "Variables", "Secrets", "First build", "Deploy", "First operator", "Updates"];

// Upper-case names the guide may use that are not stage settings: the AWS CLI's own environment.
const NOT_SETTINGS = new Set(["AWS_REGION"]);

describe("docs/onboarding.md", () => {
  it("follows seed 000's order, one numbered section per step", () => {
    const headings = [...guide.matchAll(/^## (\d+)\. (.+)$/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(headings).toEqual(STEPS.map((step, i) => [i + 1, step]));
  });

  it.each(SETTINGS.map((s) => [s.name, s.kind] as const))("names %s (a %s of the stage contract)", (name) => {
    expect(guide).toContain(`\`${name}\``);
  });

  it("names no variable or secret that the stage contract does not have", () => {
    const names = new Set([...guide.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((m) => m[1]!));
    const known = new Set(SETTINGS.map((s) => s.name));
    const unknown = [...names].filter((n) => !known.has(n) && !NOT_SETTINGS.has(n) && !/^[A-Z]+_\*$/.test(n));
    expect(unknown).toEqual([]);
    // The guide does name settings in code, not only in tables.
    expect(names.size).toBeGreaterThan(30);
  });

  it("lists every variable in the variables step and every secret in the secrets step", () => {
    const section = (title: string) => guide.slice(guide.indexOf(`. ${title}\n`), guide.indexOf("\n## ", guide.indexOf(`. ${title}\n`)));
    const variables = section("Variables");
    const secrets = section("Secrets");
    for (const s of SETTINGS) expect(s.kind === "variable" ? variables : secrets, `${s.name} in the ${s.kind}s step`).toContain(`\`${s.name}\``);
  });
});
