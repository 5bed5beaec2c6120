import { requestPasswordReset, requestVerification, RESET_PASSWORD_TTL_MS } from "@tandem/core/identity";
import type { Delivery, Job } from "@tandem/core/jobs";
import { processFile } from "@tandem/core/knowledge";
import { resetPasswordMail } from "@tandem/core/mail";
import type { AppDeps } from "../deps.js";
import { tokenLink, verificationMail } from "../http/mail.js";
import { knowledgeServices } from "../knowledge-services.js";

/** Runs one queued job: in this process after a request (pnpm dev, tests) or in the queue consumer on AWS. */
export async function runJob(deps: Pick<AppDeps, "database" | "mailer" | "appUrl" | "ai" | "storage" | "jobs">, job: Job, delivery: Delivery = { lastAttempt: true }): Promise<void> {
  switch (job.kind) {
    case "knowledge.process": {
      // Retried while storage or Bedrock do not answer; on the last attempt the file ends failed, saying why.
      const services = { ...knowledgeServices(deps, { queued: false }), queue: deps.jobs };
      await processFile(await deps.database(), { tenantId: job.tenantId, userId: job.userId }, job.notebookId, job.fileId, services, delivery);
      return;
    }
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
