import type { Transporter } from "nodemailer";
import { TransportError, type MailTransport } from "./message.js";

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  /** Implicit TLS (port 465); otherwise STARTTLS is used when the server offers it. */
  readonly secure?: boolean;
  /** Only for test servers on loopback: accept their self-signed certificate. */
  readonly allowSelfSigned?: boolean;
}

/** SMTP errors in the 4xx range and dropped connections may pass on a later try. */
function isTransient(error: unknown): boolean {
  const e = error as { responseCode?: number; code?: string };
  if (typeof e.responseCode === "number") return e.responseCode >= 400 && e.responseCode < 500;
  return ["ECONNECTION", "ETIMEDOUT", "ESOCKET", "ECONNREFUSED", "ECONNRESET", "EDNS"].includes(e.code ?? "");
}

/**
 * Mail through an SMTP server. nodemailer is loaded with the first mail, not when the API starts:
 * most stages send with SES, and the API's cold start should not pay for an integration it may not
 * use (bench/cold-start.ts).
 */
export function smtpTransport(settings: SmtpSettings): MailTransport {
  let transporter: Promise<Transporter> | undefined;
  const connect = () =>
    (transporter ??= import("nodemailer").then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        host: settings.host,
        port: settings.port,
        secure: settings.secure ?? settings.port === 465,
        auth: settings.username ? { user: settings.username, pass: settings.password ?? "" } : undefined,
        tls: settings.allowSelfSigned ? { rejectUnauthorized: false } : undefined,
        // Fail within a Lambda's budget instead of nodemailer's two-minute defaults.
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      }),
    ));
  return {
    name: "smtp",
    async send(mail) {
      try {
        const info = await (await connect()).sendMail({ from: mail.from, replyTo: mail.replyTo, to: mail.to, subject: mail.subject, html: mail.html, text: mail.text });
        return { messageId: info.messageId };
      } catch (error) {
        throw new TransportError(`SMTP server ${settings.host}:${settings.port} refused the mail: ${error instanceof Error ? error.message : String(error)}`, isTransient(error), { cause: error });
      }
    },
  };
}
