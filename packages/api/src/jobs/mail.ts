import { requestPasswordReset, requestVerification, RESET_PASSWORD_TTL_MS } from "@tandem/core/identity";
import type { Job } from "@tandem/core/jobs";
import { resetPasswordMail } from "@tandem/core/mail";
import type { AppDeps } from "../deps.js";
import { tokenLink, verificationMail } from "../http/mail.js";

export type MailJob = Extract<Job, { kind: `mail.${string}` }>;

/** Runs one mail job: looks the address up and sends the mail with a fresh link (see @tandem/core/jobs). */
export async function runMailJob(deps: Pick<AppDeps, "database" | "mailer" | "appUrl">, job: MailJob): Promise<void> {
  switch (job.kind) {
    case "mail.password_reset": {
      const request = await requestPasswordReset(await deps.database(), job.email);
      if (!request) return;
      const url = tokenLink(deps, "/reset-password", request.token);
      await deps.mailer.send(resetPasswordMail({ to: request.account.email, name: request.account.name, url, expiresInMinutes: RESET_PASSWORD_TTL_MS / 60_000 }));
      return;
    }
    case "mail.verification": {
      const request = await requestVerification(await deps.database(), job.email);
      if (request) await deps.mailer.send(verificationMail(deps, request.account, request.token));
      return;
    }
  }
}
