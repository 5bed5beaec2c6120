import { PROVIDER_LABELS, type Provider } from "@tandem/core/identity";
import { Passport, type Strategy } from "passport";
import type { AppDeps } from "../deps.js";
import { localStrategy } from "./strategies/local.js";

/** Where each provider sends the browser back to (the API behind the site's /api). */
export function callbackUrl(deps: AppDeps, provider: Provider): string {
  return `${deps.appUrl}/api/auth/${provider}/callback`;
}

export interface AuthProviders {
  /** This app's own passport instance (not the global one), with every enabled strategy. */
  readonly passport: InstanceType<typeof Passport>;
  /** The external providers whose secrets are set, in display order. */
  readonly enabled: readonly Provider[];
  /** Registers the provider's strategy on first use (OIDC discovery is a network call). */
  ready(provider: Provider): Promise<void>;
}

/**
 * The one place where strategies are registered. Each is on only when its secrets are set
 * (see RuntimeConfig); OIDC providers are discovered on first use and retried after a failure.
 * The external providers' code (openid-client, passport-github2) is loaded then too, so a cold
 * start does not pay for integrations that are off or not used yet (bench/cold-start.ts).
 */
export function authProviders(deps: AppDeps): AuthProviders {
  const passport = new Passport();
  passport.use("local", localStrategy(deps.database, deps.proxyKey));

  const { google, github, okta } = deps.config;
  const factories: Partial<Record<Provider, () => Strategy | Promise<Strategy>>> = {};
  if (google) factories.google = async () => (await import("./strategies/google.js")).googleStrategy(google, callbackUrl(deps, "google"), deps.issuerOverrides?.google);
  if (github) factories.github = async () => (await import("./strategies/github.js")).githubStrategy(github, callbackUrl(deps, "github"));
  if (okta) factories.okta = async () => (await import("./strategies/okta.js")).oktaStrategy({ ...okta, issuer: deps.issuerOverrides?.okta ?? okta.issuer }, callbackUrl(deps, "okta"));

  const pending = new Map<Provider, Promise<void>>();
  return {
    passport,
    enabled: (Object.keys(PROVIDER_LABELS) as Provider[]).filter((p) => factories[p]),
    ready(provider) {
      const factory = factories[provider];
      if (!factory) return Promise.reject(new Error(`${provider} is not enabled`));
      let registration = pending.get(provider);
      if (!registration) {
        registration = Promise.resolve(factory()).then((strategy) => void passport.use(provider, strategy));
        registration.catch(() => pending.delete(provider));
        pending.set(provider, registration);
      }
      return registration;
    },
  };
}
