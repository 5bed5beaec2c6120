import { DeleteAccountRequest, DeleteOrganisationRequest } from "@tandem/client/contract";
import { accountDeletionPreview, deleteOrganisation, deleteOwnAccount, organisationDeletionPreview } from "@tandem/core/deletion";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { actorOf, audited } from "../http/audit.js";
import { requireAuth, requireSession } from "../http/auth.js";
import { clearSessionCookies } from "../http/cookies.js";
import { currentOrganisation, organisationAccess } from "../http/organisation.js";
import { body } from "../http/validate.js";

/** Deleting an organisation (owners) and one's own account; each says first what it removes. */
export function deletionRoutes(deps: AppDeps): Router {
  const router = Router();
  const owner = organisationAccess(deps, "owner");
  const buckets = () => [deps.storage.knowledgeBucket, deps.storage.imagesBucket].filter((b): b is string => Boolean(b));

  router.get("/api/orgs/:orgId/deletion", owner, async (req, res) => {
    res.json(await organisationDeletionPreview(await deps.database(), currentOrganisation(req).id));
  });
  router.delete("/api/orgs/:orgId", owner, async (req, res) => {
    // A person in a browser session, never an API key: a script cannot delete an organisation.
    requireSession(req);
    const org = currentOrganisation(req);
    const input = body(req, DeleteOrganisationRequest);
    const removed = await audited(deps, req, { tenantId: org.id, actor: actorOf(req), action: "organisation.deleted", target: { type: "organisation", id: org.id } }, async () =>
      deleteOrganisation(await deps.database(), org.id, { userId: requireAuth(req).userId, role: org.role }, input, deps.events),
    );
    res.status(202).json(removed);
  });

  router.get("/api/me/deletion", async (req, res) => {
    res.json(await accountDeletionPreview(await deps.database(), requireSession(req).userId));
  });
  router.delete("/api/me", async (req, res) => {
    const auth = requireSession(req);
    const result = await deleteOwnAccount(await deps.database(), auth.userId, body(req, DeleteAccountRequest), { publisher: deps.events, storage: { s3: deps.storage.s3, buckets: buckets() } });
    clearSessionCookies(deps, res);
    res.json(result);
  });
  return router;
}
