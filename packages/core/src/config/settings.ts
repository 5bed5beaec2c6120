import { z } from "zod";
import { ModelCatalogJson } from "../ai/catalog.js";

/**
 * The stage contract: every variable and secret a Tandem stage reads (seed 000), what it is for,
 * its format and default. Variables are plain environment values (Seed's stage settings, or
 * `.env.<stage>` for `pnpm sst deploy`); secrets live in SSM through `pnpm sst secrets set`.
 * This list drives validation, the error messages, the README table and the stacks' secrets.
 */
export type SettingKind = "variable" | "secret";

export type Integration = "google" | "github" | "okta" | "stripe" | "salesforce" | "smtp";

export interface Setting {
  readonly name: string;
  readonly kind: SettingKind;
  /** What it is for, in the operator's words. */
  readonly purpose: string;
  /** Example value used in the "how to set it" hint. */
  readonly example: string;
  readonly defaultText: string;
  readonly schema: z.ZodType<unknown, z.ZodTypeDef, string>;
  /** Optional integrations are on only when all their settings are present. */
  readonly integration?: Integration;
  /** Seed sets it by itself; operators never do. */
  readonly setBySeed?: boolean;
}

const hostname = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i,
    "must be a DNS name such as example.com (no scheme, no path)",
  )
  .transform((v) => v.toLowerCase());

// An SMTP relay may be reached by a single-label name on a private network (localhost, mailpit).
const host = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, "must be a host name such as email-smtp.us-east-1.amazonaws.com (no scheme, no port)");

// S3 bucket naming rules: 3-63 characters, lowercase letters, digits, dots and hyphens.
const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)");

export const booleanSetting = z
  .string()
  .regex(/^(true|false|1|0|yes|no)$/i, "must be true or false")
  .transform((v) => /^(true|1|yes)$/i.test(v));

const text = z.string().min(1, "must not be empty");
const email = z
  .string()
  .regex(/^([^<>]*<)?[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+>?$/, "must be an email address, optionally as Name <address>");
const httpsUrl = z.string().url("must be a URL").refine((v) => v.startsWith("https://"), "must start with https://");
// At least 32 characters: HMAC keys shorter than the hash output weaken the signature.
const signingSecret = z.string().min(32, "must be at least 32 characters (generate one with: openssl rand -base64 48)");

function variable(name: string, purpose: string, example: string, schema: Setting["schema"], defaultText = "none", extra: Partial<Setting> = {}): Setting {
  return { name, kind: "variable", purpose, example, schema, defaultText, ...extra };
}

function secret(name: string, purpose: string, example: string, schema: Setting["schema"], defaultText = "none", extra: Partial<Setting> = {}): Setting {
  return { name, kind: "secret", purpose, example, schema, defaultText, ...extra };
}

export const SETTINGS: readonly Setting[] = [
  // Stage variables
  variable("SERVER_DOMAIN", "domain suffix of the app: the site is served at app.<SERVER_DOMAIN>", "example.com", hostname, "no custom domain (CloudFront address)"),
  variable("PREVIEW_DOMAIN", "domain suffix of pull-request stages: stage pr<N> is served at app.pr<N>.<PREVIEW_DOMAIN>", "preview.example.com", hostname, "no custom domain for PR stages"),
  variable("HOSTED_ZONE", "Route 53 hosted zone that holds the domain, when it differs from SERVER_DOMAIN / PREVIEW_DOMAIN", "example.com", hostname, "the domain itself"),
  variable("APP_CERT_ARN", "ACM certificate (us-east-1) for the site, when AWS does not issue one itself", "arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234", z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, "must be an ACM certificate ARN"), "issued by AWS and validated through the hosted zone"),
  variable("VPC_ID", "existing VPC to run the services in (not the account's default VPC)", "vpc-0abc1234def567890", z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0abc1234def567890"), "a VPC with one NAT gateway is created"),
  variable("FAB_FILES_BUCKET_NAME", "existing S3 bucket for knowledge files", "acme-tandem-knowledge", bucketName, "a bucket is created"),
  variable("GENERATED_IMAGES_BUCKET_NAME", "existing S3 bucket for generated images", "acme-tandem-images", bucketName, "a bucket is created"),
  variable("APP_FILES_BUCKET_NAME", "existing S3 bucket for application files", "acme-tandem-app-files", bucketName, "a bucket is created"),
  variable("ENABLE_BUCKET_VERSIONING", "keep old versions of objects in the buckets Tandem creates", "true", booleanSetting, "false"),
  variable("ENABLE_WARMING", "keep the web app's server functions and the API function warm to avoid cold starts", "true", booleanSetting, "false"),
  variable("DOCDB_CLUSTER_ID", "identifier of the stage's DocumentDB cluster, for the monitoring stack's CPU and connection alarms and its dashboard", "tandem-production", z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/, "must be a DocumentDB cluster identifier such as tandem-production (letters, digits and hyphens, starting with a letter)"), "no database alarms"),
  variable("WAF_RATE_LIMIT", "puts a web application firewall (AWS WAF) in front of the site that blocks an address sending more than this many requests in 5 minutes; the stage must be deployed in us-east-1", "2000", z.string().regex(/^\d{1,10}$/, "must be a whole number of requests per 5 minutes").transform(Number).pipe(z.number().int().min(100, "must be at least 100 requests per 5 minutes (AWS WAF's lowest useful limit for a site)").max(2_000_000_000, "must be at most 2,000,000,000")), "no firewall"),
  variable("ECR_CACHE_REPO", "ECR repository that caches container images (subscriber fan-out)", "123456789012.dkr.ecr.us-east-1.amazonaws.com/tandem/subscriber-fanout", z.string().regex(/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9._/-]+$/, "must be an ECR repository URI such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/tandem/cache"), "no image cache"),
  variable("SEED_APP_NAME", "installation name (set by Seed)", "acme-tandem", text, "tandem", { setBySeed: true }),
  variable("SEED_STAGE_NAME", "stage being deployed: production, dev or pr<N> (set by Seed)", "dev", z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]*$/, "must be a stage name such as production, dev or pr123"), "the SST stage", { setBySeed: true }),
  variable("CI", "true when running in CI (set by Seed)", "true", booleanSetting, "false", { setBySeed: true }),

  // Secrets
  secret("MONGODB_URI", "MongoDB or DocumentDB connection string; %stage% is replaced by the stage name", "mongodb://user:pass@host:27017/tandem-%stage%", z.string().regex(/^mongodb(\+srv)?:\/\/\S+$/, "must start with mongodb:// or mongodb+srv://"), "the embedded FerretDB in pnpm dev and tests"),
  secret("SESSION_SECRET", "signs session cookies and protects OAuth state", "$(openssl rand -base64 48)", signingSecret),
  secret("JWT_SECRET", "signs access tokens", "$(openssl rand -base64 48)", signingSecret),
  secret("GOOGLE_CLIENT_ID", "Google sign-in OAuth client id", "1234.apps.googleusercontent.com", text, "Google sign-in off", { integration: "google" }),
  secret("GOOGLE_CLIENT_SECRET", "Google sign-in OAuth client secret", "GOCSPX-...", text, "Google sign-in off", { integration: "google" }),
  secret("GITHUB_CLIENT_ID", "GitHub sign-in OAuth app client id", "Iv1.0123456789abcdef", text, "GitHub sign-in off", { integration: "github" }),
  secret("GITHUB_CLIENT_SECRET", "GitHub sign-in OAuth app client secret", "0123...", text, "GitHub sign-in off", { integration: "github" }),
  secret("OKTA_AUDIENCE", "Okta issuer URL (authorization server) for organisation sign-in", "https://acme.okta.com/oauth2/default", httpsUrl, "Okta sign-in off", { integration: "okta" }),
  secret("OKTA_CLIENT_ID", "Okta OIDC application client id", "0oa1b2c3d4", text, "Okta sign-in off", { integration: "okta" }),
  secret("OKTA_CLIENT_SECRET", "Okta OIDC application client secret", "...", text, "Okta sign-in off", { integration: "okta" }),
  secret("BEDROCK_MODELS", "model catalog as a JSON array of {id, name, provider, contextWindow, inputPricePer1k, outputPricePer1k, capabilities}; replaces the built-in list", '[{"id":"us.amazon.nova-pro-v1:0",...}]', ModelCatalogJson as unknown as Setting["schema"], "the built-in catalog (packages/core/src/ai/catalog.ts)"),
  secret("PDFJS_EXPRESS_VIEWER_KEY", "licence key of the PDF.js Express viewer for cited passages", "...", text, "the plain PDF.js viewer"),
  secret("DEFAULT_THEME", "theme new users start with", "dark", z.enum(["light", "dark", "system"]), "system"),
  secret("OPERATOR_SIGN_IN", "the sign-in provider operators must use for the control plane and the admin pages (google, github or okta); an operator signed in another way is refused there", "okta", z.enum(["google", "github", "okta"], { message: "must be google, github or okta" }), "any sign-in"),
  secret("STRIPE_SECRET_KEY", "Stripe API secret key", "sk_live_...", z.string().regex(/^(sk|rk)_(test|live)_\w+$/, "must be a Stripe secret key (sk_live_..., sk_test_... or rk_...)"), "billing off", { integration: "stripe" }),
  secret("STRIPE_PUBLISHABLE_KEY", "Stripe publishable key for the checkout page", "pk_live_...", z.string().regex(/^pk_(test|live)_\w+$/, "must be a Stripe publishable key (pk_live_... or pk_test_...)"), "billing off", { integration: "stripe" }),
  secret("STRIPE_WEBHOOK_SECRET", "signing secret of the Stripe webhook endpoint", "whsec_...", z.string().regex(/^whsec_\w+$/, "must be a Stripe webhook signing secret (whsec_...)"), "billing off", { integration: "stripe" }),
  secret("AUDIT_RETENTION_DAYS", "days the audit log keeps an entry; older entries are removed by the hourly housekeeping behind an anchor, so the chain still verifies", "730", z.string().regex(/^\d{1,5}$/, "must be a whole number of days").transform(Number).pipe(z.number().int().min(1, "must be at least 1 day").max(36500, "must be at most 36500 days (100 years)")), "365"),
  secret("SUPPORT_EMAIL", "address users reply to and see for help", "support@example.com", email, "MAIL_FROM"),
  secret("MAIL_FROM", "sender of Tandem's mails (verified in SES)", "Tandem <no-reply@example.com>", email, "no-reply@<SERVER_DOMAIN>"),
  secret("MAIL_HOST", "SMTP host (SES SMTP endpoint or your relay); with the other MAIL_ values switches mail to SMTP", "email-smtp.us-east-1.amazonaws.com", host, "mail is sent through the SES API", { integration: "smtp" }),
  secret("MAIL_PORT", "SMTP port", "587", z.string().regex(/^\d{1,5}$/, "must be a port number").transform(Number).pipe(z.number().int().min(1).max(65535)), "mail is sent through the SES API", { integration: "smtp" }),
  secret("MAIL_USERNAME", "SMTP user name (SES SMTP credentials)", "AKIA...", text, "mail is sent through the SES API", { integration: "smtp" }),
  secret("MAIL_PASSWORD", "SMTP password (SES SMTP credentials)", "...", text, "mail is sent through the SES API", { integration: "smtp" }),
  secret("SF_CONSUMER_KEY", "Salesforce connected app consumer key", "3MVG9...", text, "Salesforce sync off", { integration: "salesforce" }),
  secret("SF_CONSUMER_SECRET", "Salesforce connected app consumer secret", "...", text, "Salesforce sync off", { integration: "salesforce" }),
  secret("SF_USERNAME", "Salesforce integration user", "integration@acme.com", text, "Salesforce sync off", { integration: "salesforce" }),
  secret("SF_PASSWORD", "Salesforce integration user's password", "...", text, "Salesforce sync off", { integration: "salesforce" }),
  secret("SF_SECURITY_TOKEN", "Salesforce integration user's security token", "...", text, "Salesforce sync off", { integration: "salesforce" }),
  secret("SF_INSTANCE", "Salesforce instance URL", "https://acme.my.salesforce.com", httpsUrl, "Salesforce sync off", { integration: "salesforce" }),
];

export const SECRET_NAMES = SETTINGS.filter((s) => s.kind === "secret").map((s) => s.name);
export const VARIABLE_NAMES = SETTINGS.filter((s) => s.kind === "variable").map((s) => s.name);

/** Secrets every stage needs; the others are optional or belong to an integration. */
export const REQUIRED_SECRETS = ["MONGODB_URI", "SESSION_SECRET", "JWT_SECRET"] as const;

export function settingNamed(name: string): Setting {
  const setting = SETTINGS.find((s) => s.name === name);
  if (!setting) throw new Error(`Unknown stage setting ${name}`);
  return setting;
}

export function integrationSettings(integration: Integration): readonly Setting[] {
  return SETTINGS.filter((s) => s.integration === integration);
}

/** How an operator sets a value: the command for secrets, the place for variables. */
export function howToSet(setting: Setting, stage: string): string {
  if (setting.kind === "secret") {
    return `pnpm sst secrets set ${setting.name} "${setting.example}" --stage ${stage}`;
  }
  if (setting.setBySeed) return `Seed sets ${setting.name} itself; for pnpm sst commands export it in your shell`;
  return `add ${setting.name}=${setting.example} to the stage's environment variables in Seed, or to .env.${stage} for pnpm sst deploy`;
}
