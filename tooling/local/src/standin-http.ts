import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What every AWS API stand-in started on loopback hands a test. */
export interface StandInServer {
  readonly url: string;
  /** Every request, in order (as the stand-in names it). */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Answers with a JSON body, and the error type the AWS SDK reads from `x-amzn-errortype`. */
export function sendJson(res: ServerResponse, status: number, body: unknown, options: { contentType?: string; errorType?: string } = {}): void {
  res.writeHead(status, { "content-type": options.contentType ?? "application/json", ...(options.errorType ? { "x-amzn-errortype": options.errorType } : {}) });
  res.end(JSON.stringify(body));
}

/** A request body as text, at most 64 KB (a stand-in's inputs are small). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      if (body.length < 65_536) body += chunk;
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

/** Serves `handle` on a free loopback port; a handler that throws answers 500. */
export async function serveOnLoopback(handle: (req: IncomingMessage, res: ServerResponse, requests: string[]) => unknown): Promise<StandInServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handle(req, res, requests))
      .catch((error: unknown) => sendJson(res, 500, { message: String(error) }, { errorType: "InternalFailure" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
