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
  // Current models (prices: Bedrock on-demand in us-east-1, USD per 1,000 tokens). Anthropic's and
  // Meta's are used through their US inference profiles, as Bedrock requires for on-demand use.
  { id: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", name: "Claude Sonnet 4.5", provider: "Anthropic", contextWindow: 200_000, inputPricePer1k: 0.003, outputPricePer1k: 0.015, pricePerImage: 0, capabilities: ["text", "vision"], local: false },
  { id: "us.anthropic.claude-haiku-4-5-20251001-v1:0", name: "Claude Haiku 4.5", provider: "Anthropic", contextWindow: 200_000, inputPricePer1k: 0.001, outputPricePer1k: 0.005, pricePerImage: 0, capabilities: ["text", "vision"], local: false },
  { id: "us.anthropic.claude-opus-4-1-20250805-v1:0", name: "Claude Opus 4.1", provider: "Anthropic", contextWindow: 200_000, inputPricePer1k: 0.015, outputPricePer1k: 0.075, pricePerImage: 0, capabilities: ["text", "vision"], local: false },
  { id: "us.amazon.nova-pro-v1:0", name: "Amazon Nova Pro", provider: "Amazon", contextWindow: 300_000, inputPricePer1k: 0.0008, outputPricePer1k: 0.0032, pricePerImage: 0, capabilities: ["text", "vision"], local: false },
  { id: "us.amazon.nova-lite-v1:0", name: "Amazon Nova Lite", provider: "Amazon", contextWindow: 300_000, inputPricePer1k: 0.00006, outputPricePer1k: 0.00024, pricePerImage: 0, capabilities: ["text", "vision"], local: false },
  { id: "us.amazon.nova-micro-v1:0", name: "Amazon Nova Micro", provider: "Amazon", contextWindow: 128_000, inputPricePer1k: 0.000035, outputPricePer1k: 0.00014, pricePerImage: 0, capabilities: ["text"], local: false },
  { id: "us.meta.llama4-maverick-17b-instruct-v1:0", name: "Llama 4 Maverick 17B Instruct", provider: "Meta", contextWindow: 1_000_000, inputPricePer1k: 0.00024, outputPricePer1k: 0.00097, pricePerImage: 0, capabilities: ["text", "vision"], local: false },
  { id: "us.deepseek.r1-v1:0", name: "DeepSeek-R1", provider: "DeepSeek", contextWindow: 128_000, inputPricePer1k: 0.00135, outputPricePer1k: 0.0054, pricePerImage: 0, capabilities: ["text"], local: false },
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
