import type { MailMessage } from "./message.js";

/** Escapes text for HTML; every value placed in a template goes through it. */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

interface Layout {
  readonly to: string;
  readonly subject: string;
  readonly greeting: string;
  readonly paragraphs: readonly string[];
  readonly action: { readonly label: string; readonly url: string };
  readonly footer: string;
}

function render(layout: Layout): MailMessage {
  const html = `<!doctype html>
<html><body style="margin:0;padding:24px;background:#f6f8fa;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328">
<table role="presentation" width="100%" style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:12px;padding:24px">
<tr><td>
<p style="font-size:16px">${escapeHtml(layout.greeting)}</p>
${layout.paragraphs.map((p) => `<p style="font-size:16px;line-height:1.5">${escapeHtml(p)}</p>`).join("\n")}
<p style="margin:28px 0"><a href="${escapeHtml(layout.action.url)}" style="background:#1f6feb;color:#ffffff;padding:12px 20px;border-radius:8px;text-decoration:none;font-weight:600">${escapeHtml(layout.action.label)}</a></p>
<p style="font-size:13px;color:#6e7781">If the button does not work, open this address: <br><a href="${escapeHtml(layout.action.url)}">${escapeHtml(layout.action.url)}</a></p>
<p style="font-size:13px;color:#6e7781">${escapeHtml(layout.footer)}</p>
</td></tr></table></body></html>`;
  const text = [layout.greeting, "", ...layout.paragraphs.flatMap((p) => [p, ""]), `${layout.action.label}: ${layout.action.url}`, "", layout.footer, ""].join("\n");
  return { to: layout.to, subject: layout.subject, html, text };
}

export function verifyEmailMail(input: { to: string; name: string; url: string; expiresInHours: number }): MailMessage {
  return render({
    to: input.to,
    subject: "Confirm your email address for Tandem",
    greeting: `Hello ${input.name},`,
    paragraphs: [`Confirm that ${input.to} is your address to finish setting up your Tandem account. The link works for ${input.expiresInHours} hours.`],
    action: { label: "Confirm my email", url: input.url },
    footer: "If you did not sign up for Tandem, ignore this mail; no account will be activated.",
  });
}

export function resetPasswordMail(input: { to: string; name: string; url: string; expiresInMinutes: number }): MailMessage {
  return render({
    to: input.to,
    subject: "Reset your Tandem password",
    greeting: `Hello ${input.name},`,
    paragraphs: [`Someone asked to reset the password of your Tandem account. The link works once, for ${input.expiresInMinutes} minutes.`],
    action: { label: "Choose a new password", url: input.url },
    footer: "If you did not ask for this, ignore this mail: your password stays as it is.",
  });
}

export function inviteMail(input: { to: string; inviterName: string; organisation: string; url: string; expiresInDays: number }): MailMessage {
  return render({
    to: input.to,
    subject: `${input.inviterName} invited you to ${input.organisation} on Tandem`,
    greeting: "Hello,",
    paragraphs: [`${input.inviterName} invited you to join ${input.organisation} on Tandem, your organisation's AI workspace. The invitation works once, for ${input.expiresInDays} days.`],
    action: { label: `Join ${input.organisation}`, url: input.url },
    footer: "If you were not expecting this invitation, ignore this mail.",
  });
}

export function changeEmailMail(input: { to: string; name: string; url: string; expiresInHours: number }): MailMessage {
  return render({
    to: input.to,
    subject: "Confirm your new email address for Tandem",
    greeting: `Hello ${input.name},`,
    paragraphs: [`You asked to use this address for your Tandem account. Confirm it within ${input.expiresInHours} hours; until then, your old address stays in use.`],
    action: { label: "Use this address", url: input.url },
    footer: "If you did not ask for this, ignore this mail: nothing changes.",
  });
}

export function operatorInviteMail(input: { to: string; url: string; expiresInHours: number }): MailMessage {
  return render({
    to: input.to,
    subject: "You are an operator of Tandem",
    greeting: "Hello,",
    paragraphs: [
      `${input.to} is now an operator of this Tandem installation: you can manage its organisations, operators and the control plane's clients.`,
      `Choose your password to sign in. The link works once, for ${input.expiresInHours} hours.`,
    ],
    action: { label: "Choose my password", url: input.url },
    footer: "If you did not expect this, tell whoever runs this installation: someone made your address an operator.",
  });
}

/** A person added to an organisation by an operator (the control plane's POST /users). */
export function accountAddedMail(input: { to: string; organisation: string; role: string; url: string; expiresInHours: number; newAccount: boolean }): MailMessage {
  return render({
    to: input.to,
    subject: `You were added to ${input.organisation} on Tandem`,
    greeting: "Hello,",
    paragraphs: [
      `You were added to ${input.organisation} as ${input.role === "admin" ? "an admin" : `a ${input.role}`}.`,
      input.newAccount ? `Choose your password to sign in. The link works once, for ${input.expiresInHours} hours.` : "Sign in as usual: the organisation is in your list.",
    ],
    action: { label: input.newAccount ? "Choose my password" : "Open Tandem", url: input.url },
    footer: "If you did not expect this, tell the organisation's admins or whoever runs this installation.",
  });
}

/** A spend cap's threshold crossed (50, 80 or 100 %): to the organisation's owners and admins, or to the member. */
export function spendAlertMail(input: { to: string; organisation: string; capName: string; percent: number; limitUsd: number; url: string; forAdmins: boolean }): MailMessage {
  const reached = input.percent >= 100;
  return render({
    to: input.to,
    subject: reached ? `${input.organisation} reached ${input.capName}` : `${input.organisation} used ${input.percent}% of ${input.capName}`,
    greeting: "Hello,",
    paragraphs: [
      `${input.organisation} has used ${input.percent}% of ${input.capName} ($${input.limitUsd.toFixed(2)}).`,
      reached
        ? "Replies that would go over it are refused until the period ends" + (input.forAdmins ? ", or until you raise the cap." : ". An owner or admin of the organisation can raise it.")
        : input.forAdmins
          ? "Nothing is refused yet. You can raise the cap before it is reached."
          : "Nothing is refused yet. An owner or admin of the organisation can raise the cap.",
    ],
    action: { label: "See the spend caps", url: input.url },
    footer: "You get this mail once per cap, period and threshold.",
  });
}

/** Stripe told us about the organisation's payment or trial (billing/webhook.ts): mailed to its owners and admins. */
export function billingNoticeMail(input: { to: string; organisation: string; kind: "payment_failed" | "action_required" | "trial_ending"; url: string }): MailMessage {
  const text = {
    payment_failed: { subject: `A payment for ${input.organisation} failed`, line: `Stripe could not take the latest payment for ${input.organisation}. It tries again over the next days; update the card under Manage billing so the plan stays on.`, label: "Manage billing" },
    action_required: { subject: `A payment for ${input.organisation} needs your confirmation`, line: `The bank asks you to confirm the latest payment for ${input.organisation}. Until then the invoice stays open.`, label: "Confirm the payment" },
    trial_ending: { subject: `The trial of ${input.organisation} ends in three days`, line: `The trial of ${input.organisation} ends in three days. Add a card under Manage billing to keep the plan; without one it moves to the basic plan.`, label: "Manage billing" },
  }[input.kind];
  return render({ to: input.to, subject: text.subject, greeting: "Hello,", paragraphs: [text.line], action: { label: text.label, url: input.url }, footer: "You get this mail as an owner or admin of the organisation." });
}

/** A CloudWatch alarm of the stage changed state (the monitoring stack's topic): mailed to SUPPORT_EMAIL. */
export function alarmMail(input: { to: string; installation: string; stage: string; alarm: { name: string; state: string; previousState?: string; description?: string; reason?: string; changedAt?: string; consoleUrl: string } }): MailMessage {
  const { alarm } = input;
  const where = `${input.installation} (${input.stage})`;
  const subject =
    alarm.state === "OK" ? `Resolved on ${where}: ${alarm.name}` : alarm.state === "ALARM" ? `Alarm on ${where}: ${alarm.name}` : `No data on ${where}: ${alarm.name}`;
  const paragraphs = [
    alarm.state === "OK"
      ? `The alarm ${alarm.name} is back to OK${alarm.changedAt ? ` since ${alarm.changedAt}` : ""}.`
      : alarm.state === "ALARM"
        ? `The alarm ${alarm.name} went off${alarm.changedAt ? ` at ${alarm.changedAt}` : ""}.`
        : `The alarm ${alarm.name} has no data${alarm.changedAt ? ` since ${alarm.changedAt}` : ""}: what it watches may have stopped reporting.`,
    ...(alarm.description ? [`What it watches, and what to do: ${alarm.description}`] : []),
    ...(alarm.reason ? [`CloudWatch says: ${alarm.reason}`] : []),
    ...(alarm.previousState ? [`Its state before was ${alarm.previousState}.`] : []),
  ];
  return render({
    to: input.to,
    subject,
    greeting: "Hello,",
    paragraphs,
    action: { label: "Open the alarm in CloudWatch", url: alarm.consoleUrl },
    footer: `You get this mail as SUPPORT_EMAIL of the Tandem installation ${where}. The stage's dashboard is in CloudWatch, under Dashboards (docs/operations.md).`,
  });
}
