import { CreateGroupRequest, RenameGroupRequest } from "@tandem/client/contract";
import { addGroupMember, createGroup, deleteGroup, listGroups, removeGroupMember, renameGroup, type GroupView } from "@tandem/core/groups";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { actorOf, audited } from "../http/audit.js";
import { requireAuth } from "../http/auth.js";
import { currentOrganisation, organisationAccess } from "../http/organisation.js";
import { body } from "../http/validate.js";

/**
 * Groups of an organisation's members (packages/core/src/groups): every member lists them and
 * sees which they are in; admins and owners create, rename and delete them and put members in and
 * out. Every change is audited.
 */
export function groupRoutes(deps: AppDeps): Router {
  const router = Router();
  const member = organisationAccess(deps, "member");
  const admin = organisationAccess(deps, "admin");
  const view = (g: GroupView) => ({ id: g.id, name: g.name, memberIds: g.memberIds, mine: g.mine, createdAt: g.createdAt.toISOString() });

  router.get("/api/orgs/:orgId/groups", member, async (req, res) => {
    res.json({ groups: (await listGroups(await deps.database(), currentOrganisation(req).id, requireAuth(req).userId)).map(view) });
  });

  router.post("/api/orgs/:orgId/groups", admin, async (req, res) => {
    const orgId = currentOrganisation(req).id;
    const input = body(req, CreateGroupRequest);
    const group = await audited(deps, req, { tenantId: orgId, actor: actorOf(req), action: "group.created", details: { name: input.name } }, async () => createGroup(await deps.database(), orgId, requireAuth(req).userId, input), (g) => ({ target: { type: "group", id: g.id } }));
    res.status(201).json({ group: view(group) });
  });

  router.patch("/api/orgs/:orgId/groups/:groupId", admin, async (req, res) => {
    const orgId = currentOrganisation(req).id;
    const groupId = String(req.params.groupId);
    const input = body(req, RenameGroupRequest);
    const group = await audited(deps, req, { tenantId: orgId, actor: actorOf(req), action: "group.renamed", target: { type: "group", id: groupId.slice(0, 24) }, details: { name: input.name } }, async () => renameGroup(await deps.database(), orgId, requireAuth(req).userId, groupId, input));
    res.json({ group: view(group) });
  });

  router.delete("/api/orgs/:orgId/groups/:groupId", admin, async (req, res) => {
    const orgId = currentOrganisation(req).id;
    const groupId = String(req.params.groupId);
    await audited(deps, req, { tenantId: orgId, actor: actorOf(req), action: "group.deleted", target: { type: "group", id: groupId.slice(0, 24) } }, async () => deleteGroup(await deps.database(), orgId, groupId));
    res.status(204).end();
  });

  router.put("/api/orgs/:orgId/groups/:groupId/members/:userId", admin, async (req, res) => {
    const orgId = currentOrganisation(req).id;
    const groupId = String(req.params.groupId);
    const userId = String(req.params.userId);
    const group = await audited(deps, req, { tenantId: orgId, actor: actorOf(req), action: "group.member_added", target: { type: "group", id: groupId.slice(0, 24) }, details: { userId: userId.slice(0, 24) } }, async () =>
      addGroupMember(await deps.database(), orgId, requireAuth(req).userId, groupId, userId),
    );
    res.json({ group: view(group) });
  });

  router.delete("/api/orgs/:orgId/groups/:groupId/members/:userId", admin, async (req, res) => {
    const orgId = currentOrganisation(req).id;
    const groupId = String(req.params.groupId);
    const userId = String(req.params.userId);
    await audited(deps, req, { tenantId: orgId, actor: actorOf(req), action: "group.member_removed", target: { type: "group", id: groupId.slice(0, 24) }, details: { userId: userId.slice(0, 24) } }, async () => removeGroupMember(await deps.database(), orgId, groupId, userId));
    res.status(204).end();
  });
  return router;
}
