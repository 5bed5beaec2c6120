import type { OAuthClient } from "@tandem/core/config";
import type { ExternalProfile } from "@tandem/core/identity";
import { Strategy, type Profile, type StrategyOptions } from "passport-github2";

/**
 * GitHub sign-in (GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET): OAuth 2 with state and PKCE, both
 * kept in the signed OAuth cookie. GitHub is not OpenID Connect; the verified flag of each
 * address comes from its /user/emails API (scope user:email).
 */
export function githubStrategy(oauth: OAuthClient, callbackURL: string): Strategy {
  return new Strategy(
    { clientID: oauth.clientId, clientSecret: oauth.clientSecret, callbackURL, scope: ["read:user", "user:email"], state: true, pkce: true, allRawEmails: true } as unknown as StrategyOptions, // @types lag: state is boolean, pkce and allRawEmails exist
    (_accessToken: string, _refreshToken: string, profile: Profile, done: (error: unknown, user?: ExternalProfile) => void) => {
      const emails = (profile.emails ?? []) as Array<{ value: string; primary?: boolean; verified?: boolean }>;
      const chosen = emails.find((e) => e.primary && e.verified) ?? emails.find((e) => e.verified) ?? emails[0];
      done(null, { provider: "github", subject: String(profile.id), email: chosen?.value, emailVerified: chosen?.verified === true, name: profile.displayName || profile.username });
    },
  );
}
