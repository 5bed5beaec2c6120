import { CheckoutRequest, OrgUsageQuery } from "@tandem/client/contract";
import { billingSummary, organisationUsage, handleStripeWebhook, openPortal, startCheckout, stripeClient, type Stripe } from "@tandem/core/billing";
import { NotFoundError } from "@tandem/core/errors";
import express, { Router, type Request } from "express";
import type { AppDeps } from "../deps.js";
import { actorOf, audited } from "../http/audit.js";
import { currentOrganisation, organisationAccess } from "../http/organisation.js";
import { body, query } from "../http/validate.js";

const billingOff = () => new NotFoundError("Billing is not set up on this stage. A Tandem operator turns it on by setting the STRIPE_* secrets.", "billing.off");

/** The Stripe client of this stage, or undefined while the STRIPE_* secrets are not all set. */
export function stripeOf(deps: Pick<AppDeps, "config" | "stripeApiUrl">): Stripe | undefined {
  if (!deps.config.stripe) return undefined;
  cached ??= stripeClient(deps.config.stripe, deps.stripeApiUrl);
  return cached;
}
let cached: Stripe | undefined;

/**
 * Stripe's webhook, on the raw body (the signature covers its bytes): mounted before the JSON parser.
 * Answers 400 to a bad signature or an old one, 200 once the event is stored and acted on; a
 * failure answers 5xx, so Stripe delivers it again.
 */
export function stripeWebhookRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post("/billing/stripe/webhook", express.raw({ type: () => true, limit: "1mb" }), async (req, res) => {
    const stripe = stripeOf(deps);
    if (!stripe || !deps.config.stripe) throw billingOff();
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.from("");
    const result = await handleStripeWebhook(await deps.database(), stripe, deps.config.stripe.webhookSecret, raw, req.header("stripe-signature"));
    for (const n of result.notices) {
      void deps.jobs.enqueue({ kind: "mail.billing_notice", tenantId: n.tenantId, notice: n.kind, url: n.url }).catch((error: unknown) => req.log.error({ err: error }, "billing notice not queued"));
    }
    req.log.info({ stripeEvent: result.type, duplicate: result.duplicate }, "stripe webhook");
    res.json({ received: true, duplicate: result.duplicate });
  });
  return router;
}

/** An organisation's plan, credits, Checkout and the customer portal (owners and admins). */
export function billingRoutes(deps: AppDeps): Router {
  const router = Router();
  const admin = organisationAccess(deps, "admin");
  const returnUrl = (req: Request) => `${deps.appUrl}/orgs/${currentOrganisation(req).id}/billing`;
  const tenantOf = (req: Request) => ({ id: currentOrganisation(req).id, name: currentOrganisation(req).name });

  router.get("/api/orgs/:orgId/billing", admin, async (req, res) => {
    res.json(await billingSummary(await deps.database(), currentOrganisation(req).id, Boolean(deps.config.stripe)));
  });

  // What the organisation's model calls cost, by day, model and member (for the charts).
  router.get("/api/orgs/:orgId/usage", admin, async (req, res) => {
    res.json(await organisationUsage(await deps.database(), currentOrganisation(req).id, query(req, OrgUsageQuery).days));
  });

  router.post("/api/orgs/:orgId/billing/checkout", admin, async (req, res) => {
    const stripe = stripeOf(deps);
    if (!stripe) throw billingOff();
    const input = body(req, CheckoutRequest);
    const orgId = currentOrganisation(req).id;
    const session = await audited(deps, req, { tenantId: orgId, actor: actorOf(req), action: "billing.checkout_started", target: { type: "organisation", id: orgId } }, async () => startCheckout(await deps.database(), stripe, { tenant: tenantOf(req), returnUrl: returnUrl(req) }, input), () => ({
      details: input.kind === "plan" ? { kind: "plan", tier: input.tier } : { kind: "credits", amountUsd: input.amountUsd },
    }));
    res.json({ url: session.url });
  });

  router.post("/api/orgs/:orgId/billing/portal", admin, async (req, res) => {
    const stripe = stripeOf(deps);
    if (!stripe) throw billingOff();
    res.json(await openPortal(await deps.database(), stripe, { tenant: tenantOf(req), returnUrl: returnUrl(req) }));
  });
  return router;
}
