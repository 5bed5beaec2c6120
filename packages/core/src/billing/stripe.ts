import Stripe from "stripe";

/** The STRIPE_* secrets as runtime.ts gives them (billing is off without all of them). */
export interface StripeConfig {
  readonly secretKey: string;
  readonly publishableKey: string;
  readonly webhookSecret: string;
}

/**
 * The Stripe client. `apiUrl` points it at a local server (stripe-mock or localstripe in the tests
 * and `pnpm dev`, from STRIPE_API_URL); a stage never sets it. Retries Stripe's own way (with
 * idempotency keys on creates), and gives up after 20 s.
 */
export function stripeClient(config: Pick<StripeConfig, "secretKey">, apiUrl?: string): Stripe {
  const local = apiUrl ? new URL(apiUrl) : undefined;
  return new Stripe(config.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: "Tandem" },
    ...(local ? { host: local.hostname, port: Number(local.port || (local.protocol === "https:" ? 443 : 80)), protocol: local.protocol === "https:" ? "https" : "http" } : {}),
  });
}

export function isStripeNotFound(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeError && (error.statusCode === 404 || error.code === "resource_missing");
}

export type { Stripe };
