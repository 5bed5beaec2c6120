import { isLoopbackUrl } from "@tandem/core/config";
import { UnavailableError } from "@tandem/core/errors";
import type { ExternalProfile, Provider } from "@tandem/core/identity";
import * as client from "openid-client";
import { Strategy, type AuthenticateOptions } from "openid-client/passport";
import type { Request } from "express";
import type { Strategy as PassportStrategy } from "passport";

/** An OpenID Connect provider (Google, Okta): its issuer and our client at it. */
export interface OidcSettings {
  readonly provider: Provider;
  readonly label: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly callbackURL: string;
}

/** openid-client's strategy always sends PKCE (S256); this adds state and nonce on every request. */
class OidcStrategy extends Strategy {
  override authorizationRequestParams<TOptions extends AuthenticateOptions>(req: Request, options: TOptions): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options));
    params.set("state", client.randomState());
    params.set("nonce", client.randomNonce());
    return params;
  }
}

/**
 * Discovers the issuer and builds the passport strategy. Plain-http issuers are accepted only
 * for loopback addresses (the test's provider); settings validation asks for https elsewhere.
 */
export async function oidcStrategy(settings: OidcSettings): Promise<PassportStrategy> {
  const issuer = new URL(settings.issuer);
  const loopback = issuer.protocol === "http:" && isLoopbackUrl(settings.issuer);
  let config: client.Configuration;
  try {
    config = await client.discovery(issuer, settings.clientId, undefined, client.ClientSecretBasic(settings.clientSecret), loopback ? { execute: [client.allowInsecureRequests] } : undefined);
  } catch (error) {
    throw new UnavailableError(
      `${settings.label} sign-in is unavailable: its issuer ${settings.issuer} did not answer OpenID discovery (${error instanceof Error ? error.message : String(error)}). Try again later; operators: check the issuer URL.`,
      "auth.provider_unreachable",
      { cause: error },
    );
  }
  const strategy = new OidcStrategy(
    { config, name: settings.provider, callbackURL: settings.callbackURL, scope: "openid email profile", sessionKey: `oidc:${settings.provider}` },
    (tokens, verified) => {
      void (async () => {
        const claims = tokens.claims();
        if (!claims) throw new Error(`${settings.label} returned no ID token`);
        // ID tokens may leave out email claims; the userinfo endpoint has them.
        const info = claims.email ? claims : await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        const profile: ExternalProfile = {
          provider: settings.provider,
          subject: claims.sub,
          email: typeof info.email === "string" ? info.email : undefined,
          emailVerified: info.email_verified === true,
          name: typeof info.name === "string" ? info.name : undefined,
        };
        return profile;
      })().then(
        (profile) => verified(null, profile),
        (error: unknown) => verified(error),
      );
    },
  );
  // openid-client types its strategy against its own view of passport's; they agree at runtime.
  return strategy as unknown as PassportStrategy;
}
