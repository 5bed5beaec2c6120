import type { ModelEntry } from "../ai/catalog.js";
import { IssueCollector, parseSetting, present, type Source } from "./parse.js";
import { integrationSettings, REQUIRED_SECRETS, settingNamed, type Integration } from "./settings.js";
import { stageKindOf, stageNameFrom, type StageKind } from "./stage.js";

export interface OAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface RuntimeConfig {
  readonly stage: string;
  readonly stageKind: StageKind;
  readonly mongodbUri: string;
  readonly sessionSecret: string;
  readonly jwtSecret: string;
  readonly defaultTheme: "light" | "dark" | "system";
  /** The provider operators must sign in with for the control plane (OPERATOR_SIGN_IN); any sign-in when unset. */
  readonly operatorSignIn?: "google" | "github" | "okta";
  /** Days the audit log keeps an entry (AUDIT_RETENTION_DAYS, 365 by default). */
  readonly auditRetentionDays: number;
  readonly pdfViewerKey?: string;
  /** The operator's model catalog (BEDROCK_MODELS); the built-in one when unset. */
  readonly models?: readonly ModelEntry[];
  readonly mail: {
    readonly from: string;
    readonly supportEmail: string;
    readonly smtp?: { readonly host: string; readonly port: number; readonly username: string; readonly password: string };
  };
  readonly google?: OAuthClient;
  readonly github?: OAuthClient;
  readonly okta?: OAuthClient & { readonly issuer: string };
  readonly stripe?: { readonly secretKey: string; readonly publishableKey: string; readonly webhookSecret: string };
  readonly salesforce?: {
    readonly consumerKey: string;
    readonly consumerSecret: string;
    readonly username: string;
    readonly password: string;
    readonly securityToken: string;
    readonly instanceUrl: string;
  };
  /** Integrations left off because only some of their values are set. */
  readonly warnings: readonly string[];
}

/** How long the audit log keeps an entry when AUDIT_RETENTION_DAYS is not set. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;

/** `%stage%` lets one connection string serve every stage with its own database. */
export function substituteStage(uri: string, stage: string): string {
  return uri.replaceAll("%stage%", stage);
}

/**
 * Validates the secrets a running stage needs. `source` is the environment merged with the
 * secrets read from SSM (see `readSstSecrets`). Throws ConfigError that names each missing or
 * malformed value with the command that sets it.
 */
export function loadRuntimeConfig(source: Source, options: { stage?: string } = {}): RuntimeConfig {
  const stage = options.stage ?? stageNameFrom(source);
  const issues = new IssueCollector(stage);
  const warnings: string[] = [];

  for (const name of REQUIRED_SECRETS) {
    if (present(source, name) === undefined) issues.missing(settingNamed(name));
  }
  const mongodbUri = parseSetting<string>(source, "MONGODB_URI", issues);
  const sessionSecret = parseSetting<string>(source, "SESSION_SECRET", issues);
  const jwtSecret = parseSetting<string>(source, "JWT_SECRET", issues);
  const defaultTheme = parseSetting<RuntimeConfig["defaultTheme"]>(source, "DEFAULT_THEME", issues) ?? "system";
  const operatorSignIn = parseSetting<"google" | "github" | "okta">(source, "OPERATOR_SIGN_IN", issues);
  const pdfViewerKey = parseSetting<string>(source, "PDFJS_EXPRESS_VIEWER_KEY", issues);
  const auditRetentionDays = parseSetting<number>(source, "AUDIT_RETENTION_DAYS", issues) ?? DEFAULT_AUDIT_RETENTION_DAYS;
  const models = parseSetting<ModelEntry[]>(source, "BEDROCK_MODELS", issues);

  const integration = (name: Integration, label: string) => parseIntegration(source, { name, label, stage, issues, warnings });
  const google = integration("google", "Google sign-in");
  const github = integration("github", "GitHub sign-in");
  const okta = integration("okta", "Okta sign-in");
  const stripe = integration("stripe", "Stripe billing");
  const salesforce = integration("salesforce", "Salesforce sync");
  const mail = parseMail(source, { stage, issues, warnings });

  if (operatorSignIn && !{ google, github, okta }[operatorSignIn]) {
    warnings.push(`OPERATOR_SIGN_IN is ${operatorSignIn}, but that sign-in is not set up: no operator can use the control plane. Set its client secrets, or unset OPERATOR_SIGN_IN.`);
  }
  issues.throwIfAny("The secrets");

  return {
    stage,
    stageKind: stageKindOf(stage),
    mongodbUri: substituteStage(mongodbUri as string, stage),
    sessionSecret: sessionSecret as string,
    jwtSecret: jwtSecret as string,
    defaultTheme,
    ...(operatorSignIn ? { operatorSignIn } : {}),
    auditRetentionDays,
    pdfViewerKey,
    models,
    mail,
    google: google && { clientId: google.GOOGLE_CLIENT_ID as string, clientSecret: google.GOOGLE_CLIENT_SECRET as string },
    github: github && { clientId: github.GITHUB_CLIENT_ID as string, clientSecret: github.GITHUB_CLIENT_SECRET as string },
    okta: okta && {
      issuer: okta.OKTA_AUDIENCE as string,
      clientId: okta.OKTA_CLIENT_ID as string,
      clientSecret: okta.OKTA_CLIENT_SECRET as string,
    },
    stripe: stripe && {
      secretKey: stripe.STRIPE_SECRET_KEY as string,
      publishableKey: stripe.STRIPE_PUBLISHABLE_KEY as string,
      webhookSecret: stripe.STRIPE_WEBHOOK_SECRET as string,
    },
    salesforce: salesforce && {
      consumerKey: salesforce.SF_CONSUMER_KEY as string,
      consumerSecret: salesforce.SF_CONSUMER_SECRET as string,
      username: salesforce.SF_USERNAME as string,
      password: salesforce.SF_PASSWORD as string,
      securityToken: salesforce.SF_SECURITY_TOKEN as string,
      instanceUrl: salesforce.SF_INSTANCE as string,
    },
    warnings,
  };
}

/** Parses an integration's values; it is on only when every one is set and valid. */
function parseIntegration(source: Source, options: { name: Integration; label: string; stage: string; issues: IssueCollector; warnings: string[] }): Record<string, unknown> | undefined {
  const { issues, stage } = options;
  const settings = integrationSettings(options.name);
  const setNames = settings.filter((s) => present(source, s.name) !== undefined).map((s) => s.name);
  if (setNames.length === 0) return undefined;
  if (setNames.length < settings.length) {
    const missing = settings.filter((s) => !setNames.includes(s.name)).map((s) => s.name);
    options.warnings.push(
      `${options.label} is off: ${setNames.join(", ")} ${setNames.length === 1 ? "is" : "are"} set but ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not. Set ${missing.length === 1 ? "it" : "them"} with pnpm sst secrets set NAME value --stage ${stage}, or remove the others.`,
    );
    return undefined;
  }
  const values: Record<string, unknown> = {};
  const before = issues.issues.length;
  for (const s of settings) values[s.name] = parseSetting(source, s.name, issues);
  return issues.issues.length === before ? values : undefined;
}

function parseMail(source: Source, options: { stage: string; issues: IssueCollector; warnings: string[] }): RuntimeConfig["mail"] {
  const mailFrom = parseSetting<string>(source, "MAIL_FROM", options.issues);
  const supportEmail = parseSetting<string>(source, "SUPPORT_EMAIL", options.issues);
  const smtp = parseIntegration(source, { ...options, name: "smtp", label: "SMTP mail" });
  const from = mailFrom ?? `Tandem <no-reply@${present(source, "SERVER_DOMAIN") ?? "localhost"}>`;
  return {
    from,
    supportEmail: supportEmail ?? from,
    smtp: smtp && {
      host: smtp.MAIL_HOST as string,
      port: smtp.MAIL_PORT as number,
      username: smtp.MAIL_USERNAME as string,
      password: smtp.MAIL_PASSWORD as string,
    },
  };
}

/**
 * Only the mail settings (MAIL_FROM, SUPPORT_EMAIL, the SMTP values): for what must still mail
 * when the rest of the stage is broken, such as the monitoring stack's alarm mails.
 */
export function loadMailConfig(source: Source, options: { stage?: string } = {}): RuntimeConfig["mail"] & { readonly warnings: readonly string[] } {
  const stage = options.stage ?? stageNameFrom(source);
  const issues = new IssueCollector(stage);
  const warnings: string[] = [];
  const mail = parseMail(source, { stage, issues, warnings });
  issues.throwIfAny("The mail settings");
  return { ...mail, warnings };
}

/** Names of the integrations a config has switched on, for health output and logs. */
export function enabledIntegrations(config: RuntimeConfig): string[] {
  const on: string[] = [];
  if (config.google) on.push("google");
  if (config.github) on.push("github");
  if (config.okta) on.push("okta");
  if (config.stripe) on.push("stripe");
  if (config.salesforce) on.push("salesforce");
  if (config.mail.smtp) on.push("smtp");
  return on;
}
