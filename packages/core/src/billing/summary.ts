import type { Connection } from "mongoose";
import type { BillingSummaryResponse, OrgUsageResponse } from "@tandem/client/contract";
import { usageEventModel } from "../notebooks/model.js";
import { runAsSystem } from "../tenancy/index.js";
import { listMembers, tenantModel } from "../tenants/index.js";
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

type Totals = { costUsd: number; inputTokens: number; outputTokens: number; calls: number };
const empty = (): Totals & { micros: number } => ({ costUsd: 0, inputTokens: 0, outputTokens: 0, calls: 0, micros: 0 });

/** What an organisation's model calls cost over the last `days` (UTC days), by day, model and member. */
export async function organisationUsage(connection: Connection, tenantId: string, days: number, now: Date = new Date()): Promise<OrgUsageResponse> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = new Date(today - (days - 1) * 86_400_000);
  const byDay = new Map<string, ReturnType<typeof empty>>();
  for (let d = 0; d < days; d++) byDay.set(new Date(from.getTime() + d * 86_400_000).toISOString().slice(0, 10), empty());
  const byModel = new Map<string, ReturnType<typeof empty>>();
  const byMember = new Map<string, ReturnType<typeof empty>>();
  const add = (map: Map<string, ReturnType<typeof empty>>, key: string, u: { costUsd: number; inputTokens: number; outputTokens: number }) => {
    const t = map.get(key) ?? empty();
    // Summed in millionths of a dollar, as integers: exact whatever the count.
    t.micros += Math.round(u.costUsd * 1e6);
    t.inputTokens += u.inputTokens;
    t.outputTokens += u.outputTokens;
    t.calls += 1;
    map.set(key, t);
  };
  await runAsSystem("billing: an organisation's usage for its admins", async () => {
    for await (const u of usageEventModel(connection).find({ tenantId, at: { $gte: from, $lte: now } }).select({ userId: 1, modelId: 1, costUsd: 1, inputTokens: 1, outputTokens: 1, at: 1 }).lean().cursor({ batchSize: 1000 })) {
      add(byDay, u.at.toISOString().slice(0, 10), u);
      add(byModel, u.modelId, u);
      add(byMember, String(u.userId), u);
    }
  });
  const names = new Map((await listMembers(connection, tenantId)).map((m) => [m.userId, m.name || m.email]));
  const out = (t: ReturnType<typeof empty>): Totals => ({ costUsd: t.micros / 1e6, inputTokens: t.inputTokens, outputTokens: t.outputTokens, calls: t.calls });
  const byCost = <T extends Totals>(a: T, b: T) => b.costUsd - a.costUsd;
  return {
    from: from.toISOString(),
    to: now.toISOString(),
    byDay: [...byDay].map(([day, t]) => ({ day, ...out(t) })),
    byModel: [...byModel].map(([modelId, t]) => ({ modelId, ...out(t) })).sort(byCost),
    byMember: [...byMember].map(([userId, t]) => ({ userId, name: names.get(userId) ?? "A former member", ...out(t) })).sort(byCost),
    totalUsd: [...byModel.values()].reduce((n, t) => n + t.micros, 0) / 1e6,
  };
}
