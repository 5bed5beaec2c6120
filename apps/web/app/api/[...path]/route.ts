import type { NextRequest } from "next/server";
import { apiUrl, isStreamingRoute, proxyKey, streamUrl } from "../../../lib/config";

/**
 * The web app serves the API under its own origin: /api/* is passed to TANDEM_API_URL as it is
 * (method, headers, body, status, cookies, redirects, streamed bodies). So the session cookies are
 * first-party on the site's domain, and there is no CORS to configure.
 */
export const dynamic = "force-dynamic";

// Hop-by-hop headers, and what fetch decodes or recomputes itself.
// The Referer too: on the reset and invitation pages it holds a live token, which the API has no use for.
const DROP_REQUEST = new Set(["host", "connection", "keep-alive", "transfer-encoding", "upgrade", "content-length", "referer"]);
const DROP_RESPONSE = new Set(["connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length"]);

/**
 * The viewer's address as CloudFront saw it, for the API's per-address sign-in lock-out. Only
 * values a client cannot choose: CloudFront-Viewer-Address, or on AWS the right-most
 * X-Forwarded-For entry, which CloudFront appends (a client's own entries are to its left).
 * Elsewhere (pnpm dev) nothing is sent and the API uses the connection's address.
 */
function viewerAddress(request: NextRequest): string | undefined {
  const viewer = request.headers.get("cloudfront-viewer-address");
  if (viewer) return viewer.slice(0, viewer.lastIndexOf(":")).replace(/^\[|\]$/g, "");
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME) return undefined;
  return request.headers.get("x-forwarded-for")?.split(",").pop()?.trim() || undefined;
}

async function proxy(request: NextRequest): Promise<Response> {
  const origin = isStreamingRoute(request.method, request.nextUrl.pathname) ? streamUrl : apiUrl;
  const target = new URL(request.nextUrl.pathname + request.nextUrl.search, origin);
  const headers = new Headers();
  request.headers.forEach((value, name) => {
    // x-tandem-* are ours to set: a browser's own copies are dropped.
    if (!DROP_REQUEST.has(name) && !name.startsWith("x-tandem-")) headers.set(name, value);
  });
  const address = viewerAddress(request);
  if (address && proxyKey) {
    headers.set("x-tandem-client-address", address);
    headers.set("x-tandem-proxy-key", proxyKey);
  }
  headers.set("x-forwarded-host", request.headers.get("host") ?? "");
  headers.set("x-forwarded-proto", request.nextUrl.protocol.replace(":", ""));
  const hasBody = !["GET", "HEAD"].includes(request.method);
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      redirect: "manual",
      cache: "no-store",
      signal: request.signal,
      ...(hasBody ? { duplex: "half" } : {}),
    } as RequestInit);
  } catch (error) {
    const detail = `The web app could not reach the Tandem API at ${origin}: ${error instanceof Error ? error.message : String(error)}. Try again in a moment.`;
    return Response.json({ type: "urn:tandem:problem:api.unreachable", title: "Service unavailable", status: 502, code: "api.unreachable", detail }, { status: 502, headers: { "content-type": "application/problem+json" } });
  }
  const responseHeaders = new Headers();
  upstream.headers.forEach((value, name) => {
    if (!DROP_RESPONSE.has(name) && name !== "set-cookie") responseHeaders.set(name, value);
  });
  for (const cookie of upstream.headers.getSetCookie()) responseHeaders.append("set-cookie", cookie);
  return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
}

export { proxy as GET, proxy as POST, proxy as PATCH, proxy as PUT, proxy as DELETE };
