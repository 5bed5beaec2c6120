import { SendEmailCommand, SESClient } from "@aws-sdk/client-ses";
import { TransportError, type MailTransport } from "./message.js";

// SES answers these when it is busy or briefly unavailable; everything else (MessageRejected,
// an unverified sender, a suppressed address) will not pass on a later try.
const TRANSIENT = new Set(["Throttling", "ThrottlingException", "ServiceUnavailable", "InternalFailure", "RequestTimeout", "TimeoutError", "NetworkingError"]);

export interface SesOptions {
  readonly client?: SESClient;
  /** The stage's configuration set (SES_CONFIGURATION_SET from the email stack). */
  readonly configurationSet?: string;
}

export function sesTransport(options: SesOptions = {}): MailTransport {
  const client = options.client ?? new SESClient({});
  return {
    name: "ses",
    async send(mail) {
      try {
        const result = await client.send(
          new SendEmailCommand({
            Source: mail.from,
            ConfigurationSetName: options.configurationSet,
            ReplyToAddresses: [mail.replyTo],
            Destination: { ToAddresses: [mail.to] },
            Message: {
              Subject: { Data: mail.subject, Charset: "UTF-8" },
              Body: { Html: { Data: mail.html, Charset: "UTF-8" }, Text: { Data: mail.text, Charset: "UTF-8" } },
            },
          }),
        );
        return { messageId: result.MessageId ?? "" };
      } catch (error) {
        const name = (error as { name?: string }).name ?? "";
        const transient = TRANSIENT.has(name) || (error as { $retryable?: unknown }).$retryable !== undefined;
        throw new TransportError(`SES did not send the mail (${name || "error"}): ${error instanceof Error ? error.message : String(error)}`, transient, { cause: error });
      }
    },
  };
}
