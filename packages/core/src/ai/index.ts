export { DEFAULT_MODELS, LOCAL_TEST_MODEL, LOCAL_EMBEDDING_MODEL, LOCAL_IMAGE_MODEL, MODEL_CAPABILITIES, ModelCatalogJson, ModelEntry, costOf, modelCatalog, standInCatalog, STAND_IN_REASON, type ModelCatalog } from "./catalog.js";
export { estimateTokens, trimHistory, type Turn } from "./context-window.js";
export { BEDROCK_REGION, bedrockError, createBedrockClient, streamChat, type BedrockClientOptions, type ChatRequest, type ChatResult } from "./bedrock.js";
export { accessProblem, createBedrockControlClient, discoverAccountModels, foundationModelAccess, foundationModelId, type AccountModel, type AccountModels, type ModelAccess, type BedrockClient } from "./discovery.js";
