import type { Connection } from "mongoose";
import type { ModelCatalog, ModelEntry } from "../ai/index.js";
import { tenantModel } from "../tenants/model.js";
import { forgetTenant, groupRulesOf, requireMember, withTenantRecord, type TenantModelPolicy } from "../tenants/organisations.js";
import { groupIdsOf } from "./groups.js";

/**
 * Model policy by group. An organisation's policy (PUT /api/orgs/:orgId/model-policy) may name
 * groups and the models each may use. The rule:
 * - a member in one or more of the named groups may use the models of those groups together
 *   (their union), instead of the organisation's allowed list: a group's list may narrow it or
 *   widen it (e.g. only "Research" may use the costly model);
 * - a member in none of the named groups keeps the organisation's allowed list (empty: every chat
 *   model);
 * - the tier's models bound everyone, whatever either list says.
 * A group's list is never empty (the contract refuses it), so it cannot mean "every model".
 */
export type GroupModelRule = NonNullable<TenantModelPolicy["groups"]>[number];

/** The policy as it applies to someone in `groupIds`: the organisation's, with its group rules applied. */
export function applyGroupRules(policy: TenantModelPolicy, groupIds: readonly string[]): TenantModelPolicy {
  const mine = (policy.groups ?? []).filter((rule) => groupIds.includes(rule.groupId));
  if (mine.length === 0) return policy;
  return { ...policy, allowedModelIds: [...new Set(mine.flatMap((rule) => rule.modelIds))] };
}

/**
 * The organisation's policy as it applies to one member. With no group rules it is the policy
 * itself and nothing is read; otherwise the member's groups are read (an equality read, kept for
 * the access cache's TTL).
 */
export async function memberModelPolicy(connection: Connection, tenantId: string, userId: string, policy: TenantModelPolicy): Promise<TenantModelPolicy> {
  if (!policy.groups?.length) return policy;
  return applyGroupRules(policy, await groupIdsOf(connection, tenantId, userId, { cached: true }));
}

/** Whether a policy lets a model be used (the same test as notebooks' chooseModel). */
export function policyAllows(policy: TenantModelPolicy, modelId: string): boolean {
  return (policy.allowedModelIds.length === 0 || policy.allowedModelIds.includes(modelId)) && (!policy.tierModelIds?.length || policy.tierModelIds.includes(modelId));
}

/**
 * The chat models one member may use in an organisation: its policy (through the access cache),
 * with the member's groups applied, and the tier. Not-found for someone who is not a member.
 */
export async function allowedModelsFor(connection: Connection, tenantId: string, userId: string, catalog: ModelCatalog): Promise<ModelEntry[]> {
  const { policy } = await requireMember(connection, tenantId, userId, "member", { cached: true });
  const mine = await memberModelPolicy(connection, tenantId, userId, policy);
  return catalog.chatModels().filter((m) => policyAllows(mine, m.id));
}

/** A deleted group's rule leaves the organisation's policy (under the organisation's lease, as every policy write). */
export async function dropGroupFromModelPolicy(connection: Connection, tenantId: string, groupId: string): Promise<void> {
  await withTenantRecord(connection, tenantId, async () => {
    const doc = await tenantModel(connection).findById(tenantId).select({ groupModels: 1 }).lean();
    const rules = groupRulesOf(doc?.groupModels);
    if (!rules.some((r) => r.groupId === groupId)) return;
    await tenantModel(connection).updateOne({ _id: tenantId }, { $set: { groupModels: rules.filter((r) => r.groupId !== groupId) } });
  });
  forgetTenant(tenantId);
}
