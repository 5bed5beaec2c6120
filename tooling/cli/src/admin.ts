import { createOperator, OPERATOR_LINK_TTL_MS } from "@tandem/core/control-plane";
import { closeConnection, getConnection } from "@tandem/core/database";
import { loadRuntimeConfig, loadStageSettings } from "@tandem/core/config";
import { readSstSecrets } from "@tandem/core/config/ssm";
import { createMailer, mailerFromConfig, operatorInviteMail, smtpTransport, type Mailer } from "@tandem/core/mail";
import { say, startLocalServices } from "@tandem/local";

/**
 * `pnpm tandem admin create --email <address> [--stage <stage>]`: makes the address an operator
 * (creating the account if needed) and mails a set-password link, printing it either way.
 * - Locally (no --stage): the database is MONGODB_URI, or the local one, started for the command
 *   when `pnpm dev` is not running; mail goes out when MAIL_HOST is set.
 * - With --stage: the stage's own secrets, read from SSM where `pnpm sst secrets set` put them
 *   (MONGODB_URI, and the mail settings: SMTP when MAIL_* are set, else SES), with this shell's AWS
 *   credentials; the link points at the stage's site (SERVER_DOMAIN / PREVIEW_DOMAIN, or APP_URL).
 */
export async function adminCreate(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; created: boolean; mailed: boolean }> {
  const email = valueOf(args, "--email");
  if (!email) throw new Error("Name the operator: pnpm tandem admin create --email you@example.com [--stage <stage>]");
  if (args.includes("--stage")) {
    const stage = valueOf(args, "--stage");
    if (!stage) throw new Error("Name the stage: pnpm tandem admin create --email you@example.com --stage prod");
    return createOnStage(email, stage, env);
  }
  const services = env.MONGODB_URI ? undefined : await startLocalServices({ persistent: true, allowRealAws: false, env }).catch((error: unknown) => {
    throw new Error(`The local database could not start (${error instanceof Error ? error.message : String(error)}). If pnpm dev is running, run this with MONGODB_URI set to its database (pnpm services prints it).`);
  });
  try {
    const mailer = env.MAIL_HOST
      ? createMailer({ transport: smtpTransport({ host: env.MAIL_HOST, port: Number(env.MAIL_PORT ?? 587), username: env.MAIL_USERNAME, password: env.MAIL_PASSWORD, allowSelfSigned: env.MAIL_ALLOW_SELF_SIGNED === "true" }), from: env.MAIL_FROM ?? "Tandem <no-reply@localhost>", replyTo: env.SUPPORT_EMAIL ?? env.MAIL_FROM ?? "no-reply@localhost" })
      : undefined;
    return await promote(env.MONGODB_URI ?? `${services!.mongodbUri}/tandem-local`, email, env.APP_URL ?? "http://localhost:3000", mailer);
  } finally {
    await services?.stop();
  }
}

function valueOf(args: readonly string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  const value = at >= 0 ? args[at + 1] : undefined;
  return value && !value.startsWith("--") ? value : undefined;
}

async function createOnStage(email: string, stage: string, env: NodeJS.ProcessEnv): Promise<{ url: string; created: boolean; mailed: boolean }> {
  const app = env.SEED_APP_NAME ?? "tandem";
  let secrets: Record<string, string>;
  try {
    secrets = await readSstSecrets({ app, stage });
  } catch (error) {
    throw new Error(`Could not read the secrets of "${stage}" from SSM (${error instanceof Error ? error.message : String(error)}). Use AWS credentials for the stage's account (AWS_PROFILE) and its region.`);
  }
  if (!secrets.MONGODB_URI) throw new Error(`The stage "${stage}" has no MONGODB_URI secret in SSM (app "${app}"). Set it: pnpm sst secrets set MONGODB_URI <uri> --stage ${stage}; pnpm doctor --stage ${stage} lists what else is missing.`);
  const source = { ...env, ...secrets };
  const settings = loadStageSettings(source, { stage });
  const appUrl = env.APP_URL ?? (settings.siteDomain ? `https://${settings.siteDomain}` : undefined);
  if (!appUrl) throw new Error(`The stage "${stage}" has no domain (SERVER_DOMAIN / PREVIEW_DOMAIN): set APP_URL to its site's address (the CloudFront URL the deploy printed) so the link points there.`);
  let mailer: Mailer | undefined;
  try {
    mailer = mailerFromConfig(loadRuntimeConfig(source, { stage }).mail);
  } catch (error) {
    say(`Mail is not set up for "${stage}" (${error instanceof Error ? error.message : String(error)}): the link is printed only.`);
  }
  return promote(secrets.MONGODB_URI, email, appUrl, mailer);
}

async function promote(uri: string, email: string, appUrl: string, mailer: Mailer | undefined): Promise<{ url: string; created: boolean; mailed: boolean }> {
  try {
    const connection = await getConnection({ uri });
    const { account, created, token } = await createOperator(connection, email);
    const url = `${appUrl.replace(/\/$/, "")}/reset-password?token=${encodeURIComponent(token)}`;
    let mailed = false;
    if (mailer) {
      await mailer.send(operatorInviteMail({ to: account.email, url, expiresInHours: OPERATOR_LINK_TTL_MS / 3_600_000 }));
      mailed = true;
    }
    say(`${account.email} is ${created ? "a new account and" : "now"} an operator. ${mailed ? "A set-password link was mailed; it is also" : "Set the password with this link"} (valid ${OPERATOR_LINK_TTL_MS / 3_600_000} hours): ${url}`);
    return { url, created, mailed };
  } finally {
    await closeConnection();
  }
}
