/**
 * The web app's settings, read once. TANDEM_API_URL is set by the web stack (the API's URL)
 * and by `pnpm dev` (the local API server).
 */
export const apiUrl: string = process.env.TANDEM_API_URL ?? "http://127.0.0.1:4000";

/**
 * Where streamed replies go: the streaming function URL on AWS (TANDEM_STREAM_URL, set by the web
 * stack), the API itself elsewhere.
 */
export const streamUrl: string = process.env.TANDEM_STREAM_URL || apiUrl;

/** The routes whose answers stream (text/event-stream). */
export function isStreamingRoute(method: string, pathname: string): boolean {
  return method === "POST" && /^\/api\/orgs\/[^/]+\/notebooks\/[^/]+\/messages$/.test(pathname);
}

/** Shared with the API (TANDEM_PROXY_KEY): vouches for the viewer address the proxy passes on. */
export const proxyKey: string | undefined = process.env.TANDEM_PROXY_KEY || undefined;
