import type { ControlPlaneScope } from "@tandem/core/control-plane";
import { addPriceVersion, listPriceVersions, reconcile, cancelUsage, createMeter, deleteMeter, fetchUsage, getMeter, ingestUsage, listMeters, updateMeter, UsageBatch } from "@tandem/core/metering";
import { InvalidInputError, parseInput } from "@tandem/core/errors";
import { Router, type RequestHandler } from "express";
import type { AppDeps } from "../deps.js";

/**
 * SBT-AWS's metering on the control plane's base path (core/metering): meters (tandem/meters) and
 * usage (tandem/usage). `allow` is the control plane's guard: a client token with the scope, or an
 * operator's session.
 */
export function meteringControlPlaneRoutes(deps: AppDeps, allow: (scope: ControlPlaneScope) => RequestHandler[]): Router {
  const router = Router();
  const base = "/control-plane";

  router.post(`${base}/meters`, ...allow("tandem/meters"), async (req, res) => {
    res.status(201).json({ data: await createMeter(await deps.database(), req.body) });
  });
  router.get(`${base}/meters`, ...allow("tandem/meters"), async (_req, res) => {
    res.json({ data: await listMeters(await deps.database()) });
  });
  router.get(`${base}/meters/:meterId`, ...allow("tandem/meters"), async (req, res) => {
    res.json({ data: await getMeter(await deps.database(), String(req.params.meterId)) });
  });
  router.put(`${base}/meters/:meterId`, ...allow("tandem/meters"), async (req, res) => {
    res.json({ data: await updateMeter(await deps.database(), String(req.params.meterId), req.body) });
  });
  router.delete(`${base}/meters/:meterId`, ...allow("tandem/meters"), async (req, res) => {
    await deleteMeter(await deps.database(), String(req.params.meterId));
    res.status(204).end();
  });

  // Usage: ingested here or from the bus (sbt_aws_ingestUsage); each event counted once by its key.
  router.post(`${base}/usage`, ...allow("tandem/usage"), async (req, res) => {
    const { events } = parseInput(UsageBatch, req.body, "usage events");
    const result = await ingestUsage(await deps.database(), events, "sbt");
    if (result.rejected.length === events.length) {
      throw new InvalidInputError("None of the usage events could be stored; each issue says why.", result.rejected.map((r) => ({ name: `events.${r.index}`, message: r.reason })));
    }
    res.json({ data: result });
  });
  router.get(`${base}/usage/:meterId`, ...allow("tandem/usage"), async (req, res) => {
    res.json({ data: await fetchUsage(await deps.database(), String(req.params.meterId), req.query) });
  });
  router.delete(`${base}/usage`, ...allow("tandem/usage"), async (req, res) => {
    res.json({ data: await cancelUsage(await deps.database(), req.query) });
  });
  // The price table (versions, never edited) and the reconciliation: tandem/billing.
  router.get(`${base}/prices`, ...allow("tandem/billing"), async (_req, res) => {
    res.json({ data: await listPriceVersions(await deps.database(), deps.ai.catalog) });
  });
  router.post(`${base}/prices`, ...allow("tandem/billing"), async (req, res) => {
    res.status(201).json({ data: await addPriceVersion(await deps.database(), deps.ai.catalog, req.body) });
  });
  router.get(`${base}/reconciliation`, ...allow("tandem/billing"), async (req, res) => {
    res.json({ data: await reconcile(await deps.database(), deps.ai.catalog, req.query) });
  });
  return router;
}
