import type { Connection } from "mongoose";
import { ModelPolicy as ModelPolicyRequest } from "@tandem/client/contract";
import type { ModelCatalog } from "../ai/index.js";
import { InvalidInputError, NotFoundError, parseInput } from "../errors/index.js";
import { tenantModel } from "../tenants/model.js";
import { forgetTenant, groupRulesOf, withTenantRecord } from "../tenants/organisations.js";
import { groupNames } from "../groups/groups.js";
import type { ModelPolicy } from "./chat.js";

/** The contract's schema: allowed model ids and the guardrail (id or ARN, DRAFT or a version). */
export const ModelPolicyInput = ModelPolicyRequest;

export async function getModelPolicy(connection: Connection, tenantId: string): Promise<ModelPolicy> {
  const tenant = await tenantModel(connection).findById(tenantId).lean();
  if (!tenant) throw new NotFoundError("There is no such organisation.", "organisation.not_found");
  return {
    allowedModelIds: tenant.allowedModelIds ?? [],
    groups: groupRulesOf(tenant.groupModels),
    guardrail: tenant.guardrailId && tenant.guardrailVersion ? { id: tenant.guardrailId, version: tenant.guardrailVersion } : undefined,
  };
}

/** Sets which chat models members may use (empty: all), by group if it names groups, and the Bedrock guardrail applied to them. */
export async function setModelPolicy(connection: Connection, tenantId: string, catalog: ModelCatalog, input: unknown): Promise<ModelPolicy> {
  const data = parseInput(ModelPolicyInput, input, "model settings");
  const unknown = data.allowedModelIds.filter((id) => !catalog.find(id));
  if (unknown.length) throw new InvalidInputError(`These models are not in the catalog: ${unknown.join(", ")}. Pick from the model list.`, [{ name: "allowedModelIds", message: "unknown model" }], "model.unknown");
  // Models by group (groups/policy.ts says how they apply): catalog models, groups of this organisation.
  const groupModels = data.groups?.map((g) => ({ groupId: g.groupId, modelIds: [...new Set(g.models)] }));
  if (groupModels?.length) {
    const unknownModels = [...new Set(groupModels.flatMap((g) => g.modelIds).filter((id) => !catalog.find(id)))];
    if (unknownModels.length) throw new InvalidInputError(`These models are not in the catalog: ${unknownModels.join(", ")}. Pick from the model list.`, [{ name: "groups", message: "unknown model" }], "model.unknown");
    const existing = await groupNames(connection, tenantId);
    const missing = groupModels.filter((g) => !existing.has(g.groupId)).map((g) => g.groupId);
    if (missing.length) throw new InvalidInputError(`These groups are not in the organisation: ${missing.join(", ")}. Pick from its groups.`, [{ name: "groups", message: "unknown group" }], "group.not_found");
  }
  await withTenantRecord(connection, tenantId, () =>
    tenantModel(connection).updateOne(
      { _id: tenantId },
      {
        $set: {
          allowedModelIds: [...new Set(data.allowedModelIds)],
          guardrailId: data.guardrail?.id ?? null,
          guardrailVersion: data.guardrail?.version ?? null,
          // Absent: the group rules stay as they are.
          ...(groupModels ? { groupModels } : {}),
        },
      },
    ),
  );
  // Members' requests read the policy through the access cache: this process sees the change at once.
  forgetTenant(tenantId);
  return getModelPolicy(connection, tenantId);
}
