export { stripeClient, isStripeNotFound, type StripeConfig, type Stripe } from "./stripe.js";
export { billingAccount, ensureCustomer, syncCustomers, applySubscriptions, type BillingAccount } from "./accounts.js";
export { startCheckout, openPortal, CheckoutInput, type CheckoutContext } from "./checkout.js";
export { handleStripeWebhook, WEBHOOK_TOLERANCE_SECONDS, type BillingNotice, type WebhookResult } from "./webhook.js";
export { pushUsageToStripe, pushIdentifier, listPushes, type PushOptions } from "./meter-push.js";
export { addCreditEntry, creditBalance, creditEntries, ensureCreditIndexes, spendCredits, prepaidBalance, forgetPrepaidBalance, type CreditBalance, type CreditEntry } from "./credits.js";
export { billingSummary, organisationUsage } from "./summary.js";
