import { detectCapabilities, pingDatabase } from "@tandem/core/database";
import type { HealthResponse } from "@tandem/client/contract";
import { Router } from "express";
import type { AppDeps } from "../deps.js";

export function healthRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get("/api/health", async (_req, res) => {
    const probe = await pingDatabase(deps.database);
    const engine = probe.status === "up" ? (await detectCapabilities(await deps.database())).engine : undefined;
    const body: HealthResponse = {
      status: probe.status === "up" ? "ok" : "degraded",
      service: "tandem-api",
      version: deps.version,
      stage: deps.config.stage,
      time: new Date().toISOString(),
      checks: { database: { ...probe, ...(engine ? { engine } : {}) } },
    };
    // Load balancers and uptime checks read the status code; people read the reason.
    res.status(probe.status === "up" ? 200 : 503).set("cache-control", "no-store").json(body);
  });
  return router;
}
