import { createServer, type Server } from "node:http";
import type { ClientMetadata } from "oidc-provider";

/**
 * A real OpenID Connect provider (panva's certified oidc-provider) on loopback, standing in for
 * Okta and Google in tests. Authorization code flow with PKCE required; its login and consent
 * step completes at once as the account chosen with `signInAs`, so tests need no login form.
 */
export interface OidcAccount {
  readonly sub: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly name?: string;
}

export interface LocalOidcProvider {
  readonly issuer: string;
  /** The account the next authorization logs in as. */
  signInAs(account: OidcAccount): void;
  close(): Promise<void>;
}

export interface OidcClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
}

export async function startOidcProvider(clients: readonly OidcClient[]): Promise<LocalOidcProvider> {
  const accounts = new Map<string, OidcAccount>();
  let next: OidcAccount | undefined;
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const issuer = `http://127.0.0.1:${port}`;

  // Loaded on use: only the tests that need a provider pay for it (and see its Node version note).
  const { default: Provider } = await import("oidc-provider");
  const provider = new Provider(issuer, {
    clients: clients.map(
      (c): ClientMetadata => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        redirect_uris: [...c.redirectUris],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      }),
    ),
    pkce: { required: () => true },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      return account ? { accountId: sub, claims: () => ({ ...account }) } : undefined;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ["local-oidc-provider-cookie-key-0123456789"] },
  });
  const callback = provider.callback();

  server.on("request", (req, res) => {
    if (!req.url?.startsWith("/interaction/")) return callback(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      const account = next;
      if (!account) throw new Error("startOidcProvider: call signInAs(account) before the authorization request");
      accounts.set(account.sub, account);
      const grant = new provider.Grant({ accountId: account.sub, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: account.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });

  return {
    issuer,
    signInAs(account) {
      next = account;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
