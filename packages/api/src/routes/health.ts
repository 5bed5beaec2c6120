import { DATABASE_RETRY_AFTER_SECONDS, detectCapabilities, pingDatabase } from "@tandem/core/database";
import { probeStorage, type StorageProbe } from "@tandem/core/knowledge";
import type { HealthResponse } from "@tandem/client/contract";
import { Router } from "express";
import type { AppDeps } from "../deps.js";

export function healthRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get("/api/health", async (_req, res) => {
    const storage = async (): Promise<StorageProbe | { status: "not_configured"; latencyMs: number }> =>
      deps.storage.knowledgeBucket ? probeStorage(deps.storage.s3, deps.storage.knowledgeBucket) : { status: "not_configured", latencyMs: 0 };
    // Both at once, each with its own short deadline, so the probe answers within about 2 s.
    const [probe, storageProbe] = await Promise.all([pingDatabase(deps.database), storage()]);
    const engine = probe.status === "up" ? (await detectCapabilities(await deps.database())).engine : undefined;
    const body: HealthResponse = {
      status: probe.status === "up" && storageProbe.status !== "down" ? "ok" : "degraded",
      service: "tandem-api",
      version: deps.version,
      stage: deps.config.stage,
      time: new Date().toISOString(),
      checks: { database: { ...probe, ...(engine ? { engine } : {}) }, storage: storageProbe },
    };
    // Load balancers and uptime checks read the status code; people read the reason. Only the
    // database makes it 503: without storage the API still serves everything but files and images.
    if (probe.status !== "up") res.set("retry-after", String(DATABASE_RETRY_AFTER_SECONDS));
    res.status(probe.status === "up" ? 200 : 503).set("cache-control", "no-store").json(body);
  });
  return router;
}
