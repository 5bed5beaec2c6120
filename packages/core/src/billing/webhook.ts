import type { Connection } from "mongoose";
import { isDuplicateKeyError } from "../database/index.js";
import { InvalidInputError } from "../errors/index.js";
import { accounts, applySubscriptions } from "./accounts.js";
import { addCreditEntry, forgetPrepaidBalance } from "./credits.js";
import type { Stripe } from "./stripe.js";

/** How old a signed webhook may be (Stripe's default tolerance): older ones are refused as replays. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

interface EventDoc {
  _id: string;
  type: string;
  receivedAt: Date;
  doneAt: Date | null;
}
const events = (c: Connection) => c.collection<EventDoc>("billing_events");

/** Something the organisation's owners are mailed about (the caller queues the mail). */
export interface BillingNotice {
  readonly tenantId: string;
  readonly kind: "payment_failed" | "action_required" | "trial_ending";
  readonly url: string | null;
}

export interface WebhookResult {
  readonly eventId: string;
  readonly type: string;
  readonly duplicate: boolean;
  readonly notices: BillingNotice[];
}

/**
 * Stripe's webhook: the raw body's signature is checked against STRIPE_WEBHOOK_SECRET with a
 * timestamp tolerance; each event id is stored once and acted on until it is done (a failure
 * answers 5xx, so Stripe delivers it again). Where order matters the object is re-read from Stripe
 * (subscriptions, invoices); credits are keyed by their Checkout session. So events delivered twice
 * or in any order leave the same plan and balance.
 */
export async function handleStripeWebhook(connection: Connection, stripe: Stripe, secret: string, rawBody: Buffer | string, signature: string | undefined, now: Date = new Date()): Promise<WebhookResult> {
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(rawBody, signature ?? "", secret, WEBHOOK_TOLERANCE_SECONDS, undefined, now.getTime());
  } catch {
    throw new InvalidInputError("The Stripe signature does not match, or the event is too old. Check STRIPE_WEBHOOK_SECRET against the endpoint's signing secret in Stripe.", [], "billing.bad_signature");
  }
  try {
    await events(connection).insertOne({ _id: event.id, type: event.type, receivedAt: now, doneAt: null });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const stored = await events(connection).findOne({ _id: event.id });
    if (stored?.doneAt) return { eventId: event.id, type: event.type, duplicate: true, notices: [] };
  }
  const notices = await act(connection, stripe, event, now);
  await events(connection).updateOne({ _id: event.id }, { $set: { doneAt: new Date() } });
  return { eventId: event.id, type: event.type, duplicate: false, notices };
}

const idOf = (value: unknown): string | null => (typeof value === "string" ? value : value && typeof value === "object" && "id" in value ? String((value as { id: unknown }).id) : null);

async function tenantOfCustomer(connection: Connection, customerId: string | null): Promise<string | null> {
  if (!customerId) return null;
  return (await accounts(connection).findOne({ customerId }))?._id ?? null;
}

async function act(connection: Connection, stripe: Stripe, event: Stripe.Event, now: Date): Promise<BillingNotice[]> {
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const session = event.data.object;
      const tenantId = session.metadata?.tenantId ?? session.client_reference_id ?? (await tenantOfCustomer(connection, idOf(session.customer)));
      if (!tenantId) return [];
      if (session.mode === "payment" && session.metadata?.kind === "credits" && session.payment_status === "paid") {
        // What was paid, once per session, whatever the redeliveries.
        await addCreditEntry(connection, { _id: `checkout:${session.id}`, tenantId, micros: (session.amount_total ?? 0) * 10_000, kind: "purchase", ref: session.id, at: new Date(event.created * 1000) });
        forgetPrepaidBalance(tenantId);
      }
      const customer = idOf(session.customer);
      if (session.mode === "subscription" && customer) await applySubscriptions(connection, stripe, customer, now);
      return [];
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
    case "customer.subscription.paused":
    case "customer.subscription.resumed": {
      const customer = idOf(event.data.object.customer);
      if (customer) await applySubscriptions(connection, stripe, customer, now);
      return [];
    }
    case "customer.subscription.trial_will_end": {
      const tenantId = await tenantOfCustomer(connection, idOf(event.data.object.customer));
      return tenantId ? [{ tenantId, kind: "trial_ending", url: null }] : [];
    }
    case "invoice.paid":
    case "invoice.payment_failed":
    case "invoice.payment_action_required": {
      const customer = idOf(event.data.object.customer);
      const tenantId = await tenantOfCustomer(connection, customer);
      if (!tenantId || !customer) return [];
      // The subscription's state (past_due, active again) is Stripe's, re-read.
      await applySubscriptions(connection, stripe, customer, now);
      if (event.type === "invoice.paid") return [];
      // Re-read: a failure already paid by a later retry needs no mail.
      const invoice = event.data.object.id ? await stripe.invoices.retrieve(event.data.object.id) : event.data.object;
      if (invoice.status === "paid") return [];
      return [{ tenantId, kind: event.type === "invoice.payment_failed" ? "payment_failed" : "action_required", url: invoice.hosted_invoice_url ?? null }];
    }
    default:
      return [];
  }
}
