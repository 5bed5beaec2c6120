import { BedrockRuntimeClient, ConverseStreamCommand, type Message, type SystemContentBlock } from "@aws-sdk/client-bedrock-runtime";
import { DomainError, InvalidInputError, NotFoundError, RateLimitedError, UnavailableError } from "../errors/index.js";
import type { ModelEntry } from "./catalog.js";
import { estimateTokens, trimHistory, type Turn } from "./context-window.js";

/** Bedrock is called in us-east-1 whatever the app's region: that is where models are enabled. */
export const BEDROCK_REGION = "us-east-1";

export interface BedrockClientOptions {
  /** A Bedrock-compatible endpoint (the local stand-in); unset for the real service. */
  readonly endpoint?: string;
  /** Attempts per call, retries with exponential backoff and jitter on throttling (SDK standard mode). */
  readonly maxAttempts?: number;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createBedrockClient(options: BedrockClientOptions = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: BEDROCK_REGION,
    endpoint: options.endpoint,
    maxAttempts: options.maxAttempts ?? 5,
    retryMode: "standard",
    credentials: options.credentials,
  });
}

export interface ChatRequest {
  readonly model: ModelEntry;
  readonly systemPrompt?: string;
  /** The conversation so far, oldest first, ending with the new user turn. */
  readonly history: readonly Turn[];
  readonly maxTokens?: number;
  readonly guardrail?: { readonly id: string; readonly version: string };
  /** Aborting stops the upstream request; the result is then "stopped" with the text so far. */
  readonly signal?: AbortSignal;
  readonly onDelta?: (text: string) => void;
}

export interface ChatResult {
  readonly text: string;
  readonly status: "complete" | "stopped";
  readonly stopReason?: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** From the request to the last token. */
  readonly latencyMs: number;
  /** From the request to the first token. */
  readonly firstTokenMs?: number;
}

/** Bedrock's errors in words a user (and the operator) can act on. */
export function bedrockError(error: unknown, model: ModelEntry): Error {
  const name = (error as { name?: string } | undefined)?.name ?? "";
  const detail = error instanceof Error ? error.message : String(error);
  switch (name) {
    case "AccessDeniedException":
      return new DomainError(
        "model.not_enabled",
        "forbidden",
        `${model.name} (${model.id}) is not enabled for this AWS account. An administrator enables it in the Amazon Bedrock console in us-east-1, under Model access; then try again, or pick another model.`,
        [],
        { cause: error },
      );
    case "ThrottlingException":
    case "ServiceQuotaExceededException":
      return new RateLimitedError(`Amazon Bedrock is busy for ${model.name} right now (throttled after several retries). Try again in a minute, or pick another model.`, 60, "model.throttled");
    case "ValidationException":
      return new InvalidInputError(`Amazon Bedrock refused the request for ${model.name}: ${detail}`, [], "model.invalid_request");
    case "ResourceNotFoundException":
      return new NotFoundError(`Amazon Bedrock does not know the model ${model.id} in us-east-1. Check the model catalog (BEDROCK_MODELS).`, "model.not_found");
    case "ModelNotReadyException":
    case "ModelTimeoutException":
    case "ServiceUnavailableException":
    case "InternalServerException":
    case "ModelStreamErrorException":
      return new UnavailableError(`${model.name} did not answer (${name}). Try again in a moment.`, "model.unavailable", { cause: error });
    default:
      return new UnavailableError(`Amazon Bedrock could not be reached for ${model.name}: ${detail}. Try again in a moment.`, "model.unreachable", { cause: error });
  }
}

const isAbort = (error: unknown, signal?: AbortSignal) => Boolean(signal?.aborted) || (error as { name?: string })?.name === "AbortError";

/**
 * One streamed reply through ConverseStream: the history is trimmed to the model's context
 * window, each text delta goes to onDelta as it arrives, and the usage comes from the stream's
 * metadata event.
 */
export async function streamChat(client: BedrockRuntimeClient, request: ChatRequest): Promise<ChatResult> {
  const { model } = request;
  const maxTokens = request.maxTokens ?? Math.min(4096, Math.floor(model.contextWindow / 4));
  const turns = trimHistory(request.history, { contextWindow: model.contextWindow, systemPrompt: request.systemPrompt, reserveForReply: maxTokens });
  const messages: Message[] = turns.map((t) => ({ role: t.role, content: [{ text: t.text }] }));
  const system: SystemContentBlock[] | undefined = request.systemPrompt ? [{ text: request.systemPrompt }] : undefined;
  const started = performance.now();
  let text = "";
  let firstTokenMs: number | undefined;
  let stopReason: string | undefined;
  let usage = { inputTokens: 0, outputTokens: 0 };
  try {
    const response = await client.send(
      new ConverseStreamCommand({
        modelId: model.id,
        messages,
        system,
        inferenceConfig: { maxTokens },
        ...(request.guardrail ? { guardrailConfig: { guardrailIdentifier: request.guardrail.id, guardrailVersion: request.guardrail.version, streamProcessingMode: "sync" } } : {}),
      }),
      { abortSignal: request.signal },
    );
    for await (const event of response.stream ?? []) {
      // Leaving the loop closes the event stream, and with it the HTTP/2 stream to Bedrock.
      if (request.signal?.aborted) break;
      const delta = event.contentBlockDelta?.delta?.text;
      if (delta) {
        firstTokenMs ??= performance.now() - started;
        text += delta;
        request.onDelta?.(delta);
      }
      if (event.messageStop) stopReason = event.messageStop.stopReason;
      if (event.metadata?.usage) usage = { inputTokens: event.metadata.usage.inputTokens ?? 0, outputTokens: event.metadata.usage.outputTokens ?? 0 };
      const failure = event.internalServerException ?? event.modelStreamErrorException ?? event.validationException ?? event.throttlingException ?? event.serviceUnavailableException;
      if (failure) throw failure;
    }
  } catch (error) {
    if (!isAbort(error, request.signal)) throw bedrockError(error, model);
  }
  if (request.signal?.aborted) {
    // A stopped reply counts the output that was delivered (its text), never more: no metadata
    // arrives for it, and a count that did arrive may include tokens nobody was shown.
    const inputTokens = usage.inputTokens || estimateTokens([request.systemPrompt ?? "", ...turns.map((t) => t.text)].join(" "));
    const shown = estimateTokens(text);
    return { text, status: "stopped", inputTokens, outputTokens: usage.outputTokens ? Math.min(usage.outputTokens, shown) : shown, latencyMs: performance.now() - started, firstTokenMs };
  }
  return { text, status: "complete", stopReason, ...usage, latencyMs: performance.now() - started, firstTokenMs };
}
