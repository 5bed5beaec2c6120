import { once } from "node:events";
import { AuditExportQuery, AuditQuery, OperatorAuditQuery, type OperatorAuditPage } from "@tandem/client/contract";
import { exportAudit, listAudit, type AuditFilter } from "@tandem/core/audit";
import type { ControlPlaneScope } from "@tandem/core/control-plane";
import { InvalidInputError } from "@tandem/core/errors";
import { Router, type Request, type RequestHandler, type Response } from "express";
import type { AppDeps } from "../deps.js";
import { currentOrganisation, organisationAccess } from "../http/organisation.js";
import { query } from "../http/validate.js";

/** The query's filters as the log's; `from` after `to` is refused rather than answered empty. */
function filterOf(q: AuditExportQuery & { tenantId?: string }): AuditFilter {
  const from = q.from ? new Date(q.from) : undefined;
  const to = q.to ? new Date(q.to) : undefined;
  if ((from && Number.isNaN(from.getTime())) || (to && Number.isNaN(to.getTime()))) {
    throw new InvalidInputError("Give from and to as ISO 8601 times such as 2025-01-31T09:00:00Z.", [{ name: "query.from", message: "not a time" }]);
  }
  if (from && to && from > to) throw new InvalidInputError("from is after to: give the earlier time as from.", [{ name: "query.from", message: "after to" }]);
  return {
    ...(q.tenantId ? { tenantId: q.tenantId } : {}),
    ...(q.action ? { action: q.action } : {}),
    ...(q.actor ? { actorId: q.actor } : {}),
    ...(q.outcome ? { outcome: q.outcome } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

/**
 * Streams the matching entries as JSON lines. The first entry is read before the headers go out,
 * so a database that is away still answers 503 as a problem; an error later ends the stream.
 */
async function sendExport(deps: AppDeps, req: Request, res: Response, filter: AuditFilter, name: string): Promise<void> {
  const lines = exportAudit(await deps.database(), filter);
  const first = await lines.next();
  res.status(200).set({
    "content-type": "application/x-ndjson; charset=utf-8",
    "content-disposition": `attachment; filename="${name}-audit-${new Date().toISOString().slice(0, 10)}.jsonl"`,
    "cache-control": "no-store",
  });
  try {
    for (let item = first; !item.done; item = await lines.next()) {
      if (res.destroyed) break;
      if (!res.write(item.value)) await once(res, "drain");
    }
    res.end();
  } catch (error) {
    req.log.error({ err: error }, "audit export cut short");
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    await lines.return(undefined);
  }
}

/**
 * An organisation's own audit log, for its owners and admins: GET /api/orgs/:orgId/audit (a page,
 * newest first) and /audit/export (every matching entry, JSON lines). Members get 403, outsiders
 * 404 (organisationAccess); the chain is always the organisation's own, whatever the query says.
 */
export function auditRoutes(deps: AppDeps): Router {
  const router = Router();
  const admin = organisationAccess(deps, "admin");

  router.get("/api/orgs/:orgId/audit", admin, async (req, res) => {
    const q = query(req, AuditQuery);
    const page = await listAudit(await deps.database(), { ...filterOf(q), tenantId: currentOrganisation(req).id }, { cursor: q.cursor, limit: q.limit });
    res.set("cache-control", "no-store").json(page);
  });

  router.get("/api/orgs/:orgId/audit/export", admin, async (req, res) => {
    const q = query(req, AuditExportQuery);
    const org = currentOrganisation(req);
    await sendExport(deps, req, res, { ...filterOf(q), tenantId: org.id }, org.slug);
  });
  return router;
}

/**
 * Every chain's log, for operators: GET /control-plane/audit (?tenantId= for one chain, "system"
 * for the installation's own; answered as the control plane answers lists, { data, next_start_key })
 * and /control-plane/audit/export. `allow` is the control plane's
 * guard (a client token with the scope, or an operator's session).
 */
export function auditControlPlaneRoutes(deps: AppDeps, allow: (scope: ControlPlaneScope) => RequestHandler[]): Router {
  const router = Router();
  router.get("/control-plane/audit", ...allow("tandem/audit"), async (req, res) => {
    const q = query(req, OperatorAuditQuery);
    const page = await listAudit(await deps.database(), filterOf(q), { cursor: q.start_key ?? q.cursor, limit: q.limit });
    res.set("cache-control", "no-store").json({ data: page.entries, ...(page.nextCursor ? { next_start_key: page.nextCursor } : {}) } satisfies OperatorAuditPage);
  });
  router.get("/control-plane/audit/export", ...allow("tandem/audit"), async (req, res) => {
    const q = query(req, OperatorAuditQuery.omit({ cursor: true, limit: true, start_key: true }));
    await sendExport(deps, req, res, filterOf(q), q.tenantId ?? "all");
  });
  return router;
}
