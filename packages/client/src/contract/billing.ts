import { z } from "zod";

/** What an organisation's admin buys through Stripe Checkout: a plan (a tier with a Stripe price) or prepaid credits. */
export const CheckoutRequest = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("plan"), tier: z.string().trim().min(1).max(40) }).strict(),
  z.object({ kind: z.literal("credits"), amountUsd: z.number().int("Buy credits in whole dollars").min(10, "Buy at least $10 of credits").max(10_000, "Buy at most $10,000 of credits at once") }).strict(),
]);
export type CheckoutRequest = z.infer<typeof CheckoutRequest>;

/** Where to send the browser: Stripe Checkout or the customer portal. */
export const RedirectResponse = z.object({ url: z.string() });

export const BillingSummaryResponse = z.object({
  /** Whether the stage has billing (every STRIPE_* secret set). */
  enabled: z.boolean(),
  plan: z.object({
    tier: z.string(),
    subscriptionStatus: z.string().nullable(),
    cancelAtPeriodEnd: z.boolean(),
    currentPeriodEnd: z.string().nullable(),
    trialEnd: z.string().nullable(),
  }),
  /** Plans an admin can buy (tiers an operator gave a Stripe price). */
  plans: z.array(z.object({ tier: z.string(), members: z.number().nullable(), files: z.number().nullable() })),
  credits: z.object({
    balanceUsd: z.number(),
    purchasedUsd: z.number(),
    spentUsd: z.number(),
    entries: z.array(z.object({ kind: z.string(), amountUsd: z.number(), at: z.string() })),
  }),
});
export type BillingSummaryResponse = z.infer<typeof BillingSummaryResponse>;

/** An organisation's usage over the last days (UTC), for its admins' charts. */
export const OrgUsageQuery = z.object({ days: z.coerce.number().int().min(1, "Ask for at least 1 day").max(93, "Ask for at most 93 days").default(30) }).strict();

const Cost = { costUsd: z.number(), inputTokens: z.number(), outputTokens: z.number(), calls: z.number() };
export const OrgUsageResponse = z.object({
  from: z.string(),
  to: z.string(),
  byDay: z.array(z.object({ day: z.string(), ...Cost })),
  byModel: z.array(z.object({ modelId: z.string(), ...Cost })),
  byMember: z.array(z.object({ userId: z.string(), name: z.string(), ...Cost })),
  totalUsd: z.number(),
});
export type OrgUsageResponse = z.infer<typeof OrgUsageResponse>;
