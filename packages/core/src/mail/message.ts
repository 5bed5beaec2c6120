import { z } from "zod";

export const MailMessage = z.object({
  to: z.string().email("must be an email address"),
  subject: z.string().min(1).max(200),
  html: z.string().min(1),
  text: z.string().min(1),
});
export type MailMessage = z.infer<typeof MailMessage>;

/** What a transport sends: the message with the installation's sender and reply-to. */
export interface OutgoingMail extends MailMessage {
  readonly from: string;
  readonly replyTo: string;
}

/** A transport says whether a failure may pass if tried again (busy, throttled, offline). */
export class TransportError extends Error {
  override readonly name = "TransportError";
  constructor(
    message: string,
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface MailTransport {
  readonly name: "ses" | "smtp";
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}
