import { z } from "zod";

/**
 * The model catalog: what the model picker offers and what usage costs. The built-in list below
 * can be replaced without code by the BEDROCK_MODELS secret (a JSON array of these entries):
 * `pnpm sst secrets set BEDROCK_MODELS '[...]' --stage X`, read at the API's next start.
 */
export const MODEL_CAPABILITIES = ["text", "vision", "images", "embeddings"] as const;

export const ModelEntry = z.object({
  /** A Bedrock model id or a cross-region inference profile id (us.anthropic...). */
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(80),
  provider: z.string().min(1).max(40),
  contextWindow: z.number().int().positive(),
  /** USD per 1,000 tokens. */
  inputPricePer1k: z.number().nonnegative(),
  outputPricePer1k: z.number().nonnegative(),
  /** USD per generated image (image models). */
  pricePerImage: z.number().nonnegative().default(0),
  capabilities: z.array(z.enum(MODEL_CAPABILITIES)).min(1),
  /** The local stand-in's model: shown as a test model, never as a real one. */
  local: z.boolean().default(false),
  /** Why this model cannot be used here (set by Tandem, e.g. when only the local stand-in answers). */
  unavailable: z.string().max(300).optional(),
});
export type ModelEntry = z.infer<typeof ModelEntry>;

export const ModelCatalogJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a JSON array of models" });
      return z.NEVER;
    }
  })
  .pipe(z.array(ModelEntry).min(1, "must list at least one model"));

export const DEFAULT_MODELS: readonly ModelEntry[] = [
  { id: "us.anthropic.claude-3-5-sonnet-20241022-v2:0", name: "Claude 3.5 Sonnet v2", provider: "Anthropic", contextWindow: 200_000, inputPricePer1k: 0.003, outputPricePer1k: 0.015, pricePerImage: 0, capabilities: ["text", "vision"], local: false },
  { id: "us.anthropic.claude-3-5-haiku-20241022-v1:0", name: "Claude 3.5 Haiku", provider: "Anthropic", contextWindow: 200_000, inputPricePer1k: 0.0008, outputPricePer1k: 0.004, pricePerImage: 0, capabilities: ["text"], local: false },
  { id: "us.amazon.nova-pro-v1:0", name: "Amazon Nova Pro", provider: "Amazon", contextWindow: 300_000, inputPricePer1k: 0.0008, outputPricePer1k: 0.0032, pricePerImage: 0, capabilities: ["text", "vision"], local: false },
  { id: "us.amazon.nova-lite-v1:0", name: "Amazon Nova Lite", provider: "Amazon", contextWindow: 300_000, inputPricePer1k: 0.00006, outputPricePer1k: 0.00024, pricePerImage: 0, capabilities: ["text", "vision"], local: false },
  { id: "us.meta.llama3-1-70b-instruct-v1:0", name: "Llama 3.1 70B Instruct", provider: "Meta", contextWindow: 128_000, inputPricePer1k: 0.00072, outputPricePer1k: 0.00072, pricePerImage: 0, capabilities: ["text"], local: false },
  { id: "amazon.titan-embed-text-v2:0", name: "Titan Text Embeddings v2", provider: "Amazon", contextWindow: 8_000, inputPricePer1k: 0.00002, outputPricePer1k: 0, pricePerImage: 0, capabilities: ["embeddings"], local: false },
  { id: "amazon.nova-canvas-v1:0", name: "Amazon Nova Canvas", provider: "Amazon", contextWindow: 1_000, inputPricePer1k: 0, outputPricePer1k: 0, pricePerImage: 0.04, capabilities: ["images"], local: false },
];

/** The stand-in's model, added to the catalog only when the stand-in is in use. */
export const LOCAL_TEST_MODEL: ModelEntry = {
  id: "tandem.local-echo-v1",
  name: "Local test model (not a real model)",
  provider: "Tandem stand-in",
  contextWindow: 8_000,
  inputPricePer1k: 0,
  outputPricePer1k: 0,
  pricePerImage: 0,
  capabilities: ["text"],
  local: true,
};

/** The stand-in's embedding model (Titan v2's wire format, hashed word counts). */
export const LOCAL_EMBEDDING_MODEL: ModelEntry = {
  id: "tandem.local-embed-v1",
  name: "Local test embeddings (not a real model)",
  provider: "Tandem stand-in",
  contextWindow: 8_000,
  inputPricePer1k: 0,
  outputPricePer1k: 0,
  pricePerImage: 0,
  capabilities: ["embeddings"],
  local: true,
};

/** The stand-in's image model (Nova Canvas's wire format, small generated PNGs). */
export const LOCAL_IMAGE_MODEL: ModelEntry = {
  id: "tandem.local-canvas-v1",
  name: "Local test images (not a real model)",
  provider: "Tandem stand-in",
  contextWindow: 1_000,
  inputPricePer1k: 0,
  outputPricePer1k: 0,
  pricePerImage: 0,
  capabilities: ["images"],
  local: true,
};

export interface ModelCatalog {
  readonly models: readonly ModelEntry[];
  find(id: string): ModelEntry | undefined;
  /** Models for chat (text capability), in catalog order. */
  chatModels(): ModelEntry[];
  /** The model that embeds knowledge files: the first with the embeddings capability. */
  embeddingModel(): ModelEntry | undefined;
  /** The model that generates images: the first with the images capability. */
  imageModel(): ModelEntry | undefined;
}

export function modelCatalog(models: readonly ModelEntry[]): ModelCatalog {
  return {
    models,
    find: (id) => models.find((m) => m.id === id),
    chatModels: () => models.filter((m) => m.capabilities.includes("text")),
    embeddingModel: () => models.find((m) => m.capabilities.includes("embeddings") && !m.unavailable),
    imageModel: () => models.find((m) => m.capabilities.includes("images") && !m.unavailable),
  };
}

export const STAND_IN_REASON = "Real Bedrock models need AWS credentials, and this Tandem runs without them: set AWS_PROFILE (or AWS_ACCESS_KEY_ID) before pnpm dev to use them.";

/**
 * The catalog when the local stand-in answers instead of Bedrock (pnpm dev without AWS): its own
 * test models first, and every real model listed as unavailable with the reason, so no reply of
 * the stand-in is ever labelled with a real model's name.
 */
export function standInCatalog(local: readonly ModelEntry[], real: readonly ModelEntry[]): ModelCatalog {
  return modelCatalog([...local, ...real.map((m) => ({ ...m, unavailable: STAND_IN_REASON }))]);
}

/** Cost in USD of one reply, rounded to a millionth of a dollar. */
export function costOf(model: ModelEntry, usage: { inputTokens: number; outputTokens: number }): number {
  return Math.round(((usage.inputTokens / 1000) * model.inputPricePer1k + (usage.outputTokens / 1000) * model.outputPricePer1k) * 1e6) / 1e6;
}
