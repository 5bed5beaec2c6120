import { BedrockClient, GetFoundationModelAvailabilityCommand, ListFoundationModelsCommand, paginateListInferenceProfiles } from "@aws-sdk/client-bedrock";
import { BEDROCK_REGION } from "./bedrock.js";

export type { BedrockClient };
import type { ModelCatalog } from "./catalog.js";

/**
 * What the AWS account's Bedrock in us-east-1 really offers: its foundation models that write text,
 * the inference profiles that route to them, and whether the account has access to each (Model
 * access in the console). Merged with the catalog (names, context windows) and the prices in
 * force, so the model picker shows which models can answer, which need access enabled, and which
 * the account offers but Tandem has no price for yet.
 */
export type ModelAccess = "enabled" | "not_enabled" | "not_in_region" | "unknown";

export interface AccountModel {
  /** What a request names: an inference profile id (us.…) or a foundation model id. */
  readonly id: string;
  readonly name: string;
  readonly provider: string;
  readonly kind: "foundation-model" | "inference-profile";
  /** The foundation model(s) it runs on. */
  readonly modelIds: readonly string[];
  readonly access: ModelAccess;
  /** In Tandem's catalog (so it can be offered in notebooks). */
  readonly inCatalog: boolean;
  /** USD per 1,000 tokens in force, when Tandem has a price for it. */
  readonly price: { readonly inputPer1k: number; readonly outputPer1k: number } | null;
}

export interface AccountModels {
  readonly checkedAt: Date;
  readonly models: readonly AccountModel[];
}

export function createBedrockControlClient(options: { endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): BedrockClient {
  return new BedrockClient({ region: BEDROCK_REGION, ...(options.endpoint ? { endpoint: options.endpoint } : {}), ...(options.credentials ? { credentials: options.credentials } : {}), maxAttempts: 3 });
}

const accessOf = (a: { authorizationStatus?: string; entitlementAvailability?: string; regionAvailability?: string; agreementAvailability?: { status?: string } }): ModelAccess =>
  a.regionAvailability === "NOT_AVAILABLE" ? "not_in_region" : a.authorizationStatus === "AUTHORIZED" && a.entitlementAvailability === "AVAILABLE" ? "enabled" : "not_enabled";

/** Runs `work` over `items`, `limit` at a time. */
async function pooled<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!);
      }
    }),
  );
  return out;
}

/** Reads the account's offer from Bedrock (a few dozen calls; the caller keeps the answer a while). */
export async function discoverAccountModels(client: BedrockClient, catalog: ModelCatalog, prices: Readonly<Record<string, { input_tokens?: number; output_tokens?: number }>>, now: Date = new Date()): Promise<AccountModels> {
  const listed = (await client.send(new ListFoundationModelsCommand({ byOutputModality: "TEXT" }))).modelSummaries ?? [];
  const foundation = listed.filter((m) => m.modelId && m.modelLifecycle?.status !== "LEGACY" && m.responseStreamingSupported !== false);
  const profiles = [];
  for await (const page of paginateListInferenceProfiles({ client }, { typeEquals: "SYSTEM_DEFINED" })) profiles.push(...(page.inferenceProfileSummaries ?? []));
  const access = new Map<string, ModelAccess>();
  await pooled(foundation, 5, async (m) => {
    try {
      access.set(m.modelId!, accessOf(await client.send(new GetFoundationModelAvailabilityCommand({ modelId: m.modelId! }))));
    } catch {
      access.set(m.modelId!, "unknown");
    }
  });
  const priceOf = (id: string) => {
    const table = prices[id];
    if (table && (table.input_tokens !== undefined || table.output_tokens !== undefined)) return { inputPer1k: table.input_tokens ?? 0, outputPer1k: table.output_tokens ?? 0 };
    const entry = catalog.find(id);
    return entry && !entry.local ? { inputPer1k: entry.inputPricePer1k, outputPer1k: entry.outputPricePer1k } : null;
  };
  const byId = new Map(foundation.map((m) => [m.modelId!, m]));
  const models: AccountModel[] = [];
  // Inference profiles first: on-demand use of most current models goes through them.
  for (const p of profiles) {
    const ids = (p.models ?? []).map((m) => m.modelArn?.split("/").at(-1) ?? "").filter((id) => byId.has(id));
    if (!p.inferenceProfileId || ids.length === 0) continue;
    const states = ids.map((id) => access.get(id) ?? "unknown");
    const base = byId.get(ids[0]!)!;
    models.push({
      id: p.inferenceProfileId,
      name: catalog.find(p.inferenceProfileId)?.name ?? p.inferenceProfileName ?? base.modelName ?? p.inferenceProfileId,
      provider: base.providerName ?? "",
      kind: "inference-profile",
      modelIds: ids,
      access: states.every((s) => s === "enabled") ? "enabled" : states.includes("not_enabled") ? "not_enabled" : states[0]!,
      inCatalog: Boolean(catalog.find(p.inferenceProfileId)),
      price: priceOf(p.inferenceProfileId),
    });
  }
  for (const m of foundation) {
    if (!(m.inferenceTypesSupported ?? []).includes("ON_DEMAND")) continue;
    models.push({ id: m.modelId!, name: catalog.find(m.modelId!)?.name ?? m.modelName ?? m.modelId!, provider: m.providerName ?? "", kind: "foundation-model", modelIds: [m.modelId!], access: access.get(m.modelId!) ?? "unknown", inCatalog: Boolean(catalog.find(m.modelId!)), price: priceOf(m.modelId!) });
  }
  return { checkedAt: now, models };
}

/** The foundation model an id names: an inference profile's id (us.…, eu.…, global.…) without its prefix. */
export function foundationModelId(id: string): string {
  return id.replace(/^(us|eu|apac|us-gov|global)\./, "");
}

/**
 * Whether this account may call one model in us-east-1 (the deploy doctor asks for each model
 * of the catalog): "not_offered" when Bedrock does not know it there.
 */
export async function foundationModelAccess(client: BedrockClient, modelId: string): Promise<ModelAccess | "not_offered"> {
  try {
    return accessOf(await client.send(new GetFoundationModelAvailabilityCommand({ modelId: foundationModelId(modelId) })));
  } catch (error) {
    if ((error as { name?: string }).name === "ResourceNotFoundException" || (error as { name?: string }).name === "ValidationException") return "not_offered";
    throw error;
  }
}

/** Why a catalog model cannot answer in this account, or undefined when it can (or Bedrock could not say). */
export function accessProblem(account: AccountModels, modelId: string): string | undefined {
  const found = account.models.find((m) => m.id === modelId);
  if (!found) return "This AWS account's Bedrock in us-east-1 does not offer this model. An operator removes it from BEDROCK_MODELS or picks a model the account offers.";
  if (found.access === "not_enabled") return "Access to this model is not enabled for this AWS account. An administrator enables it in the Amazon Bedrock console in us-east-1, under Model access.";
  if (found.access === "not_in_region") return "This model is not offered in us-east-1.";
  return undefined;
}
