import { ShareRequest } from "@tandem/client/contract";
import { notifyNotebook } from "@tandem/core/live";
import { getNotebook, type Owner } from "@tandem/core/notebooks";
import { listShares, revokeShare, sharedWithMe, shareNotebook } from "@tandem/core/sharing";
import { Router, type Request } from "express";
import type { AppDeps } from "../deps.js";
import { actorOf, audited } from "../http/audit.js";
import { notebookOwner, organisationAccess } from "../http/organisation.js";
import { body } from "../http/validate.js";

/**
 * Sharing a notebook with a member or a group of its organisation, to read or to edit (its owner
 * only), and the notebooks shared with the person asking. Every share and revocation is audited.
 */
export function sharingRoutes(deps: AppDeps): Router {
  const router = Router();
  const member = organisationAccess(deps, "member");
  const path = "/api/orgs/:orgId/notebooks/:notebookId/shares";
  const ownerOf = async (req: Request): Promise<{ who: Owner; notebookId: string }> => {
    const who = notebookOwner(req);
    const notebookId = String(req.params.notebookId);
    await getNotebook(await deps.database(), who, notebookId, "owner");
    return { who, notebookId };
  };

  router.get(path, member, async (req, res) => {
    const { who, notebookId } = await ownerOf(req);
    res.json({ shares: await listShares(await deps.database(), who.tenantId, notebookId) });
  });

  router.put(path, member, async (req, res) => {
    const { who, notebookId } = await ownerOf(req);
    const input = body(req, ShareRequest);
    const share = await audited(
      deps,
      req,
      { tenantId: who.tenantId, actor: actorOf(req), action: "notebook.shared", target: { type: "notebook", id: notebookId }, details: { kind: input.kind, targetId: input.targetId, permission: input.permission } },
      async () => shareNotebook(await deps.database(), who, notebookId, input),
    );
    // The sharee's list gains it (their views hear of it once they may read it).
    await notifyNotebook(await deps.database(), who, notebookId, "notebook.changed", { shared: true });
    res.json({ share });
  });

  router.delete(`${path}/:shareId`, member, async (req, res) => {
    const { who, notebookId } = await ownerOf(req);
    const shareId = String(req.params.shareId);
    await audited(deps, req, { tenantId: who.tenantId, actor: actorOf(req), action: "notebook.unshared", target: { type: "notebook", id: notebookId }, details: { shareId } }, async () =>
      revokeShare(await deps.database(), who.tenantId, notebookId, shareId),
    );
    await notifyNotebook(await deps.database(), who, notebookId, "notebook.changed", { shared: false });
    res.status(204).end();
  });

  router.get("/api/orgs/:orgId/shared-notebooks", member, async (req, res) => {
    res.json({ notebooks: await sharedWithMe(await deps.database(), notebookOwner(req)) });
  });
  return router;
}
