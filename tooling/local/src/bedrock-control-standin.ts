import { sendJson, serveOnLoopback, type StandInServer } from "./standin-http.js";

/**
 * A stand-in for Amazon Bedrock's control API (the `bedrock` endpoint, not `bedrock-runtime`):
 * ListFoundationModels, ListInferenceProfiles and GetFoundationModelAvailability in the real REST
 * wire format, so the real `@aws-sdk/client-bedrock` is exercised. moto does not serve these. It
 * knows no models of its own: the test says what the "account" offers and which are enabled.
 */
export interface StandInFoundationModel {
  readonly modelId: string;
  readonly modelName: string;
  readonly providerName: string;
  readonly outputModalities: readonly ("TEXT" | "IMAGE" | "EMBEDDING")[];
  readonly inferenceTypes: readonly ("ON_DEMAND" | "INFERENCE_PROFILE" | "PROVISIONED")[];
  readonly legacy?: boolean;
}
export interface StandInInferenceProfile {
  readonly id: string;
  readonly name: string;
  readonly modelIds: readonly string[];
}
export interface BedrockControlStandInOptions {
  readonly models: readonly StandInFoundationModel[];
  readonly profiles?: readonly StandInInferenceProfile[];
  /** Model ids whose access is granted in this "account"; the rest answer NOT_AUTHORIZED. */
  readonly enabled: readonly string[];
  /** Inference profiles per page (tests the SDK's paging). */
  readonly pageSize?: number;
}
/** Its `requests` are each request's method and path. */
export type BedrockControlStandIn = StandInServer;

const REGION = "us-east-1";
const ACCOUNT = "000000000000";

export function startBedrockControlStandIn(options: BedrockControlStandInOptions): Promise<BedrockControlStandIn> {
  const enabled = new Set(options.enabled);
  const json = (res: Parameters<typeof sendJson>[0], status: number, body: unknown, errorType?: string) => sendJson(res, status, body, { errorType });
  return serveOnLoopback((req, res, requests) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    requests.push(`${req.method} ${url.pathname}`);
    if (req.method !== "GET") return json(res, 404, { message: `The stand-in does not implement ${req.method} ${url.pathname}.` }, "UnknownOperationException");
    if (url.pathname === "/foundation-models") {
      const modality = url.searchParams.get("byOutputModality");
      const models = options.models.filter((m) => !modality || m.outputModalities.includes(modality as never));
      return json(res, 200, {
        modelSummaries: models.map((m) => ({
          modelArn: `arn:aws:bedrock:${REGION}::foundation-model/${m.modelId}`,
          modelId: m.modelId,
          modelName: m.modelName,
          providerName: m.providerName,
          inputModalities: ["TEXT"],
          outputModalities: m.outputModalities,
          responseStreamingSupported: m.outputModalities.includes("TEXT"),
          customizationsSupported: [],
          inferenceTypesSupported: m.inferenceTypes,
          modelLifecycle: { status: m.legacy ? "LEGACY" : "ACTIVE" },
        })),
      });
    }
    if (url.pathname === "/inference-profiles") {
      const size = options.pageSize ?? 100;
      const start = Number(url.searchParams.get("nextToken") ?? 0);
      const page = (options.profiles ?? []).slice(start, start + size);
      const next = start + size < (options.profiles ?? []).length ? String(start + size) : undefined;
      return json(res, 200, {
        inferenceProfileSummaries: page.map((p) => ({
          inferenceProfileName: p.name,
          inferenceProfileId: p.id,
          inferenceProfileArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/${p.id}`,
          models: p.modelIds.map((id) => ({ modelArn: `arn:aws:bedrock:${REGION}::foundation-model/${id}` })),
          status: "ACTIVE",
          type: "SYSTEM_DEFINED",
          createdAt: "2025-01-01T00:00:00Z",
          updatedAt: "2025-01-01T00:00:00Z",
        })),
        ...(next ? { nextToken: next } : {}),
      });
    }
    const availability = /^\/foundation-model-availability\/(.+)$/.exec(url.pathname);
    if (availability) {
      const modelId = decodeURIComponent(availability[1]!);
      if (!options.models.some((m) => m.modelId === modelId)) return json(res, 404, { message: `Model ${modelId} is not found.` }, "ResourceNotFoundException");
      const on = enabled.has(modelId);
      return json(res, 200, {
        modelId,
        agreementAvailability: { status: on ? "AVAILABLE" : "NOT_AVAILABLE" },
        authorizationStatus: on ? "AUTHORIZED" : "NOT_AUTHORIZED",
        entitlementAvailability: on ? "AVAILABLE" : "NOT_AVAILABLE",
        regionAvailability: "AVAILABLE",
      });
    }
    return json(res, 404, { message: `The stand-in does not implement GET ${url.pathname}.` }, "UnknownOperationException");
  });
}
