import { DomainError } from "../errors/index.js";
import { MailMessage, TransportError, type MailTransport } from "./message.js";

/** A mail that could not be delivered after its retries; it is reported, never dropped. */
export class MailDeliveryError extends DomainError {
  override readonly name = "MailDeliveryError";
  constructor(
    message: string,
    readonly attempts: number,
    options: { cause?: unknown; userMessage?: string } = {},
  ) {
    super("mail.delivery_failed", "unavailable", message, [], options);
  }
}

export interface MailerOptions {
  readonly transport: MailTransport;
  /** Sender, e.g. "Tandem <no-reply@example.com>" (MAIL_FROM). */
  readonly from: string;
  /** Where replies go (SUPPORT_EMAIL). */
  readonly replyTo: string;
  /** Tries in all, the first included. */
  readonly attempts?: number;
  /** Wait before the second try; doubles after each failure. */
  readonly backoffMs?: number;
  /** Told about every failed try, for logs and alarms; must not throw. */
  readonly onFailure?: (event: { to: string; subject: string; attempt: number; transient: boolean; reason: string }) => void;
}

export interface SentMail {
  readonly messageId: string;
  readonly attempts: number;
  readonly transport: MailTransport["name"];
}

export interface Mailer {
  send(message: MailMessage): Promise<SentMail>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createMailer(options: MailerOptions): Mailer {
  // Three tries over about 1.5 s stays well inside an API request; longer outages need the
  // caller's own retry (or a queue), and the error says so.
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  return {
    async send(input) {
      const message = MailMessage.parse(input);
      let lastError: unknown;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const { messageId } = await options.transport.send({ ...message, from: options.from, replyTo: options.replyTo });
          return { messageId, attempts: attempt, transport: options.transport.name };
        } catch (error) {
          lastError = error;
          const transient = error instanceof TransportError ? error.transient : false;
          options.onFailure?.({ to: message.to, subject: message.subject, attempt, transient, reason: error instanceof Error ? error.message : String(error) });
          if (!transient) break;
          if (attempt < attempts) await sleep(backoffMs * 2 ** (attempt - 1));
        }
      }
      const tries = lastError instanceof TransportError && !lastError.transient ? "" : ` after ${attempts} tries`;
      throw new MailDeliveryError(
        `The mail "${message.subject}" to ${message.to} could not be sent${tries}: ${lastError instanceof Error ? lastError.message : String(lastError)}. Check the mail settings (MAIL_FROM verified in SES, or MAIL_HOST / MAIL_PORT / MAIL_USERNAME / MAIL_PASSWORD) and try again.`,
        attempts,
        {
          cause: lastError,
          userMessage: `We could not send the mail to ${message.to} just now. Try again in a few minutes; if it keeps failing, contact support.`,
        },
      );
    },
  };
}
