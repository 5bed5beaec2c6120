import { ForbiddenError, UnauthenticatedError } from "@tandem/core/errors";
import {
  authenticateApiKey,
  isSessionActive,
  peekRefreshToken,
  looksLikeApiKey,
  rotateRefreshToken,
  signAccessToken,
  startSession,
  verifyAccessToken,
  type ApiKeyPrincipal,
} from "@tandem/core/identity";
import { recordApiKeyUse } from "@tandem/core/audit";
import type { Request, RequestHandler, Response } from "express";
import type { AppDeps } from "../deps.js";
import { clientAddress } from "./client-address.js";
import { ACCESS_COOKIE, clearSessionCookies, cookie, CSRF_COOKIE, CSRF_HEADER, csrfMatches, REFRESH_COOKIE, setSessionCookies } from "./cookies.js";

/** Who is calling: a browser session (cookies), a bearer access token, or a personal API key. */
export interface Principal {
  readonly userId: string;
  readonly via: "cookie" | "bearer" | "api_key";
  /** The sign-in this request belongs to; absent for API keys. */
  readonly sessionId?: string;
  readonly apiKey?: ApiKeyPrincipal;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      auth?: Principal;
    }
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const csrfError = () =>
  new ForbiddenError(`This request lacks its anti-forgery token. Reload the page and try again (API clients: send the ${CSRF_COOKIE} cookie's value as X-CSRF-Token).`, "auth.csrf_invalid");

/** Signs the user in on this response: a new session, its cookies, and the access token. */
export async function beginSession(deps: AppDeps, res: Response, userId: string, method = "password"): Promise<{ sessionId: string; accessToken: string }> {
  const session = await startSession(await deps.database(), userId, new Date(), method);
  const accessToken = await signAccessToken(deps.config.jwtSecret, { userId, sessionId: session.sessionId });
  setSessionCookies(deps, res, session, accessToken);
  return { sessionId: session.sessionId, accessToken };
}

/** Rotates the refresh cookie into a new session pair; undefined (cookies cleared) when it is no good. */
export async function refreshFromCookie(deps: AppDeps, req: Request, res: Response): Promise<Principal | undefined> {
  const refreshToken = cookie(req, REFRESH_COOKIE);
  if (!refreshToken) return undefined;
  // A write must prove it comes from our pages before the refresh token is used up: a forged
  // cross-site POST carries the cookie but not the anti-forgery token.
  if (!SAFE_METHODS.has(req.method)) {
    const session = await peekRefreshToken(await deps.database(), refreshToken);
    if (session && !csrfMatches(deps, session.sessionId, req.get(CSRF_HEADER))) throw csrfError();
  }
  try {
    const session = await rotateRefreshToken(await deps.database(), refreshToken);
    const accessToken = await signAccessToken(deps.config.jwtSecret, { userId: session.userId, sessionId: session.sessionId });
    setSessionCookies(deps, res, session, accessToken);
    return { userId: session.userId, sessionId: session.sessionId, via: "cookie" };
  } catch (error) {
    if (!(error instanceof UnauthenticatedError)) throw error;
    req.log.info({ code: error.code }, "refresh refused");
    clearSessionCookies(deps, res);
    return undefined;
  }
}

async function fromBearer(deps: AppDeps, token: string): Promise<Principal> {
  const database = await deps.database();
  if (looksLikeApiKey(token)) {
    const apiKey = await authenticateApiKey(database, token, new Date(), { cached: true });
    return { userId: apiKey.userId, via: "api_key", apiKey };
  }
  const claims = await verifyAccessToken(deps.config.jwtSecret, token);
  if (!(await isSessionActive(database, claims, new Date(), { cached: true }))) throw new UnauthenticatedError("This session was signed out. Sign in again.", "session.ended");
  return { userId: claims.userId, sessionId: claims.sessionId, via: "bearer" };
}

/**
 * Works out who is calling, without requiring anyone: routes decide with requireAuth. A bearer
 * credential that is wrong is refused outright; stale cookies are renewed from the refresh
 * cookie when possible, and dropped otherwise.
 */
export function authenticate(deps: AppDeps): RequestHandler {
  return async (req, res, next) => {
    const header = req.get("authorization");
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new UnauthenticatedError("Send the token as Authorization: Bearer <token>.", "auth.malformed_header");
      req.auth = await fromBearer(deps, match[1]!);
      // At most once per key per 5 minutes in this process, so heavy use does not flood the log.
      if (req.auth.apiKey) await recordApiKeyUse(deps.database(), req.auth.apiKey, { address: clientAddress(req, deps.proxyKey), method: req.method, log: req.log });
      return next();
    }
    const accessToken = cookie(req, ACCESS_COOKIE);
    if (accessToken) {
      try {
        const claims = await verifyAccessToken(deps.config.jwtSecret, accessToken);
        if (await isSessionActive(await deps.database(), claims, new Date(), { cached: true })) {
          req.auth = { userId: claims.userId, sessionId: claims.sessionId, via: "cookie" };
          return next();
        }
        clearSessionCookies(deps, res);
        return next();
      } catch (error) {
        if (!(error instanceof UnauthenticatedError)) throw error;
      }
    }
    req.auth = await refreshFromCookie(deps, req, res);
    next();
  };
}

/**
 * Cookie-authenticated writes must carry the anti-forgery token (X-CSRF-Token). Bearer tokens
 * and API keys are not sent by browsers on their own, so they need none.
 */
export function csrfProtection(deps: AppDeps): RequestHandler {
  return (req, _res, next) => {
    if (req.auth?.via === "cookie" && !SAFE_METHODS.has(req.method) && !csrfMatches(deps, req.auth.sessionId!, req.get(CSRF_HEADER))) {
      throw csrfError();
    }
    next();
  };
}

/** An API key may read with `read`, and write only with `write`. */
export function apiKeyScopes(): RequestHandler {
  return (req, _res, next) => {
    const key = req.auth?.apiKey;
    if (key) {
      const needed = SAFE_METHODS.has(req.method) ? "read" : "write";
      if (!key.scopes.includes(needed)) throw new ForbiddenError(`This API key lacks the "${needed}" scope. Create a key with it on the organisation's page, under API keys.`, "api_key.scope_missing");
    }
    next();
  };
}

export function requireAuth(req: Request): Principal {
  if (!req.auth) throw new UnauthenticatedError("Sign in to continue.", "auth.required");
  return req.auth;
}

/** Account-level changes need a person at a signed-in device, not a script's key. */
export function requireSession(req: Request): Principal & { sessionId: string } {
  const auth = requireAuth(req);
  if (!auth.sessionId) throw new ForbiddenError("An API key cannot do this. Sign in to Tandem to change account settings.", "api_key.not_allowed");
  return auth as Principal & { sessionId: string };
}
