import type { OAuthClient } from "@tandem/core/config";
import { oidcStrategy } from "./oidc.js";

/**
 * Okta sign-in: OpenID Connect against the authorization server in OKTA_AUDIENCE
 * (e.g. https://acme.okta.com/oauth2/default) with OKTA_CLIENT_ID / OKTA_CLIENT_SECRET.
 */
export function oktaStrategy(okta: OAuthClient & { issuer: string }, callbackURL: string) {
  return oidcStrategy({ provider: "okta", label: "Okta", issuer: okta.issuer, clientId: okta.clientId, clientSecret: okta.clientSecret, callbackURL });
}
