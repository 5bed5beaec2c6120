import { requestPasswordReset, requestVerification, RESET_PASSWORD_TTL_MS } from "@tandem/core/identity";
import type { Job } from "@tandem/core/jobs";
import { billingNoticeMail, resetPasswordMail, spendAlertMail } from "@tandem/core/mail";
import { listMembers, tenantModel } from "@tandem/core/tenants";
import type { AppDeps } from "../deps.js";
import { tokenLink, verificationMail } from "../http/mail.js";
import { groupNames } from "@tandem/core/groups";

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
    case "mail.spend_alert": {
      const database = await deps.database();
      const [organisation, members] = await Promise.all([tenantModel(database).findById(job.tenantId).select({ name: 1 }).lean(), listMembers(database, job.tenantId)]);
      if (!organisation) return;
      // The organisation's and a group's caps go to its owners and admins (who set them); a member's to the member.
      const forAdmins = !job.cap.startsWith("member.");
      const period = job.cap.endsWith(".day") ? "daily" : "monthly";
      const group = job.cap.startsWith("group.") && job.groupId ? ((await groupNames(database, job.tenantId)).get(job.groupId) ?? "a removed group") : undefined;
      const capName = group ? `the ${period} spend cap of the group ${group}` : `${forAdmins ? "its" : "your"} ${period} spend cap`;
      const to = forAdmins ? members.filter((m) => m.role === "owner" || m.role === "admin") : members.filter((m) => m.userId === job.userId);
      const url = `${deps.appUrl.replace(/\/$/, "")}/orgs/${job.tenantId}`;
      for (const m of to) await deps.mailer.send(spendAlertMail({ to: m.email, organisation: organisation.name, capName, percent: job.percent, limitUsd: job.limitUsd, url, forAdmins }));
      return;
    }
    case "mail.billing_notice": {
      const database = await deps.database();
      const [organisation, members] = await Promise.all([tenantModel(database).findById(job.tenantId).select({ name: 1 }).lean(), listMembers(database, job.tenantId)]);
      if (!organisation) return;
      // Stripe's hosted invoice when it gave one; otherwise the organisation's billing page.
      const url = job.url ?? `${deps.appUrl.replace(/\/$/, "")}/orgs/${job.tenantId}/billing`;
      for (const m of members.filter((m) => m.role === "owner" || m.role === "admin")) await deps.mailer.send(billingNoticeMail({ to: m.email, organisation: organisation.name, kind: job.notice, url }));
      return;
    }
    case "mail.verification": {
      const request = await requestVerification(await deps.database(), job.email);
      if (request) await deps.mailer.send(verificationMail(deps, request.account, request.token));
      return;
    }
  }
}
