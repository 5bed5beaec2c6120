import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface Refusal {
  readonly code: number;
  readonly message: string;
}

export interface MailCatcher {
  readonly port: number;
  /** Every mail accepted so far, parsed, oldest first. */
  readonly received: ParsedMail[];
  /** The next deliveries are refused with these SMTP replies, one each. */
  refuseNext(...refusals: Refusal[]): void;
  /** Resolves with the first mail to `to` that arrives (or has arrived) after `since` mails. */
  waitFor(to: string, since?: number, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps what it receives; user "mailer", password "pw". */
export function startMailCatcher(): Promise<MailCatcher> {
  const received: ParsedMail[] = [];
  const refusals: Refusal[] = [];
  const server = new SMTPServer({
    authOptional: false,
    disabledCommands: ["STARTTLS"],
    onAuth(auth, _session, callback) {
      if (auth.username === "mailer" && auth.password === "pw") callback(null, { user: "mailer" });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        const refusal = refusals.shift();
        if (refusal) return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
        received.push(mail);
        callback();
      }, callback);
    },
  });
  const addressOf = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to.map((t) => t.text).join(",") : (mail.to?.text ?? ""));
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : 0,
        received,
        refuseNext: (...next) => refusals.push(...next),
        async waitFor(to, since = 0, timeoutMs = 10_000) {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const mail = received.slice(since).find((m) => addressOf(m).includes(to));
            if (mail) return mail;
            if (Date.now() > deadline) throw new Error(`No mail to ${to} arrived within ${timeoutMs} ms`);
            await new Promise((r) => setTimeout(r, 50));
          }
        },
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
