import { timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { Request } from "express";

/**
 * The client's network address, for the per-address sign-in lock-out. It is taken only from hops
 * we control, never from a header a client can choose (X-Forwarded-For's left-most entry is
 * whatever the caller wrote):
 * - on AWS, API Gateway's and the function URL's source address (serverless-http puts it on the
 *   socket), and locally the socket itself: `trust proxy` is off, so this is req.socket;
 * - for requests passed on by Tandem's own web app (its /api proxy), the address the proxy saw,
 *   which it sends in CLIENT_ADDRESS_HEADER together with the proxy key (TANDEM_PROXY_KEY, shared
 *   by the web app and the API of a stage). Without the right key the header is ignored.
 */
export const CLIENT_ADDRESS_HEADER = "x-tandem-client-address";
export const PROXY_KEY_HEADER = "x-tandem-proxy-key";

function sameKey(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function clientAddress(req: Request, proxyKey: string | undefined): string | undefined {
  const forwarded = req.get(CLIENT_ADDRESS_HEADER)?.trim();
  if (proxyKey && forwarded && isIP(forwarded) && sameKey(proxyKey, req.get(PROXY_KEY_HEADER))) return forwarded;
  return req.socket.remoteAddress ?? undefined;
}
