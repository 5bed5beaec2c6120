import { EC2Client, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { ListHostedZonesByNameCommand, Route53Client } from "@aws-sdk/client-route-53";
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { GetIdentityVerificationAttributesCommand, SESClient } from "@aws-sdk/client-ses";
import { GetAccountCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { createBedrockControlClient, DEFAULT_MODELS, foundationModelAccess, type ModelEntry } from "@tandem/core/ai";
import { loadRuntimeConfig, loadStageSettings, type RuntimeConfig, type Source, type StageSettings } from "@tandem/core/config";
import { readSstSecrets } from "@tandem/core/config/ssm";
import { closeConnection, getConnection, isDocumentDbUri, pingDatabase } from "@tandem/core/database";
import { isDomainError } from "@tandem/core/errors";
import { tandemPaths } from "./paths.js";

export interface DoctorReport {
  readonly ok: boolean;
  readonly lines: string[];
  /** What was not checked (offline, or nothing to check), one entry per check. */
  readonly skipped: string[];
}

export interface DoctorOptions {
  /** Check only what needs no AWS (no credentials are looked for). */
  readonly offline?: boolean;
  /** How long the database may take to answer. */
  readonly databaseTimeoutMs?: number;
  /** Checks not to run (`--skip database,quotas`): e.g. a database that lets only the VPC in. */
  readonly skip?: readonly string[];
}

/** The AWS checks `--skip` can name. */
export const SKIPPABLE = ["zone", "ses", "bedrock", "quotas", "vpc", "ecr", "database"] as const;

/** Where Bedrock is called, whatever the stack's region. */
const BEDROCK_REGION = "us-east-1";
/** Seed 000's quotas: Lambda's concurrent executions (at least the default), IAM roles for many stages. */
export const QUOTAS = {
  lambdaConcurrency: { service: "lambda", code: "L-B99A9384", minimum: 1000, name: "AWS Lambda → Concurrent executions" },
  iamRoles: { service: "iam", code: "L-FE177D64", minimum: 3000, name: "AWS Identity and Access Management (IAM) → Roles per account" },
} as const;
const GUIDE = "docs/onboarding.md";

type Line = { status: "ok" | "fail" | "warn"; text: string };
const ok = (text: string): Line => ({ status: "ok", text });
const fail = (text: string, fix: string): Line => ({ status: "fail", text: `${text} Fix: ${fix}` });
const warn = (text: string): Line => ({ status: "warn", text });
const MARK = { ok: "✓", fail: "✗", warn: "!" } as const;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The checks that need AWS, each named the way the skipped list shows it. */
const AWS_CHECKS = [
  "secrets in SSM",
  "Route 53 hosted zone",
  "SES identity verified and out of the sandbox",
  "Bedrock model access in us-east-1",
  "Lambda concurrency and IAM roles quotas",
  "VPC",
  "ECR repository",
  "database reachable",
] as const;

/**
 * Checks a stage before it is deployed (`pnpm tandem doctor --stage X`, and seed.yml before each
 * deploy): its variables (this environment), and with AWS credentials its secrets in SSM and what
 * the account must hold (docs/onboarding.md). One line per check; each failure says how to fix it.
 * Without credentials it checks what needs no AWS and lists what it skipped.
 */
export async function doctor(stage: string, env: Source, options: DoctorOptions = {}): Promise<DoctorReport> {
  const lines: Line[] = [];
  const skipped: string[] = [];
  let settings: StageSettings | undefined;
  try {
    settings = loadStageSettings(env, { stage });
    lines.push(ok(`stage variables of "${stage}" are valid`));
    lines.push(ok(`  site: ${settings.siteDomain ? `https://${settings.siteDomain} (zone ${settings.hostedZone})` : "CloudFront address (no SERVER_DOMAIN / PREVIEW_DOMAIN)"}; VPC: ${settings.vpcId ?? "created by the stage"}; data: ${settings.retainData ? "retained" : "removed with the stage"}`));
  } catch (error) {
    if (!isDomainError(error)) throw error;
    lines.push({ status: "fail", text: error.message });
  }

  const account = options.offline ? undefined : await callerAccount();
  if (!account || "reason" in account) {
    const why = options.offline ? "--offline" : `no AWS credentials (${account?.reason ?? "none found"}); set AWS_PROFILE or AWS_ACCESS_KEY_ID to check them`;
    for (const check of AWS_CHECKS) skipped.push(`${check}: ${why}`);
    return report(lines, skipped);
  }
  lines.push(ok(`AWS account ${account.id} (${env.AWS_REGION ?? "us-east-1"}; Bedrock in ${BEDROCK_REGION})`));

  const app = env.SEED_APP_NAME ?? settings?.app ?? "tandem";
  let config: RuntimeConfig | undefined;
  try {
    const secrets = await readSstSecrets({ app, stage });
    try {
      config = loadRuntimeConfig({ ...env, ...secrets }, { stage });
      lines.push(ok(`secrets of "${stage}" in SSM are valid (${Object.keys(secrets).length} set)`));
      for (const warning of config.warnings) lines.push(warn(warning));
    } catch (error) {
      if (!isDomainError(error)) throw error;
      lines.push({ status: "fail", text: error.message });
    }
  } catch (error) {
    lines.push(fail(`Could not read the secrets of "${stage}" from SSM: ${message(error)}.`, "check that these credentials may read /sst/* parameters (ssm:GetParameters) in this region."));
  }

  const region = env.AWS_REGION ?? "us-east-1";
  const skip = new Set(options.skip ?? []);
  const unknown = [...skip].filter((name) => !(SKIPPABLE as readonly string[]).includes(name));
  if (unknown.length) lines.push(fail(`--skip names ${unknown.join(", ")}, which the doctor does not check.`, `name only ${SKIPPABLE.join(", ")}.`));
  const run = (key: (typeof SKIPPABLE)[number], name: string, check: () => Promise<CheckResult>): Promise<CheckResult> =>
    skip.has(key) ? Promise.resolve({ lines: [], skipped: [`${name}: --skip ${key}`] }) : guarded(name, check);
  const results = await Promise.all([
    run("zone", "Route 53 hosted zone", () => hostedZone(settings)),
    run("ses", "SES", () => ses(region, config)),
    run("bedrock", "Bedrock", () => bedrock(config)),
    run("quotas", "quotas", () => quotas(region, settings)),
    run("vpc", "VPC", () => vpc(region, settings)),
    run("ecr", "ECR", () => ecr(settings)),
    run("database", "database", () => database(config, options.databaseTimeoutMs ?? 5_000)),
  ]);
  for (const r of results) {
    lines.push(...r.lines);
    skipped.push(...r.skipped);
  }
  return report(lines, skipped);
}

function report(lines: Line[], skipped: string[]): DoctorReport {
  return {
    ok: lines.every((l) => l.status !== "fail"),
    lines: [...lines.map((l) => `${MARK[l.status]} ${l.text}`), ...skipped.map((s) => `- skipped: ${s}`)],
    skipped,
  };
}

interface CheckResult {
  readonly lines: Line[];
  readonly skipped: string[];
}

/** A check that throws (a denied call, an outage) is a failure with its reason, not a crash. */
async function guarded(name: string, check: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await check();
  } catch (error) {
    return { lines: [fail(`The ${name} check could not run: ${message(error)}.`, "check that these credentials may call it (the doctor only reads: route53:ListHostedZonesByName, ses:GetIdentityVerificationAttributes, ses:GetAccount, bedrock:GetFoundationModelAvailability, servicequotas:GetServiceQuota, servicequotas:GetAWSDefaultServiceQuota, ec2:DescribeVpcs, ecr:DescribeRepositories, ssm:GetParameters), then run the doctor again.")], skipped: [] };
  }
}

async function callerAccount(): Promise<{ id: string } | { reason: string }> {
  try {
    const identity = await new STSClient({ maxAttempts: 1 }).send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(10_000) });
    return { id: identity.Account ?? "unknown" };
  } catch (error) {
    return { reason: message(error) };
  }
}

async function hostedZone(settings: StageSettings | undefined): Promise<CheckResult> {
  if (!settings?.siteDomain || !settings.hostedZone) return { lines: [], skipped: ["Route 53 hosted zone: the stage has no custom domain (SERVER_DOMAIN / PREVIEW_DOMAIN)"] };
  const zone = settings.hostedZone;
  const answer = await new Route53Client({}).send(new ListHostedZonesByNameCommand({ DNSName: zone, MaxItems: 5 }));
  const found = (answer.HostedZones ?? []).find((z) => z.Name === `${zone}.` && !z.Config?.PrivateZone);
  if (!found) return { lines: [fail(`No public Route 53 hosted zone named ${zone} in this account, for the site ${settings.siteDomain}.`, `create it (${GUIDE}, step 3), or set HOSTED_ZONE to the zone that holds ${settings.siteDomain}.`)], skipped: [] };
  return { lines: [ok(`Route 53 hosted zone ${zone} (${found.Id?.replace("/hostedzone/", "")}) holds ${settings.siteDomain}`)], skipped: [] };
}

/** The address of MAIL_FROM ("Name <a@b>" or "a@b"). */
function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from;
}

async function ses(region: string, config: RuntimeConfig | undefined): Promise<CheckResult> {
  if (!config) return { lines: [], skipped: ["SES identity and sandbox: the secrets are not valid yet (MAIL_FROM is one of them)"] };
  const smtp = config.mail.smtp;
  if (smtp && !/^email-smtp\.[a-z0-9-]+\.amazonaws\.com$/.test(smtp.host)) {
    return { lines: [], skipped: [`SES identity and sandbox: mail goes through the SMTP relay ${smtp.host}, not SES`] };
  }
  const lines: Line[] = [];
  const from = addressOf(config.mail.from);
  const domain = from.split("@")[1] ?? from;
  const sesRegion = smtp ? (/^email-smtp\.([a-z0-9-]+)\./.exec(smtp.host)?.[1] ?? region) : region;
  const attributes = (await new SESClient({ region: sesRegion }).send(new GetIdentityVerificationAttributesCommand({ Identities: [from, domain] }))).VerificationAttributes ?? {};
  const verified = [from, domain].find((identity) => attributes[identity]?.VerificationStatus === "Success");
  if (verified) lines.push(ok(`SES identity ${verified} is verified in ${sesRegion}, so mail can come from ${from}`));
  else {
    const pending = [from, domain].map((i) => attributes[i]?.VerificationStatus).find(Boolean);
    lines.push(fail(`SES in ${sesRegion} has no verified identity for ${from}${pending ? ` (${domain}: ${pending})` : ""}.`, `verify the domain ${domain} in SES in ${sesRegion} (${GUIDE}, step 5), or set MAIL_FROM to an address of a verified domain.`));
  }
  const sesAccount = await new SESv2Client({ region: sesRegion }).send(new GetAccountCommand({}));
  if (sesAccount.ProductionAccessEnabled) lines.push(ok(`SES in ${sesRegion} is out of the sandbox (${sesAccount.SendQuota?.Max24HourSend ?? "?"} mails a day)`));
  else lines.push(fail(`SES in ${sesRegion} is in the sandbox: mail reaches only verified addresses, so sign-up and invitation mails to anyone else are refused.`, `request production access in the SES console in ${sesRegion} (${GUIDE}, step 5).`));
  return { lines, skipped: [] };
}

async function bedrock(config: RuntimeConfig | undefined): Promise<CheckResult> {
  const catalog: readonly ModelEntry[] = (config?.models ?? DEFAULT_MODELS).filter((m) => !m.local);
  const source = config?.models ? "BEDROCK_MODELS" : "the built-in catalog";
  const client = createBedrockControlClient();
  const states = await Promise.all(catalog.map(async (m) => ({ model: m, access: await foundationModelAccess(client, m.id) })));
  const lines: Line[] = [];
  for (const { model, access } of states) {
    if (access === "enabled") continue;
    const what = `Bedrock model ${model.id} (${model.name}, from ${source})`;
    if (access === "not_offered") lines.push(fail(`${what} is not offered in ${BEDROCK_REGION}.`, `remove it from BEDROCK_MODELS or name a model Bedrock offers in ${BEDROCK_REGION}.`));
    else if (access === "not_in_region") lines.push(fail(`${what} is not available in ${BEDROCK_REGION}.`, "remove it from BEDROCK_MODELS."));
    else if (access === "unknown") lines.push(warn(`${what}: Bedrock could not say whether access is enabled.`));
    else lines.push(fail(`${what}: access is not enabled for this account in ${BEDROCK_REGION}.`, `enable it in the Bedrock console in ${BEDROCK_REGION}, under Model access (${GUIDE}, step 8).`));
  }
  const enabled = states.filter((s) => s.access === "enabled").length;
  if (enabled === catalog.length) lines.unshift(ok(`Bedrock in ${BEDROCK_REGION}: access is enabled for all ${catalog.length} models of ${source}`));
  return { lines, skipped: [] };
}

async function quotaValue(region: string, service: string, code: string): Promise<number | undefined> {
  const client = new ServiceQuotasClient({ region });
  try {
    return (await client.send(new GetServiceQuotaCommand({ ServiceCode: service, QuotaCode: code }))).Quota?.Value;
  } catch (error) {
    // A quota never adjusted has no applied value: AWS's default applies.
    if ((error as { name?: string }).name !== "NoSuchResourceException") throw error;
    return (await client.send(new GetAWSDefaultServiceQuotaCommand({ ServiceCode: service, QuotaCode: code }))).Quota?.Value;
  }
}

async function quotas(region: string, settings: StageSettings | undefined): Promise<CheckResult> {
  const checks = [
    { ...QUOTAS.lambdaConcurrency, region, required: true },
    // IAM's quotas are global and read in us-east-1. Many roles matter where many stages run: a
    // production account alone needs a few dozen, so there it is only a warning.
    { ...QUOTAS.iamRoles, region: "us-east-1", required: settings?.kind !== "production" },
  ];
  const lines = await Promise.all(
    checks.map(async (q) => {
      const value = await quotaValue(q.region, q.service, q.code);
      if (value === undefined) return warn(`The quota ${q.name} could not be read in ${q.region}.`);
      if (value >= q.minimum) return ok(`quota ${q.name}: ${value} (at least ${q.minimum})`);
      if (!q.required) return warn(`The quota ${q.name} is ${value}; an account that also runs dev and pull-request stages needs ${q.minimum} (${GUIDE}, step 9).`);
      return fail(`The quota ${q.name} is ${value} in ${q.region}; Tandem needs at least ${q.minimum}.`, `request an increase to ${q.minimum} in the Service Quotas console in ${q.region} (${GUIDE}, step 9).`);
    }),
  );
  return { lines, skipped: [] };
}

async function vpc(region: string, settings: StageSettings | undefined): Promise<CheckResult> {
  if (!settings?.vpcId) return { lines: [], skipped: ["VPC: no VPC_ID, the stage creates its own"] };
  const id = settings.vpcId;
  let found;
  try {
    found = (await new EC2Client({ region }).send(new DescribeVpcsCommand({ VpcIds: [id] }))).Vpcs?.[0];
  } catch (error) {
    if (!/NotFound/.test((error as { name?: string }).name ?? "")) throw error;
  }
  if (!found) return { lines: [fail(`VPC ${id} does not exist in ${region}.`, `set VPC_ID to a VPC of this account and region (${GUIDE}, step 4), or unset it and the stage creates one.`)], skipped: [] };
  if (found.IsDefault) return { lines: [fail(`VPC ${id} is the account's default VPC, which Tandem cannot use.`, `create a VPC with private subnets and a NAT gateway (${GUIDE}, step 4) and set VPC_ID to it.`)], skipped: [] };
  return { lines: [ok(`VPC ${id} (${found.CidrBlock}) exists in ${region} and is not the default one`)], skipped: [] };
}

const ECR_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/;

async function ecr(settings: StageSettings | undefined): Promise<CheckResult> {
  if (!settings?.ecrCacheRepo) return { lines: [warn("No ECR_CACHE_REPO: the live-updates fan-out's image is built from scratch at every deploy (a few minutes more).")], skipped: [] };
  const [, registry, region, name] = ECR_URI.exec(settings.ecrCacheRepo) ?? [];
  if (!registry || !region || !name) return { lines: [fail(`ECR_CACHE_REPO ${settings.ecrCacheRepo} is not an ECR repository URI.`, "set it to <account>.dkr.ecr.<region>.amazonaws.com/<name>.")], skipped: [] };
  try {
    await new ECRClient({ region }).send(new DescribeRepositoriesCommand({ registryId: registry, repositoryNames: [name] }));
  } catch (error) {
    if ((error as { name?: string }).name !== "RepositoryNotFoundException") throw error;
    return { lines: [fail(`ECR repository ${name} does not exist in ${region} (account ${registry}).`, `aws ecr create-repository --repository-name ${name} --region ${region} (${GUIDE}, step 6).`)], skipped: [] };
  }
  return { lines: [ok(`ECR repository ${name} exists in ${region}, for the fan-out's build cache`)], skipped: [] };
}

async function database(config: RuntimeConfig | undefined, timeoutMs: number): Promise<CheckResult> {
  if (!config) return { lines: [], skipped: ["database reachable: MONGODB_URI is not valid yet"] };
  const uri = config.mongodbUri;
  const host = /@([^/?]+)/.exec(uri)?.[1] ?? /^mongodb(?:\+srv)?:\/\/([^/?]+)/.exec(uri)?.[1] ?? "the database";
  const ca = tandemPaths().documentDbCa;
  const probe = await pingDatabase(() => getConnection({ uri, serverSelectionTimeoutMS: timeoutMs, tlsCAFile: isDocumentDbUri(uri) ? ca : undefined }), timeoutMs + 1_000);
  await closeConnection().catch(() => undefined);
  if (probe.status === "up") return { lines: [ok(`database at ${host} answers (${probe.latencyMs} ms)`)], skipped: [] };
  // DocumentDB answers only inside its VPC: from a laptop or Seed's build, silence is expected.
  if (isDocumentDbUri(uri)) return { lines: [warn(`The database at ${host} does not answer from here. DocumentDB answers only inside its VPC, so this is expected outside it; the stage's functions reach it through VPC_ID's private subnets. Check the cluster is "available" in the DocumentDB console.`)], skipped: [] };
  // The driver's own words, without the wrappers' advice (the fix below says what to do).
  const cause = (probe.reason ?? "no answer").replace(/^The database did not answer: /, "").replace(/^Could not connect to the database: /, "").split(". ")[0]!.replace(/\.$/, "");
  return { lines: [fail(`The database at ${host} does not answer within ${timeoutMs / 1000} s (${cause}).`, `check MONGODB_URI (pnpm sst secrets set MONGODB_URI ... --stage ${config.stage}) and that the database lets this network in (${GUIDE}, step 7).`)], skipped: [] };
}
