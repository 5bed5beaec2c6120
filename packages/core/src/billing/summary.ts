import type { Connection } from "mongoose";
import type { BillingSummaryResponse } from "@tandem/client/contract";
import { runAsSystem } from "../tenancy/index.js";
import { tenantModel } from "../tenants/index.js";
import { getTier, listTiers } from "../tiers/index.js";
import { billingAccount } from "./accounts.js";
import { creditBalance, creditEntries } from "./credits.js";

/** An organisation's plan, the plans for sale and its credits, for its admins' billing page. */
export async function billingSummary(connection: Connection, tenantId: string, enabled: boolean): Promise<BillingSummaryResponse> {
  const [account, balance, entries, tiers, tenant] = await Promise.all([
    billingAccount(connection, tenantId),
    creditBalance(connection, tenantId),
    creditEntries(connection, tenantId, 20),
    listTiers(connection),
    runAsSystem("billing: the organisation's tier", () => tenantModel(connection).findById(tenantId).select({ tier: 1 }).lean()),
  ]);
  const tier = await getTier(connection, tenant?.tier ?? "basic");
  return {
    enabled,
    plan: {
      tier: tier.name,
      subscriptionStatus: account?.subscriptionStatus ?? null,
      cancelAtPeriodEnd: account?.cancelAtPeriodEnd ?? false,
      currentPeriodEnd: account?.currentPeriodEnd?.toISOString() ?? null,
      trialEnd: account?.trialEnd?.toISOString() ?? null,
    },
    plans: tiers.filter((t) => t.limits.stripePriceId).map((t) => ({ tier: t.name, members: t.limits.members, files: t.limits.files })),
    credits: { balanceUsd: balance.balanceUsd, purchasedUsd: balance.purchasedUsd, spentUsd: balance.spentUsd, entries: entries.map((e) => ({ kind: e.kind, amountUsd: e.micros / 1e6, at: e.at.toISOString() })) },
  };
}
