import { startBedrockControlStandIn, type BedrockControlStandIn } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessProblem, createBedrockControlClient, DEFAULT_MODELS, discoverAccountModels, modelCatalog } from "../src/ai/index.js";

/**
 * What an AWS account's Bedrock offers, read with the real @aws-sdk/client-bedrock from a stand-in
 * of Bedrock's control API (moto does not serve it): foundation models, inference profiles (paged),
 * access per model, merged with the catalog and the prices in force.
 */
const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0";
const NOVA = "amazon.nova-pro-v1:0";
const OTHER = "example.unlisted-text-v1:0";
let control: BedrockControlStandIn;

beforeAll(async () => {
  control = await startBedrockControlStandIn({
    models: [
      { modelId: SONNET, modelName: "Claude Sonnet 4.5", providerName: "Anthropic", outputModalities: ["TEXT"], inferenceTypes: ["INFERENCE_PROFILE"] },
      { modelId: HAIKU, modelName: "Claude Haiku 4.5", providerName: "Anthropic", outputModalities: ["TEXT"], inferenceTypes: ["INFERENCE_PROFILE"] },
      { modelId: NOVA, modelName: "Nova Pro", providerName: "Amazon", outputModalities: ["TEXT"], inferenceTypes: ["ON_DEMAND", "INFERENCE_PROFILE"] },
      { modelId: OTHER, modelName: "Unlisted Text", providerName: "Example", outputModalities: ["TEXT"], inferenceTypes: ["ON_DEMAND"] },
      { modelId: "example.retired-v1:0", modelName: "Retired", providerName: "Example", outputModalities: ["TEXT"], inferenceTypes: ["ON_DEMAND"], legacy: true },
      { modelId: "amazon.nova-canvas-v1:0", modelName: "Nova Canvas", providerName: "Amazon", outputModalities: ["IMAGE"], inferenceTypes: ["ON_DEMAND"] },
    ],
    profiles: [
      { id: `us.${SONNET}`, name: "US Claude Sonnet 4.5", modelIds: [SONNET] },
      { id: `us.${HAIKU}`, name: "US Claude Haiku 4.5", modelIds: [HAIKU] },
      { id: `us.${NOVA}`, name: "US Nova Pro", modelIds: [NOVA] },
    ],
    enabled: [SONNET, NOVA, OTHER],
    pageSize: 2,
  });
});
afterAll(() => control?.close());

describe("the account's models", () => {
  it("lists profiles and on-demand models that write text, with access and prices, leaving out retired and image models", async () => {
    const client = createBedrockControlClient({ endpoint: control.url, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "x" } });
    const catalog = modelCatalog(DEFAULT_MODELS);
    const account = await discoverAccountModels(client, catalog, { [OTHER]: { input_tokens: 0.0005, output_tokens: 0.0015 } });
    const byId = Object.fromEntries(account.models.map((m) => [m.id, m]));
    expect(Object.keys(byId).sort()).toEqual([OTHER, NOVA, `us.${NOVA}`, `us.${HAIKU}`, `us.${SONNET}`].sort());
    expect(byId[`us.${SONNET}`]).toMatchObject({ kind: "inference-profile", modelIds: [SONNET], access: "enabled", inCatalog: true, name: "Claude Sonnet 4.5", price: { inputPer1k: 0.003, outputPer1k: 0.015 } });
    expect(byId[`us.${HAIKU}`]).toMatchObject({ access: "not_enabled", inCatalog: true });
    expect(byId[OTHER]).toMatchObject({ kind: "foundation-model", access: "enabled", inCatalog: false, price: { inputPer1k: 0.0005, outputPer1k: 0.0015 } });
    // The profiles came over two pages; each foundation model's access was asked once.
    expect(control.requests.filter((r) => r === "GET /inference-profiles")).toHaveLength(2);
    expect(control.requests.filter((r) => r.startsWith("GET /foundation-model-availability/"))).toHaveLength(4);

    // What the picker says of catalog models the account cannot run.
    expect(accessProblem(account, `us.${SONNET}`)).toBeUndefined();
    expect(accessProblem(account, `us.${HAIKU}`)).toContain("enables it in the Amazon Bedrock console in us-east-1");
    expect(accessProblem(account, "us.deepseek.r1-v1:0")).toContain("does not offer this model");
  });
});
