import { createServer, type Server } from "node:http";
import type { MailCatcher } from "./mail-catcher.js";

/**
 * The local inbox of `pnpm dev`: a small web page listing every mail the app sent (verification,
 * reset, invitations), newest first, with each mail's HTML and text. Nothing leaves the machine.
 */
export interface Mailbox {
  readonly url: string;
  close(): Promise<void>;
}

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const recipients = (to: unknown) => (Array.isArray(to) ? to.map((t: { text: string }) => t.text).join(", ") : ((to as { text?: string } | undefined)?.text ?? ""));

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color-scheme:light dark}li{padding:.5rem 0;border-bottom:1px solid #8884}small{color:#888}pre{white-space:pre-wrap;overflow-wrap:anywhere}iframe{width:100%;height:28rem;border:1px solid #8886;border-radius:.5rem;background:#fff}</style></head><body>${body}</body></html>`;
}

/** Every link of a mail's HTML opens a new, unsandboxed tab (the frame allows exactly that). */
function withLinksInNewTabs(html: string): string {
  const base = '<base target="_blank">';
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => `${head}${base}`) : `${base}${html}`;
}

/** The text part, escaped, with its http(s) links clickable. */
function linkify(text: string): string {
  return text
    .split(/(https?:\/\/[^\s<>"]+)/g)
    .map((part, i) => (i % 2 === 1 ? `<a href="${escape(part)}" target="_blank" rel="noopener">${escape(part)}</a>` : escape(part)))
    .join("");
}

export function startMailbox(catcher: MailCatcher, port = 0, host = "127.0.0.1"): Promise<Mailbox> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://local");
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": `${type}; charset=utf-8`, "cache-control": "no-store" });
      res.end(body);
    };
    const messages = catcher.received;
    if (url.pathname === "/") {
      const items = messages
        .map((m, i) => ({ m, i }))
        .reverse()
        .map(({ m, i }) => `<li><a href="/messages/${i}">${escape(m.subject ?? "(no subject)")}</a><br><small>to ${escape(recipients(m.to))} · ${escape(m.date?.toISOString() ?? "")}</small></li>`)
        .join("");
      return send(200, "text/html", page("Tandem local inbox", `<h1>Local inbox</h1><p><small>Mail sent by pnpm dev lands here. Reload for new mail.</small></p>${items ? `<ul>${items}</ul>` : "<p>No mail yet.</p>"}`));
    }
    const match = /^\/messages\/(\d+)(\/html)?$/.exec(url.pathname);
    const message = match ? messages[Number(match[1])] : undefined;
    if (!match || !message) return send(404, "text/html", page("Not found", `<p>No such mail. <a href="/">Back to the inbox</a></p>`));
    // The HTML part is served on its own and shown in a sandboxed frame, so its markup stays inert.
    // Its links open in a tab of their own (a link followed inside the frame would load the app
    // in a sandbox without scripts, where "Confirming your address..." never finishes).
    if (match[2]) return send(200, "text/html", withLinksInNewTabs(typeof message.html === "string" ? message.html : "<p>(no HTML part)</p>"));
    return send(
      200,
      "text/html",
      page(
        message.subject ?? "Mail",
        `<p><a href="/">← Inbox</a></p><h1>${escape(message.subject ?? "(no subject)")}</h1><p><small>to ${escape(recipients(message.to))} · reply-to ${escape(message.replyTo?.text ?? "-")}</small></p>
<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" src="/messages/${match[1]}/html" title="HTML part"></iframe><h2>Text</h2><pre>${linkify(message.text ?? "")}</pre>`,
      ),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address() as { port: number };
      resolve({ url: `http://${host}:${address.port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
