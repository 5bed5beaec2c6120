import type { OAuthClient } from "@tandem/core/config";
import { oidcStrategy } from "./oidc.js";

/** Google sign-in (GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET): OpenID Connect with PKCE, state and nonce. */
export const GOOGLE_ISSUER = "https://accounts.google.com";

export function googleStrategy(oauth: OAuthClient, callbackURL: string, issuer: string = GOOGLE_ISSUER) {
  return oidcStrategy({ provider: "google", label: "Google", issuer, clientId: oauth.clientId, clientSecret: oauth.clientSecret, callbackURL });
}
