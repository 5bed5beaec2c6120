import { startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBedrockClient, DEFAULT_MODELS, estimateTokens, LOCAL_TEST_MODEL, ModelCatalogJson, streamChat, trimHistory, type ModelEntry } from "../src/ai/index.js";

/** The real @aws-sdk/client-bedrock-runtime against the local stand-in's real wire format. */
let standIn: BedrockStandIn;
const CREDENTIALS = { accessKeyId: "AKIDLOCALSTANDIN", secretAccessKey: "local-stand-in-secret" };
const client = () => createBedrockClient({ endpoint: standIn.url, credentials: CREDENTIALS });
const sonnet = DEFAULT_MODELS[0]!;

beforeAll(async () => {
  standIn = await startBedrockStandIn({ tokenDelayMs: 1, deniedModels: [sonnet.id] });
});
afterAll(() => standIn.close());

describe("ConverseStream through the SDK", () => {
  it("delivers the deltas in order, then the usage", async () => {
    const deltas: string[] = [];
    const result = await streamChat(client(), { model: LOCAL_TEST_MODEL, history: [{ role: "user", text: "stream 50 tokens please" }], onDelta: (d) => deltas.push(d) });
    expect(deltas).toHaveLength(50);
    expect(deltas.join("")).toBe(Array.from({ length: 50 }, (_, i) => `t${i + 1} `).join(""));
    expect(result).toMatchObject({ status: "complete", stopReason: "end_turn", outputTokens: 50, text: deltas.join("") });
    expect(result.inputTokens).toBeGreaterThan(0);
    expect(result.firstTokenMs).toBeLessThanOrEqual(result.latencyMs);
  });

  it("stops the upstream request when aborted and keeps what arrived", async () => {
    const slow = await startBedrockStandIn({ tokenDelayMs: 20 });
    try {
      const controller = new AbortController();
      const deltas: string[] = [];
      const result = await streamChat(createBedrockClient({ endpoint: slow.url, credentials: CREDENTIALS }), {
        model: LOCAL_TEST_MODEL,
        history: [{ role: "user", text: "stream 500 tokens" }],
        signal: controller.signal,
        onDelta: (d) => {
          deltas.push(d);
          if (deltas.length === 5) controller.abort();
        },
      });
      expect(result.status).toBe("stopped");
      expect(result.text).toBe(deltas.join(""));
      expect(deltas.length).toBeLessThan(50);
      // Only what was delivered counts.
      expect(result.outputTokens).toBe(estimateTokens(result.text));
      await expect.poll(() => slow.cancelledStreams()).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it("retries throttling with backoff, then answers", async () => {
    const before = standIn.requests.length;
    standIn.throttleNext(2);
    const result = await streamChat(client(), { model: LOCAL_TEST_MODEL, history: [{ role: "user", text: "hello" }] });
    expect(result.status).toBe("complete");
    expect(standIn.requests.length - before).toBe(3);
  });

  it("gives up on lasting throttling with a message that says to wait", async () => {
    standIn.throttleNext(10);
    const error = await streamChat(createBedrockClient({ endpoint: standIn.url, credentials: CREDENTIALS, maxAttempts: 2 }), { model: LOCAL_TEST_MODEL, history: [{ role: "user", text: "hello" }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "model.throttled", kind: "rate_limited" });
    standIn.throttleNext(-8);
  });

  it("turns a model that is not enabled into instructions for the Bedrock console in us-east-1", async () => {
    const error = await streamChat(client(), { model: sonnet, history: [{ role: "user", text: "hello" }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "model.not_enabled", kind: "forbidden" });
    expect((error as Error).message).toContain("enables it in the Amazon Bedrock console in us-east-1");
    // An inference profile id travels to Bedrock as it is.
    expect(standIn.requests.at(-1)).toMatchObject({ operation: "converse-stream", modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" });
    expect(standIn.requests.at(-1)).not.toHaveProperty("guardrail");
  });
});

describe("history and catalog", () => {
  it("keeps the newest turns that fit the context window, starting with a user turn", () => {
    const turns = Array.from({ length: 10 }, (_, i) => ({ role: (i % 2 ? "assistant" : "user") as "user" | "assistant", text: `${i} ${"x".repeat(340)}` }));
    const kept = trimHistory(turns, { contextWindow: 500, reserveForReply: 100 });
    expect(kept.length).toBeLessThan(10);
    expect(kept[0]!.role).toBe("user");
    expect(kept.at(-1)).toEqual(turns.at(-1));
  });

  it("reads an operator's catalog from JSON and names what is wrong", () => {
    const entry: ModelEntry = { ...LOCAL_TEST_MODEL, id: "eu.anthropic.claude-3-7-sonnet", local: false };
    expect(ModelCatalogJson.parse(JSON.stringify([entry]))).toEqual([entry]);
    const bad = ModelCatalogJson.safeParse(JSON.stringify([{ id: "x" }]));
    expect(bad.success).toBe(false);
    expect(ModelCatalogJson.safeParse("not json").error?.issues[0]?.message).toBe("must be a JSON array of models");
  });
});
