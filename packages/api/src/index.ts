export { createApp } from "./app.js";
export { createDeps } from "./context.js";
export { createLogger, REDACT_PATHS } from "./logger.js";
export { buildOpenApiDocument } from "./openapi.js";
export { startServer } from "./server.js";
export type { AppDeps } from "./deps.js";
export { startLocalLiveServer, type LocalLiveServer } from "./live/local-gateway.js";
export { notebookAccess } from "./live/context.js";
