import type { Connection } from "mongoose";
import { ModelPolicy as ModelPolicyRequest } from "@tandem/client/contract";
import type { ModelCatalog } from "../ai/index.js";
import { InvalidInputError, NotFoundError, parseInput } from "../errors/index.js";
import { tenantModel } from "../tenants/model.js";
import { forgetTenant, withTenantRecord } from "../tenants/organisations.js";
import type { ModelPolicy } from "./chat.js";

/** The contract's schema: allowed model ids and the guardrail (id or ARN, DRAFT or a version). */
export const ModelPolicyInput = ModelPolicyRequest;

export async function getModelPolicy(connection: Connection, tenantId: string): Promise<ModelPolicy> {
  const tenant = await tenantModel(connection).findById(tenantId).lean();
  if (!tenant) throw new NotFoundError("There is no such organisation.", "organisation.not_found");
  return {
    allowedModelIds: tenant.allowedModelIds ?? [],
    guardrail: tenant.guardrailId && tenant.guardrailVersion ? { id: tenant.guardrailId, version: tenant.guardrailVersion } : undefined,
  };
}

/** Sets which chat models members may use (empty: all) and the Bedrock guardrail applied to them. */
export async function setModelPolicy(connection: Connection, tenantId: string, catalog: ModelCatalog, input: unknown): Promise<ModelPolicy> {
  const data = parseInput(ModelPolicyInput, input, "model settings");
  const unknown = data.allowedModelIds.filter((id) => !catalog.find(id));
  if (unknown.length) throw new InvalidInputError(`These models are not in the catalog: ${unknown.join(", ")}. Pick from the model list.`, [{ name: "allowedModelIds", message: "unknown model" }], "model.unknown");
  await withTenantRecord(connection, tenantId, () =>
    tenantModel(connection).updateOne(
      { _id: tenantId },
      { $set: { allowedModelIds: [...new Set(data.allowedModelIds)], guardrailId: data.guardrail?.id ?? null, guardrailVersion: data.guardrail?.version ?? null } },
    ),
  );
  // Members' requests read the policy through the access cache: this process sees the change at once.
  forgetTenant(tenantId);
  return getModelPolicy(connection, tenantId);
}
