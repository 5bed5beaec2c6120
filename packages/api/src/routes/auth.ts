import { SignInRequest, type ProvidersResponse } from "@tandem/client/contract";
import { isDomainError, NotFoundError, UnauthenticatedError } from "@tandem/core/errors";
import { endAllSessions, endSession, getAccount, PROVIDER_LABELS, PROVIDERS, signInWithProvider, type Account, type ExternalProfile, type Provider } from "@tandem/core/identity";
import cookieSession from "cookie-session";
import { Router, type NextFunction, type Request, type Response } from "express";
import type { AuthProviders } from "../auth/providers.js";
import type { AppDeps } from "../deps.js";
import { auditSignIn, auditSignInFailure } from "../http/audit.js";
import { beginSession, refreshFromCookie, requireSession } from "../http/auth.js";
import { clearSessionCookies } from "../http/cookies.js";
import { body } from "../http/validate.js";

/** Runs a passport strategy and resolves with what it decided (user, or the reason it failed). */
function runStrategy<T>(providers: AuthProviders, name: string, req: Request, res: Response, next: NextFunction): Promise<{ user?: T; info?: unknown }> {
  return new Promise((resolve, reject) => {
    const handler = providers.passport.authenticate(name, { session: false }, (error: unknown, user: T | false, info: unknown) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve({ user: user || undefined, info });
    }) as (req: Request, res: Response, next: NextFunction) => void;
    handler(req, res, next);
  });
}

function providerOf(providers: AuthProviders, name: string): Provider {
  const provider = PROVIDERS.find((p) => p === name);
  if (!provider || !providers.enabled.includes(provider)) {
    throw new NotFoundError(`Sign-in with "${name}" is not set up on this Tandem. Use one of the sign-in options on the sign-in page.`, "auth.provider_not_enabled");
  }
  return provider;
}

/**
 * Sign-in, refresh and sign-out for browsers (cookies) and the OAuth / OIDC round trips.
 * Browser-facing OAuth errors go back to the sign-in page with a message, not as JSON.
 */
export function authRoutes(deps: AppDeps, providers: AuthProviders): Router {
  const router = Router();
  // The OAuth round trip's state, nonce and PKCE verifier, in a cookie signed with SESSION_SECRET.
  const oauthState = cookieSession({
    name: "tandem_oauth",
    keys: [deps.config.sessionSecret],
    maxAge: 10 * 60 * 1000,
    httpOnly: true,
    secure: deps.appUrl.startsWith("https://"),
    sameSite: "lax",
    path: "/api/auth",
  });
  const backToSignIn = (res: Response, message: string) => res.redirect(303, `${deps.appUrl}/sign-in?error=${encodeURIComponent(message)}`);

  router.get("/api/auth/providers", (_req, res) => {
    res.json({
      password: true,
      providers: providers.enabled.map((id) => ({ id, label: PROVIDER_LABELS[id], startUrl: `/api/auth/${id}` })),
    } satisfies ProvidersResponse);
  });

  router.post("/api/auth/sign-in", async (req, res, next) => {
    // Strings only: an operator object such as {"$gt": ""} is a 400 here, never a query.
    const { email } = body(req, SignInRequest);
    // Failures are audited with the address typed and the reason, never the password.
    const { user, info } = await runStrategy<Account>(providers, "local", req, res, next).catch(async (error: unknown) => {
      await auditSignInFailure(deps, req, { email, method: "password", error });
      throw error;
    });
    if (!user) {
      // passport-local fails before our code only when a field is missing.
      throw new UnauthenticatedError(`Enter your email and password. (${(info as { message?: string } | undefined)?.message ?? "missing credentials"})`, "auth.missing_credentials");
    }
    await beginSession(deps, res, user.id);
    await auditSignIn(deps, req, user, "password");
    res.json({ account: user });
  });

  router.post("/api/auth/refresh", async (req, res) => {
    const auth = await refreshFromCookie(deps, req, res);
    if (!auth) throw new UnauthenticatedError("Your session has ended. Sign in again.", "session.invalid");
    res.json({ account: await getAccount(await deps.database(), auth.userId) });
  });

  router.post("/api/auth/sign-out", async (req, res) => {
    const auth = req.auth;
    if (auth?.sessionId) await endSession(await deps.database(), auth.sessionId);
    clearSessionCookies(deps, res);
    res.status(204).end();
  });

  router.post("/api/auth/sign-out-everywhere", async (req, res) => {
    const auth = requireSession(req);
    await endAllSessions(await deps.database(), auth.userId);
    clearSessionCookies(deps, res);
    res.status(204).end();
  });

  router.get("/api/auth/:provider", oauthState, async (req, res, next) => {
    const provider = providerOf(providers, String(req.params.provider));
    try {
      await providers.ready(provider);
    } catch (error) {
      req.log.error({ err: error, provider }, "sign-in provider unavailable");
      return backToSignIn(res, isDomainError(error) ? error.message : `${PROVIDER_LABELS[provider]} sign-in is unavailable right now. Try again later.`);
    }
    // Redirects to the provider with state, nonce (OIDC) and a PKCE challenge.
    (providers.passport.authenticate(provider, { session: false }) as (req: Request, res: Response, next: NextFunction) => void)(req, res, next);
  });

  router.get("/api/auth/:provider/callback", oauthState, async (req, res, next) => {
    const provider = providerOf(providers, String(req.params.provider));
    const label = PROVIDER_LABELS[provider];
    try {
      await providers.ready(provider);
      const { user: profile, info } = await runStrategy<ExternalProfile>(providers, provider, req, res, next);
      if (!profile) {
        req.log.info({ provider, info }, "provider sign-in refused");
        await auditSignInFailure(deps, req, { method: provider, reason: "provider_refused" });
        return backToSignIn(res, `The sign-in with ${label} did not complete (it was cancelled, took too long, or was started in another browser). Try again.`);
      }
      const account = await signInWithProvider(await deps.database(), profile);
      await beginSession(deps, res, account.id, provider);
      await auditSignIn(deps, req, account, provider);
      req.log.info({ provider, accountId: account.id }, "signed in with provider");
      res.redirect(303, `${deps.appUrl}/`);
    } catch (error) {
      req.log.warn({ err: error, provider }, "provider sign-in failed");
      await auditSignInFailure(deps, req, { method: provider, error });
      backToSignIn(res, isDomainError(error) && error.kind !== "internal" ? error.message : `The sign-in with ${label} failed on our side. Try again in a moment.`);
    }
  });

  return router;
}
