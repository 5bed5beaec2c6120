import { requestPasswordReset, requestVerification, RESET_PASSWORD_TTL_MS } from "@tandem/core/identity";
import type { Job } from "@tandem/core/jobs";
import { resetPasswordMail } from "@tandem/core/mail";
import type { AppDeps } from "../deps.js";
import { tokenLink, verificationMail } from "../http/mail.js";

/** Runs one queued job: in this process after a request (pnpm dev, tests) or in the queue consumer on AWS. */
export async function runJob(deps: Pick<AppDeps, "database" | "mailer" | "appUrl">, job: Job): Promise<void> {
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
