import type { SESClient } from "@aws-sdk/client-ses";
import type { RuntimeConfig } from "../config/index.js";
import { createMailer, type Mailer, type MailerOptions } from "./mailer.js";
import { sesTransport } from "./ses.js";
import { smtpTransport } from "./smtp.js";

export { createMailer, MailDeliveryError, type Mailer, type MailerOptions, type SentMail } from "./mailer.js";
export { MailMessage, TransportError, type MailTransport, type OutgoingMail } from "./message.js";
export { sesTransport, type SesOptions } from "./ses.js";
export { smtpTransport, type SmtpSettings } from "./smtp.js";
export { verifyEmailMail, resetPasswordMail, inviteMail, changeEmailMail, operatorInviteMail, accountAddedMail, spendAlertMail, billingNoticeMail, alarmMail } from "./templates.js";

/** SMTP when all MAIL_HOST / MAIL_PORT / MAIL_USERNAME / MAIL_PASSWORD are set, else the SES API. */
export function mailerFromConfig(
  mail: RuntimeConfig["mail"],
  options: { ses?: SESClient; configurationSet?: string; onFailure?: MailerOptions["onFailure"] } = {},
): Mailer {
  const transport = mail.smtp ? smtpTransport(mail.smtp) : sesTransport({ client: options.ses, configurationSet: options.configurationSet });
  return createMailer({ transport, from: mail.from, replyTo: mail.supportEmail, onFailure: options.onFailure });
}
