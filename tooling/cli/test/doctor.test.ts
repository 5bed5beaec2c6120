import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { doctor } from "../src/doctor.js";

const APP = "tandem-doctor-test";

beforeAll(() => {
  Object.assign(process.env, inject("awsEnv"));
});

async function setSecret(stage: string, name: string, value: string): Promise<void> {
  await new SSMClient({}).send(new PutParameterCommand({ Name: `/sst/${APP}/${stage}/Secret/${name}/value`, Value: value, Type: "SecureString", Overwrite: true }));
}

describe("pnpm doctor", () => {
  it("lists every missing secret of a stage with the command that sets it, and a bad variable", async () => {
    await setSecret("pr42", "JWT_SECRET", "j".repeat(48));
    const report = await doctor("pr42", { SEED_APP_NAME: APP, PREVIEW_DOMAIN: "preview.example.com", VPC_ID: "default" });
    expect(report.ok).toBe(false);
    const text = report.lines.join("\n");
    expect(text).toContain("VPC_ID must be a VPC id");
    expect(text).toContain('pnpm sst secrets set MONGODB_URI "mongodb://user:pass@host:27017/tandem-%stage%" --stage pr42');
    expect(text).toContain("pnpm sst secrets set SESSION_SECRET");
    expect(text).not.toContain("pnpm sst secrets set JWT_SECRET");
  });

  it("passes a complete stage and shows its site and what is half-configured", async () => {
    await setSecret("dev", "MONGODB_URI", "mongodb://db.internal:27017/tandem-%stage%");
    await setSecret("dev", "SESSION_SECRET", "s".repeat(48));
    await setSecret("dev", "JWT_SECRET", "j".repeat(48));
    await setSecret("dev", "GITHUB_CLIENT_ID", "Iv1.abc");
    const report = await doctor("dev", { SEED_APP_NAME: APP, SERVER_DOMAIN: "example.com" });
    expect(report.ok).toBe(true);
    expect(report.lines).toContain("  site: https://app.example.com (zone example.com)");
    expect(report.lines.join("\n")).toMatch(/GitHub sign-in is off: GITHUB_CLIENT_ID is set but GITHUB_CLIENT_SECRET is not/);
  });
});
