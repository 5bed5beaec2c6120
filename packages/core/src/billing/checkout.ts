import type { Connection } from "mongoose";
import { CheckoutRequest } from "@tandem/client/contract";
import { ConflictError, NotFoundError, parseInput } from "../errors/index.js";
import { getTier } from "../tiers/index.js";
import { billingAccount, ensureCustomer } from "./accounts.js";
import type { Stripe } from "./stripe.js";

/** What an organisation's admin buys: a plan (a tier with a Stripe price) or a pack of prepaid credits. */
export const CheckoutInput = CheckoutRequest;

export interface CheckoutContext {
  readonly tenant: { id: string; name: string };
  /** Where Stripe sends the admin back: the organisation's billing page. */
  readonly returnUrl: string;
}

/** A Stripe Checkout session for the plan or the credits; the caller redirects to its url. */
export async function startCheckout(connection: Connection, stripe: Stripe, context: CheckoutContext, input: unknown): Promise<{ url: string; id: string }> {
  const data = parseInput(CheckoutInput, input, "checkout");
  const tenantId = context.tenant.id.toLowerCase();
  const customer = await ensureCustomer(connection, stripe, context.tenant);
  const back = (state: string) => `${context.returnUrl}${context.returnUrl.includes("?") ? "&" : "?"}checkout=${state}`;
  const common = { customer, client_reference_id: tenantId, success_url: back("done"), cancel_url: back("cancelled") };
  if (data.kind === "plan") {
    const tier = await getTier(connection, data.tier);
    if (!tier.limits.stripePriceId) throw new NotFoundError(`The ${tier.name} plan cannot be bought here. Ask your Tandem operator to give it a Stripe price.`, "billing.plan_not_for_sale");
    const account = await billingAccount(connection, tenantId);
    if (account?.subscriptionId && account.subscriptionStatus && account.subscriptionStatus !== "canceled") {
      throw new ConflictError("This organisation already has a plan. Change or cancel it under Manage billing.", "billing.already_subscribed");
    }
    const session = await stripe.checkout.sessions.create({ ...common, mode: "subscription", line_items: [{ price: tier.limits.stripePriceId, quantity: 1 }], metadata: { tenantId, kind: "plan", tier: tier.name }, subscription_data: { metadata: { tenantId } } });
    return { url: session.url ?? "", id: session.id };
  }
  const session = await stripe.checkout.sessions.create({
    ...common,
    mode: "payment",
    line_items: [{ price_data: { currency: "usd", unit_amount: data.amountUsd * 100, product_data: { name: `Tandem credits ($${data.amountUsd})` } }, quantity: 1 }],
    metadata: { tenantId, kind: "credits", amountUsd: String(data.amountUsd) },
  });
  return { url: session.url ?? "", id: session.id };
}

/** Stripe's customer portal: invoices, payment methods, plan changes and cancellation. */
export async function openPortal(connection: Connection, stripe: Stripe, context: CheckoutContext): Promise<{ url: string }> {
  const customer = await ensureCustomer(connection, stripe, context.tenant);
  const session = await stripe.billingPortal.sessions.create({ customer, return_url: context.returnUrl });
  return { url: session.url };
}
