import { createHmac, timingSafeEqual } from "node:crypto";
import { ACCESS_TOKEN_TTL_SECONDS, type SessionTokens } from "@tandem/core/identity";
import type { CookieOptions, Request, Response } from "express";
import type { AppDeps } from "../deps.js";

/**
 * The browser session lives in three cookies: the access token and the refresh token, both
 * http-only, and the anti-forgery token that the web app copies into the X-CSRF-Token header of
 * every write (double submit; the value is an HMAC of the session id, so it cannot be forged
 * without SESSION_SECRET). Cookies are Secure whenever the app is served over HTTPS.
 */
export const ACCESS_COOKIE = "tandem_access";
export const REFRESH_COOKIE = "tandem_refresh";
export const CSRF_COOKIE = "tandem_csrf";
export const CSRF_HEADER = "x-csrf-token";

function base(deps: AppDeps): CookieOptions {
  return { secure: deps.appUrl.startsWith("https://"), sameSite: "lax", path: "/" };
}

export function csrfTokenFor(deps: AppDeps, sessionId: string): string {
  return createHmac("sha256", deps.config.sessionSecret).update(`csrf:${sessionId}`).digest("base64url");
}

export function csrfMatches(deps: AppDeps, sessionId: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfTokenFor(deps, sessionId));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function setSessionCookies(deps: AppDeps, res: Response, session: SessionTokens, accessToken: string): void {
  const options = base(deps);
  res.cookie(ACCESS_COOKIE, accessToken, { ...options, httpOnly: true, maxAge: ACCESS_TOKEN_TTL_SECONDS * 1000 });
  // Only the API reads it, so it is not sent with page requests.
  res.cookie(REFRESH_COOKIE, session.refreshToken, { ...options, httpOnly: true, path: "/api", expires: session.refreshExpiresAt });
  res.cookie(CSRF_COOKIE, csrfTokenFor(deps, session.sessionId), { ...options, httpOnly: false, expires: session.refreshExpiresAt });
}

export function clearSessionCookies(deps: AppDeps, res: Response): void {
  const options = base(deps);
  res.clearCookie(ACCESS_COOKIE, options);
  res.clearCookie(REFRESH_COOKIE, { ...options, path: "/api" });
  res.clearCookie(CSRF_COOKIE, options);
}

export function cookie(req: Request, name: string): string | undefined {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}
