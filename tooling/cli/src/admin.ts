import { createOperator, OPERATOR_LINK_TTL_MS } from "@tandem/core/control-plane";
import { closeConnection, getConnection } from "@tandem/core/database";
import { createMailer, operatorInviteMail, smtpTransport } from "@tandem/core/mail";
import { say, startLocalServices } from "@tandem/local";

/**
 * `pnpm tandem admin create --email <address>`: makes the address an operator of the local
 * installation (creating the account if needed) and mails a set-password link when mail is set up
 * (MAIL_HOST), printing it either way. The database is MONGODB_URI, or the local one, started for
 * the command when `pnpm dev` is not running.
 */
export async function adminCreate(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; created: boolean; mailed: boolean }> {
  const at = args.indexOf("--email");
  const email = at >= 0 ? args[at + 1] : undefined;
  if (!email) throw new Error("Name the operator: pnpm tandem admin create --email you@example.com");
  if (args.includes("--stage")) throw new Error("Creating an operator on a deployed stage is not available yet: run it against the stage's database with MONGODB_URI=... and APP_URL=... set.");
  const services = env.MONGODB_URI ? undefined : await startLocalServices({ persistent: true, allowRealAws: false, env }).catch((error: unknown) => {
    throw new Error(`The local database could not start (${error instanceof Error ? error.message : String(error)}). If pnpm dev is running, run this with MONGODB_URI set to its database (pnpm services prints it).`);
  });
  try {
    const connection = await getConnection({ uri: env.MONGODB_URI ?? `${services!.mongodbUri}/tandem-local` });
    const { account, created, token } = await createOperator(connection, email);
    const url = `${(env.APP_URL ?? "http://localhost:3000").replace(/\/$/, "")}/reset-password?token=${encodeURIComponent(token)}`;
    let mailed = false;
    if (env.MAIL_HOST) {
      const mailer = createMailer({ transport: smtpTransport({ host: env.MAIL_HOST, port: Number(env.MAIL_PORT ?? 587), username: env.MAIL_USERNAME, password: env.MAIL_PASSWORD, allowSelfSigned: env.MAIL_ALLOW_SELF_SIGNED === "true" }), from: env.MAIL_FROM ?? "Tandem <no-reply@localhost>", replyTo: env.SUPPORT_EMAIL ?? env.MAIL_FROM ?? "no-reply@localhost" });
      await mailer.send(operatorInviteMail({ to: account.email, url, expiresInHours: OPERATOR_LINK_TTL_MS / 3_600_000 }));
      mailed = true;
    }
    say(`${account.email} is ${created ? "a new account and" : "now"} an operator. ${mailed ? "A set-password link was mailed; it is also" : "Set the password with this link"} (valid ${OPERATOR_LINK_TTL_MS / 3_600_000} hours): ${url}`);
    return { url, created, mailed };
  } finally {
    await closeConnection();
    await services?.stop();
  }
}
