import type { Connection } from "mongoose";
import { z } from "zod";
import type { ModelCatalog } from "../ai/index.js";
import { InvalidInputError, NotFoundError, parseInput } from "../errors/index.js";
import { tenantModel } from "../tenants/model.js";
import type { ModelPolicy } from "./chat.js";

export const ModelPolicyInput = z.object({
  allowedModelIds: z.array(z.string().min(1).max(200)).max(100),
  guardrail: z
    .object({
      id: z.string().regex(/^[a-z0-9]{1,128}$|^arn:aws(-[a-z]+)?:bedrock:[a-z0-9-]+:\d{12}:guardrail\/[a-z0-9]+$/, "Use a guardrail id (e.g. abc123xyz) or its ARN"),
      version: z.string().regex(/^(DRAFT|[1-9]\d{0,7})$/, "Use DRAFT or a version number"),
    })
    .nullable(),
});

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
  await tenantModel(connection).updateOne(
    { _id: tenantId },
    { $set: { allowedModelIds: [...new Set(data.allowedModelIds)], guardrailId: data.guardrail?.id ?? null, guardrailVersion: data.guardrail?.version ?? null } },
  );
  return getModelPolicy(connection, tenantId);
}
