import { spawn } from "node:child_process";
import path from "node:path";
import { CreateVpcCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import { CreateHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { SESClient, VerifyDomainIdentityCommand } from "@aws-sdk/client-ses";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { DEFAULT_MODELS, foundationModelId } from "@tandem/core/ai";
import { ROOT, startAccountLimitsStandIn, startBedrockControlStandIn, type AccountLimitsStandIn, type BedrockControlStandIn } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { doctor, QUOTAS } from "@tandem/stacks/doctor";

/**
 * The deploy doctor against moto (SSM, Route 53, SES, EC2, ECR, STS), the Bedrock control
 * stand-in and the account-limits stand-in (Service Quotas, SES v2's account), with the real SDK
 * clients: a complete stage passes, a deliberately broken one has every problem named with its
 * fix, and without credentials it checks what needs no AWS and lists what it skipped.
 */
const APP = "tandem-doctor-test";
const ACCOUNT = "123456789012";
const modelIds = [...new Set(DEFAULT_MODELS.filter((m) => !m.local).map((m) => foundationModelId(m.id)))];

let completeBedrock: BedrockControlStandIn;
let brokenBedrock: BedrockControlStandIn;
let completeLimits: AccountLimitsStandIn;
let brokenLimits: AccountLimitsStandIn;
let vpcId: string;
let defaultVpcId: string;
const saved = { ...process.env };

/**
 * Runs `pnpm tandem doctor` as a separate process. Not spawnSync: the stand-ins it calls live in
 * this process and must keep answering while it runs.
 */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["tooling/cli/src/cli.ts", ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

async function setSecret(stage: string, name: string, value: string): Promise<void> {
  await new SSMClient({}).send(new PutParameterCommand({ Name: `/sst/${APP}/${stage}/Secret/${name}/value`, Value: value, Type: "SecureString", Overwrite: true }));
}

/** Points the SDK's Bedrock, Service Quotas and SES v2 clients at a pair of stand-ins (moto serves the rest). */
function account(bedrock: BedrockControlStandIn, limits: AccountLimitsStandIn): void {
  process.env.AWS_ENDPOINT_URL_BEDROCK = bedrock.url;
  process.env.AWS_ENDPOINT_URL_SERVICE_QUOTAS = limits.url;
  process.env.AWS_ENDPOINT_URL_SESV2 = limits.url;
}

const models = modelIds.map((modelId) => ({ modelId, modelName: modelId, providerName: "Test", outputModalities: ["TEXT" as const], inferenceTypes: ["ON_DEMAND" as const] }));

beforeAll(async () => {
  Object.assign(process.env, inject("awsEnv"));
  completeBedrock = await startBedrockControlStandIn({ models, enabled: modelIds });
  // The broken account offers every model but one, and has access to none but the first.
  brokenBedrock = await startBedrockControlStandIn({ models: models.slice(1), enabled: modelIds.slice(1, 2) });
  completeLimits = await startAccountLimitsStandIn({ quotas: { "lambda/L-B99A9384": 1000, "iam/L-FE177D64": 3000 }, sesProductionAccess: true });
  // Lambda's quota lowered to 50; IAM's never adjusted (so AWS's default of 1,000 applies).
  brokenLimits = await startAccountLimitsStandIn({ quotas: { "lambda/L-B99A9384": 50 }, defaults: { "iam/L-FE177D64": 1000 }, sesProductionAccess: false });

  const ec2 = new EC2Client({});
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.42.0.0/16" }))).Vpc!.VpcId!;
  defaultVpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))).Vpcs![0]!.VpcId!;
  await new Route53Client({}).send(new CreateHostedZoneCommand({ Name: "doctor-ok.test", CallerReference: `doctor-${Date.now()}` }));
  await new ECRClient({}).send(new CreateRepositoryCommand({ repositoryName: "doctor/subscriber-fanout" }));
  await new SESClient({}).send(new VerifyDomainIdentityCommand({ Domain: "doctor-ok.test" }));

  for (const [name, value] of Object.entries({
    MONGODB_URI: `${inject("mongodbUri")}/doctor-%stage%`,
    SESSION_SECRET: "s".repeat(48),
    JWT_SECRET: "j".repeat(48),
    MAIL_FROM: "Tandem <no-reply@doctor-ok.test>",
    SUPPORT_EMAIL: "help@doctor-ok.test",
  })) {
    await setSecret("dev", name, value);
  }
  // The broken stage: a database nobody listens on, a sender of an unverified domain, a model Bedrock does not have.
  for (const [name, value] of Object.entries({
    MONGODB_URI: "mongodb://127.0.0.1:9/doctor-%stage%",
    SESSION_SECRET: "s".repeat(48),
    JWT_SECRET: "j".repeat(48),
    MAIL_FROM: "no-reply@doctor-broken.test",
    GITHUB_CLIENT_ID: "Iv1.abc",
  })) {
    await setSecret("pr77", name, value);
  }
}, 60_000);

afterAll(async () => {
  for (const key of ["AWS_ENDPOINT_URL_BEDROCK", "AWS_ENDPOINT_URL_SERVICE_QUOTAS", "AWS_ENDPOINT_URL_SESV2"]) if (saved[key] === undefined) delete process.env[key];
  await Promise.all([completeBedrock?.close(), brokenBedrock?.close(), completeLimits?.close(), brokenLimits?.close()]);
});

const complete = () => ({
  SEED_APP_NAME: APP,
  SERVER_DOMAIN: "doctor-ok.test",
  VPC_ID: vpcId,
  ECR_CACHE_REPO: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/doctor/subscriber-fanout`,
  AWS_REGION: "us-east-1",
});

describe("pnpm doctor", () => {
  it("lists every missing secret of a stage with the command that sets it, and a bad variable", async () => {
    account(completeBedrock, completeLimits);
    await setSecret("pr42", "JWT_SECRET", "j".repeat(48));
    const report = await doctor("pr42", { SEED_APP_NAME: APP, PREVIEW_DOMAIN: "preview.example.com", VPC_ID: "default" });
    expect(report.ok).toBe(false);
    const text = report.lines.join("\n");
    expect(text).toContain("VPC_ID must be a VPC id");
    expect(text).toContain('pnpm sst secrets set MONGODB_URI "mongodb://user:pass@host:27017/tandem-%stage%" --stage pr42');
    expect(text).toContain("pnpm sst secrets set SESSION_SECRET");
    expect(text).not.toContain("pnpm sst secrets set JWT_SECRET");
  });

  it("passes a complete stage: variables, secrets, zone, SES, Bedrock, quotas, VPC, ECR and database", async () => {
    account(completeBedrock, completeLimits);
    const asked = completeBedrock.requests.length;
    const report = await doctor("dev", complete());
    const text = report.lines.join("\n");
    expect(report.lines.filter((l) => l.startsWith("✗"))).toEqual([]);
    expect(report.ok).toBe(true);
    for (const expected of [
      `✓ AWS account ${ACCOUNT}`,
      '✓ secrets of "dev" in SSM are valid (5 set)',
      "✓ Route 53 hosted zone doctor-ok.test",
      "✓ SES identity doctor-ok.test is verified in us-east-1",
      "✓ SES in us-east-1 is out of the sandbox",
      `✓ Bedrock in us-east-1: access is enabled for all ${DEFAULT_MODELS.filter((m) => !m.local).length} models of the built-in catalog`,
      `✓ quota ${QUOTAS.lambdaConcurrency.name}: 1000`,
      `✓ quota ${QUOTAS.iamRoles.name}: 3000`,
      `✓ VPC ${vpcId} (10.42.0.0/16) exists in us-east-1 and is not the default one`,
      "✓ ECR repository doctor/subscriber-fanout exists in us-east-1",
      "✓ database at 127.0.0.1",
    ]) {
      expect(text).toContain(expected);
    }
    expect(report.skipped).toEqual([]);
    // Each check asked the account: quotas and SES's account at the limits stand-in, each model's access at Bedrock's.
    expect(completeLimits.requests).toEqual(expect.arrayContaining(["sesv2:GetAccount", "servicequotas:GetServiceQuota"]));
    expect(completeBedrock.requests.slice(asked).filter((r) => r.startsWith("GET /foundation-model-availability/"))).toHaveLength(modelIds.length);
  });

  it("names every problem of a broken stage with its fix, and the command exits 1", async () => {
    account(brokenBedrock, brokenLimits);
    const env = { SEED_APP_NAME: APP, PREVIEW_DOMAIN: "doctor-broken.test", VPC_ID: defaultVpcId, ECR_CACHE_REPO: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/doctor/missing`, AWS_REGION: "us-east-1" };
    const report = await doctor("pr77", env, { databaseTimeoutMs: 1_000 });
    expect(report.ok).toBe(false);
    const failures = report.lines.filter((l) => l.startsWith("✗"));
    const expectations: Array<[string, string]> = [
      ["No public Route 53 hosted zone named doctor-broken.test in this account, for the site app.pr77.doctor-broken.test.", "create it (docs/onboarding.md, step 3)"],
      ["SES in us-east-1 has no verified identity for no-reply@doctor-broken.test", "verify the domain doctor-broken.test in SES"],
      ["SES in us-east-1 is in the sandbox", "request production access"],
      [`Bedrock model ${DEFAULT_MODELS[0]!.id} (${DEFAULT_MODELS[0]!.name}, from the built-in catalog) is not offered in us-east-1.`, "remove it from BEDROCK_MODELS"],
      [": access is not enabled for this account in us-east-1.", "enable it in the Bedrock console in us-east-1, under Model access"],
      [`The quota ${QUOTAS.lambdaConcurrency.name} is 50 in us-east-1`, "request an increase to 1000"],
      [`The quota ${QUOTAS.iamRoles.name} is 1000 in us-east-1`, "request an increase to 3000"],
      [`VPC ${defaultVpcId} is the account's default VPC`, "create a VPC with private subnets and a NAT gateway"],
      ["ECR repository doctor/missing does not exist in us-east-1", "aws ecr create-repository --repository-name doctor/missing --region us-east-1"],
      ["The database at 127.0.0.1:9 does not answer within 1 s (connect ECONNREFUSED 127.0.0.1:9).", "check MONGODB_URI"],
    ];
    for (const [problem, fix] of expectations) {
      const line = failures.find((l) => l.includes(problem));
      expect(line, problem).toBeDefined();
      expect(line).toContain(`Fix: ${fix}`);
    }
    // Every model but the first one is offered; only the second is enabled: the rest each get their own line.
    expect(failures.filter((l) => l.includes("access is not enabled"))).toHaveLength(modelIds.length - 2);
    expect(report.lines.join("\n")).toMatch(/! GitHub sign-in is off: GITHUB_CLIENT_ID is set but GITHUB_CLIENT_SECRET is not/);

    const cli = await runCli(["doctor", "--stage", "pr77"], { ...process.env, ...env });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain("problems: fix them, then run the doctor again.");
    expect(cli.stdout).toContain("✗ No public Route 53 hosted zone named doctor-broken.test");
  }, 90_000);

  it("without AWS credentials checks the variables only, lists what it skipped, and exits 0 when they pass", async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: "/nonexistent", AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent", SEED_APP_NAME: APP, SERVER_DOMAIN: "doctor-ok.test", VPC_ID: "vpc-0abc1234def567890" };
    const cli = await runCli(["doctor", "--stage", "dev"], env);
    expect(cli.stderr).not.toMatch(/error/i);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('✓ stage variables of "dev" are valid');
    for (const check of ["secrets in SSM", "Route 53 hosted zone", "SES identity verified and out of the sandbox", "Bedrock model access in us-east-1", "Lambda concurrency and IAM roles quotas", "VPC", "ECR repository", "database reachable"]) {
      expect(cli.stdout).toContain(`- skipped: ${check}: no AWS credentials`);
    }
    expect(cli.stdout).toContain('The stage "dev" is ready to deploy (8 checks skipped).');
  }, 90_000);

  it("leaves out the checks --skip names, and refuses a name it does not know", async () => {
    account(completeBedrock, completeLimits);
    const report = await doctor("dev", complete(), { skip: ["database", "quotas"] });
    expect(report.ok).toBe(true);
    expect(report.skipped).toEqual(["quotas: --skip quotas", "database: --skip database"]);
    expect(report.lines.join("\n")).not.toContain("database at");
    const wrong = await doctor("dev", complete(), { skip: ["dns"] });
    expect(wrong.ok).toBe(false);
    expect(wrong.lines).toContain("✗ --skip names dns, which the doctor does not check. Fix: name only zone, ses, bedrock, quotas, vpc, ecr, database.");
  });

  it("with --offline skips AWS even when credentials are there, but still refuses bad variables", async () => {
    const report = await doctor("dev", { SEED_APP_NAME: APP, SERVER_DOMAIN: "not a domain" }, { offline: true });
    expect(report.ok).toBe(false);
    expect(report.lines.join("\n")).toContain("SERVER_DOMAIN must be a DNS name");
    expect(report.skipped).toHaveLength(8);
    expect(report.skipped.every((s) => s.endsWith(": --offline"))).toBe(true);
  });
});
