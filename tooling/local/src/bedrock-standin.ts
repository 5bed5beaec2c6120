import { createServer, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from "node:http2";
import { crc32, deflateSync } from "node:zlib";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

/**
 * A local stand-in for Amazon Bedrock Runtime, for tests and for `pnpm dev` without AWS. It speaks
 * the real wire format (HTTP/2, as the SDK's default handler does, REST-JSON, and the
 * application/vnd.amazon.eventstream framing of ConverseStream), so the real
 * @aws-sdk/client-bedrock-runtime with its default configuration is what talks to it. Its replies are
 * deterministic and it is listed in the app as a local test model, never as a real one.
 */
export const LOCAL_MODEL_ID = "tandem.local-echo-v1";

export interface BedrockStandInOptions {
  /** Pause between streamed tokens (default 2 ms); tests of "stop" raise it. */
  readonly tokenDelayMs?: number;
  /** Time an embedding call takes (default 0), for benchmarks of ingestion at a real model's pace. */
  readonly embeddingDelayMs?: number;
  /** Model ids answered with AccessDeniedException, as a model not enabled in the console. */
  readonly deniedModels?: readonly string[];
  readonly port?: number;
  /** Called as each streamed token is written (index from 0, performance.now()), for benchmarks. */
  readonly onTokenSent?: (index: number, at: number) => void;
}

export interface BedrockStandIn {
  readonly url: string;
  /** Every request, in order: operation and model id. */
  /** Each request; a conversation's with the text of its turns, in order. */
  readonly requests: Array<{ operation: "converse" | "converse-stream" | "invoke"; modelId: string; guardrail?: string; turns?: string[]; system?: string }>;
  /** How many streams the client closed before their end. */
  readonly cancelledStreams: () => number;
  /** The next `count` requests are answered with ThrottlingException (HTTP 429). */
  throttleNext(count: number): void;
  close(): Promise<void>;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

type Block = { text?: string };
type Message = { role: string; content?: Block[] };
interface ConverseBody {
  messages?: Message[];
  system?: Block[];
  inferenceConfig?: { maxTokens?: number };
}

/** Roughly 4 characters a token, as Bedrock's own estimates for English. */
const estimateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/**
 * The reply: "stream N tokens" gives N numbered tokens (for benchmarks); otherwise the reply
 * repeats the question and says which documents the system prompt gave it.
 */
/**
 * A deterministic embedding for the stand-in's embedding model: hashed word counts in 256
 * dimensions, normalised. Texts that share words are close, which is enough to test retrieval.
 */
export function standInEmbedding(text: string, dimensions = 256): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []) {
    let hash = 2166136261;
    for (const c of word) hash = Math.imul(hash ^ c.charCodeAt(0), 16777619);
    vector[(hash >>> 0) % dimensions]! += 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((v) => v / norm);
}

/** A small PNG whose colours come from the prompt: a real image, deterministic, made here. */
export function standInImage(prompt: string, size = 64): Buffer {
  let seed = 0;
  for (const c of prompt) seed = (seed * 31 + c.charCodeAt(0)) >>> 0;
  const [r, g, b] = [seed & 255, (seed >> 8) & 255, (seed >> 16) & 255];
  const rows = Buffer.alloc(size * (size * 3 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 3 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const o = y * (size * 3 + 1) + 1 + x * 3;
      rows[o] = (r + x * 3) & 255;
      rows[o + 1] = (g + y * 3) & 255;
      rows[o + 2] = b;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

export function standInReply(body: ConverseBody): string[] {
  const last = [...(body.messages ?? [])].reverse().find((m) => m.role === "user");
  const question = (last?.content ?? []).map((b) => b.text ?? "").join(" ").trim();
  const count = /^stream (\d+) tokens/i.exec(question);
  if (count) return Array.from({ length: Number(count[1]) }, (_, i) => `t${i + 1} `);
  const system = (body.system ?? []).map((b) => b.text ?? "").join("\n");
  // Asked to name a conversation (notebooks/title.ts): the question's first words, as a title.
  if (/^Name the conversation/.test(system)) {
    const asked = (/Question:\s*([^\n]*)/.exec(question)?.[1] ?? question).replace(/[^\p{L}\p{N}\s'-]/gu, " ").split(/\s+/).filter(Boolean).slice(0, 5);
    return [`"${asked.map((w, i) => (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w)).join(" ")}"`];
  }
  const sources = [...system.matchAll(/\[(\d+)\]/g)].map((m) => m[1]);
  const cite = sources.length ? ` According to the documents, the answer is in passage [${sources[0]}].` : "";
  const asked = /[.?!]$/.test(question) ? question : `${question}.`;
  const words = `You asked: ${asked}${cite} This reply comes from the local test model.`.split(/(?<= )/);
  return words;
}

function readBody(req: Http2ServerRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function error(res: Http2ServerResponse, status: number, type: string, message: string) {
  res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, "x-amzn-requestid": "standin" });
  res.end(JSON.stringify({ message }));
}

function event(type: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: "event" },
      ":event-type": { type: "string", value: type },
      ":content-type": { type: "string", value: "application/json" },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

export async function startBedrockStandIn(options: BedrockStandInOptions = {}): Promise<BedrockStandIn> {
  const requests: BedrockStandIn["requests"] = [];
  const denied = new Set(options.deniedModels ?? []);
  let throttle = 0;
  let cancelled = 0;
  const delay = options.tokenDelayMs ?? 2;

  const sessions = new Set<Http2Session>();
  // HTTP/2 without TLS (prior knowledge), which the SDK's handler speaks to an http:// endpoint.
  const server = createServer((req, res) => {
    void (async () => {
      const match = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/.exec(req.url ?? "");
      if (req.method !== "POST" || !match) return error(res, 404, "UnknownOperationException", `The stand-in does not implement ${req.method} ${req.url}.`);
      const modelId = decodeURIComponent(match[1]!);
      if (match[2] === "invoke") {
        requests.push({ operation: "invoke", modelId });
        const input = JSON.parse((await readBody(req)) || "{}") as { inputText?: string; dimensions?: number; taskType?: string; textToImageParams?: { text?: string } };
        if (denied.has(modelId)) return error(res, 403, "AccessDeniedException", "You don't have access to the model with the specified model ID.");
        if (input.taskType === "TEXT_IMAGE") {
          // Nova Canvas / Titan Image's request and response shape.
          if (!input.textToImageParams?.text) return error(res, 400, "ValidationException", "textToImageParams.text is required.");
          res.writeHead(200, { "content-type": "application/json" });
          return res.end(JSON.stringify({ images: [standInImage(input.textToImageParams.text).toString("base64")] }));
        }
        // Titan Text Embeddings v2's request and response shape.
        if (!input.inputText) return error(res, 400, "ValidationException", "inputText is required.");
        if (options.embeddingDelayMs) await new Promise((r) => setTimeout(r, options.embeddingDelayMs));
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ embedding: standInEmbedding(input.inputText, input.dimensions ?? 256), inputTextTokenCount: estimateTokens(input.inputText) }));
      }
      const operation = match[2] as "converse" | "converse-stream";
      const body = JSON.parse((await readBody(req)) || "{}") as ConverseBody & { guardrailConfig?: { guardrailIdentifier?: string; guardrailVersion?: string } };
      const guardrail = body.guardrailConfig ? `${body.guardrailConfig.guardrailIdentifier}:${body.guardrailConfig.guardrailVersion}` : undefined;
      const turns = (body.messages ?? []).map((m) => (m.content ?? []).map((b) => b.text ?? "").join(" "));
      const system = (body.system ?? []).map((b) => b.text ?? "").join("\n");
      requests.push({ operation, modelId, ...(guardrail ? { guardrail } : {}), turns, ...(system ? { system } : {}) });
      if (throttle > 0) {
        throttle--;
        return error(res, 429, "ThrottlingException", "Too many requests, please wait before trying again.");
      }
      if (denied.has(modelId)) return error(res, 403, "AccessDeniedException", "You don't have access to the model with the specified model ID.");
      if (!body.messages?.length) return error(res, 400, "ValidationException", "A conversation must start with a user message.");

      const started = Date.now();
      const inputText = [...(body.system ?? []), ...body.messages.flatMap((m) => m.content ?? [])].map((b) => b.text ?? "").join(" ");
      let tokens = standInReply(body);
      const maxTokens = body.inferenceConfig?.maxTokens;
      const truncated = maxTokens !== undefined && tokens.length > maxTokens;
      if (truncated) tokens = tokens.slice(0, maxTokens);
      const usage = { inputTokens: estimateTokens(inputText), outputTokens: tokens.length, totalTokens: estimateTokens(inputText) + tokens.length };
      const stopReason = truncated ? "max_tokens" : "end_turn";

      if (operation === "converse") {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ output: { message: { role: "assistant", content: [{ text: tokens.join("") }] } }, stopReason, usage, metrics: { latencyMs: Date.now() - started } }));
      }

      res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": "standin" });
      let closed = false;
      let finished = false;
      res.on("close", () => {
        if (!finished) {
          closed = true;
          cancelled++;
        }
      });
      res.write(event("messageStart", { role: "assistant" }));
      for (const [index, text] of tokens.entries()) {
        if (closed) return;
        res.write(event("contentBlockDelta", { contentBlockIndex: 0, delta: { text } }));
        options.onTokenSent?.(index, performance.now());
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      }
      res.write(event("contentBlockStop", { contentBlockIndex: 0 }));
      res.write(event("messageStop", { stopReason }));
      finished = true;
      res.end(event("metadata", { usage, metrics: { latencyMs: Date.now() - started } }));
    })().catch((e: unknown) => {
      if (!res.headersSent) error(res, 500, "InternalServerException", String(e));
      else res.stream.close();
    });
  });
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    cancelledStreams: () => cancelled,
    throttleNext(count) {
      throttle += count;
    },
    close: () =>
      new Promise((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
