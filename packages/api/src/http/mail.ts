import { VERIFY_EMAIL_TTL_MS } from "@tandem/core/identity";
import { verifyEmailMail, type MailMessage } from "@tandem/core/mail";
import type { Request } from "express";
import type { AppDeps } from "../deps.js";

/** A link into the web app that carries a one-time token (APP_URL + path + ?token=). */
export function tokenLink(deps: Pick<AppDeps, "appUrl">, path: string, token: string): string {
  return `${deps.appUrl}${path}?token=${encodeURIComponent(token)}`;
}

export function verificationMail(deps: Pick<AppDeps, "appUrl">, account: { email: string; name: string }, token: string): MailMessage {
  return verifyEmailMail({ to: account.email, name: account.name, url: tokenLink(deps, "/verify-email", token), expiresInHours: VERIFY_EMAIL_TTL_MS / 3_600_000 });
}

/**
 * Sends a mail whose failure must not undo the request's work (the account or invitation exists):
 * the failure is logged with `context` and reported as false, for the answer to tell the user.
 */
export function sendReported(deps: AppDeps, req: Request, message: MailMessage, context: Record<string, unknown>): Promise<boolean> {
  return deps.mailer.send(message).then(
    () => true,
    (error: unknown) => {
      req.log.error({ err: error, ...context }, "mail not sent");
      return false;
    },
  );
}
