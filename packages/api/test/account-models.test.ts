import { startBedrockControlStandIn, startBedrockStandIn, type BedrockControlStandIn, type BedrockStandIn } from "@tandem/local";
import { ModelsResponse } from "@tandem/client/contract";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { forgetAccountModels } from "../src/http/account-models.js";
import { identityHarness, type IdentityHarness, type SignedIn } from "./helpers.js";

/** GET /models with AWS: what the account's Bedrock offers (read every 10 minutes), or why it could not be read. */
let h: IdentityHarness;
let runtime: BedrockStandIn;
let control: BedrockControlStandIn;
let ann: SignedIn;
let orgId: string;
const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";

beforeAll(async () => {
  runtime = await startBedrockStandIn();
  control = await startBedrockControlStandIn({
    models: [{ modelId: SONNET, modelName: "Claude Sonnet 4.5", providerName: "Anthropic", outputModalities: ["TEXT"], inferenceTypes: ["INFERENCE_PROFILE"] }],
    profiles: [{ id: `us.${SONNET}`, name: "US Claude Sonnet 4.5", modelIds: [SONNET] }],
    enabled: [],
  });
  h = await identityHarness("api-account-models-test", { source: { ...inject("awsEnv"), AWS_ENDPOINT_URL_BEDROCK_RUNTIME: runtime.url, AWS_ENDPOINT_URL_BEDROCK: control.url } });
  ann = await h.member("ann@models.test", "Ann");
  orgId = (await ann.agent.post("/api/orgs").set("x-csrf-token", ann.csrf).send({ name: "Models Co", slug: "models-co" }).expect(201)).body.organisation.id;
  forgetAccountModels();
}, 120_000);
afterAll(async () => {
  await runtime?.close();
  await control?.close();
  await h?.close();
});

describe("the account's models in the model picker", () => {
  it("lists what the account offers with its access, asks Bedrock once in ten minutes, and says so when Bedrock cannot be read", async () => {
    const first = ModelsResponse.parse((await ann.agent.get(`/api/orgs/${orgId}/models`).expect(200)).body);
    expect(first.account?.models).toEqual([
      { id: `us.${SONNET}`, name: "Claude Sonnet 4.5", provider: "Anthropic", kind: "inference-profile", modelIds: [SONNET], access: "not_enabled", inCatalog: true, price: { inputPer1k: 0.003, outputPer1k: 0.015 } },
    ]);
    const asked = control.requests.length;
    await ann.agent.get(`/api/orgs/${orgId}/models`).expect(200);
    expect(control.requests.length).toBe(asked);

    await control.close();
    forgetAccountModels();
    const down = (await ann.agent.get(`/api/orgs/${orgId}/models`).expect(200)).body;
    expect(down.account).toBeNull();
    expect(down.accountProblem).toContain("Bedrock did not say which models this account offers");
    // The catalog is still offered.
    expect(down.models.length).toBeGreaterThan(0);
  });
});
