import { pushUsageToStripe, spendCredits, stripeClient, syncCustomers } from "@tandem/core/billing";
import { loadRuntimeConfig } from "@tandem/core/config";
import { getConnection } from "@tandem/core/database";
import { lambdaSource } from "../lambda-source.js";
import { createLogger } from "../logger.js";

/**
 * Every 15 minutes (stacks/jobs.ts): prepaid credits spent by the closed hours' usage; with the
 * STRIPE_* secrets, a Stripe customer for each new organisation (removed at offboarding) and the
 * closed hours' usage pushed to Stripe's billing meters. Each step is safe to run twice.
 */
export async function handler(): Promise<Record<string, number>> {
  const source = await lambdaSource();
  const config = loadRuntimeConfig(source);
  const logger = createLogger({ stage: config.stage, level: source.LOG_LEVEL });
  const connection = await getConnection({ uri: config.mongodbUri, tlsCAFile: source.MONGODB_TLS_CA_FILE });
  const done: Record<string, number> = { ...(await spendCredits(connection)) };
  if (config.stripe) {
    const stripe = stripeClient(config.stripe, source.STRIPE_API_URL || undefined);
    const customers = await syncCustomers(connection, stripe);
    Object.assign(done, { customersCreated: customers.created, customersRemoved: customers.removed, customersFailed: customers.failed });
    const pushed = await pushUsageToStripe(connection, stripe, {});
    Object.assign(done, pushed);
    if (pushed.overbilled > 0) logger.warn({ overbilled: pushed.overbilled }, "cancelled usage was billed more than 24 hours ago and Stripe cannot withdraw it: credit the customers (billing_meter_pushes.overbilledBy)");
  }
  logger.info({ done }, "billing job done");
  return done;
}
