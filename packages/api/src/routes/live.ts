import { issueLiveTicket } from "@tandem/core/live";
import { NotFoundError } from "@tandem/core/errors";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { requireAuth } from "../http/auth.js";
import { currentOrganisation, organisationAccess } from "../http/organisation.js";

/**
 * Live updates: a member asks for a ticket (a minute, one connection) and opens the WebSocket with
 * it. The ticket names the person and this organisation; the connection sees nothing else.
 */
export function liveRoutes(deps: AppDeps): Router {
  const router = Router();
  const member = organisationAccess(deps, "member");
  router.post("/api/orgs/:orgId/live/ticket", member, (req, res) => {
    // A server without live updates (no LIVE_URL) is not broken: pages read again when they are used.
    if (!deps.liveUrl) throw new NotFoundError("Live updates are not set up on this server (no LIVE_URL); reload the page to see changes made elsewhere.", "live.unavailable");
    const { ticket, expiresAt } = issueLiveTicket(deps.config.sessionSecret, { userId: requireAuth(req).userId, tenantId: currentOrganisation(req).id });
    res.setHeader("cache-control", "no-store");
    res.json({ url: deps.liveUrl, ticket, expiresAt: expiresAt.toISOString() });
  });
  return router;
}
