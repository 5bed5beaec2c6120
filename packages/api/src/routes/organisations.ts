import { CreateApiKeyRequest, CreateOrganisationRequest, InviteRequest, RenameOrganisationRequest, RoleRequest, TokenRequest } from "@tandem/client/contract";
import { createApiKey, getAccount, listApiKeys, revokeApiKey, revokeApiKeysOf, setCurrentTenant } from "@tandem/core/identity";
import { isDatabaseUnavailable } from "@tandem/core/database";
import { inviteMail } from "@tandem/core/mail";
import {
  acceptInvite,
  changeRole,
  createInvite,
  createOrganisation,
  INVITE_TTL_MS,
  listInvites,
  listMembers,
  listOrganisations,
  previewInvite,
  removeMember,
  renameOrganisation,
  revokeInvite,
} from "@tandem/core/tenants";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { actorOf, audit, audited, errorCode, outcomeOf } from "../http/audit.js";
import { requireAuth, requireSession } from "../http/auth.js";
import { currentOrganisation, organisationAccess } from "../http/organisation.js";
import { sendReported, tokenLink } from "../http/mail.js";
import { body } from "../http/validate.js";

/**
 * Organisations (tenants), their members, invitations and the caller's API keys. Every
 * /api/orgs/:orgId route goes through organisationAccess, which checks membership and role.
 */
export function organisationRoutes(deps: AppDeps): Router {
  const router = Router();
  const member = organisationAccess(deps, "member");
  const admin = organisationAccess(deps, "admin");
  const actor = (req: Parameters<typeof requireAuth>[0]) => ({ userId: requireAuth(req).userId, role: currentOrganisation(req).role });

  router.get("/api/orgs", async (req, res) => {
    const auth = requireAuth(req);
    const organisations = await listOrganisations(await deps.database(), auth.userId);
    res.json({ organisations: auth.apiKey ? organisations.filter((o) => o.id === auth.apiKey!.tenantId) : organisations });
  });

  router.post("/api/orgs", async (req, res) => {
    const auth = requireSession(req);
    const database = await deps.database();
    const organisation = await createOrganisation(database, auth.userId, body(req, CreateOrganisationRequest));
    await setCurrentTenant(database, auth.userId, organisation.id);
    res.status(201).json({ organisation });
  });

  router.get("/api/orgs/:orgId", member, (req, res) => {
    const { id, slug, name, role } = currentOrganisation(req);
    res.json({ organisation: { id, slug, name, role } });
  });

  router.patch("/api/orgs/:orgId", admin, async (req, res) => {
    const org = currentOrganisation(req);
    const { name } = body(req, RenameOrganisationRequest);
    await audited(deps, req, { tenantId: org.id, actor: actorOf(req), action: "organisation.renamed", target: { type: "organisation", id: org.id } }, async () => renameOrganisation(await deps.database(), org.id, name));
    res.json({ organisation: { id: org.id, slug: org.slug, name: name.trim(), role: org.role } });
  });

  router.get("/api/orgs/:orgId/members", member, async (req, res) => {
    res.json({ members: await listMembers(await deps.database(), currentOrganisation(req).id) });
  });

  router.patch("/api/orgs/:orgId/members/:userId", admin, async (req, res) => {
    const orgId = currentOrganisation(req).id;
    const userId = String(req.params.userId);
    const { role } = body(req, RoleRequest);
    const member = await audited(deps, req, { tenantId: orgId, actor: actorOf(req), action: "membership.role_changed", target: { type: "user", id: userId.slice(0, 24) }, details: { role } }, async () => changeRole(await deps.database(), orgId, actor(req), userId, { role }));
    res.json({ member });
  });

  router.delete("/api/orgs/:orgId/members/:userId", member, async (req, res) => {
    const database = await deps.database();
    const orgId = currentOrganisation(req).id;
    const userId = String(req.params.userId);
    const self = requireAuth(req).userId === userId;
    await audited(deps, req, { tenantId: orgId, actor: actorOf(req), action: "membership.removed", target: { type: "user", id: userId.slice(0, 24) }, details: { left: self } }, () => removeMember(database, orgId, actor(req), userId, () => revokeApiKeysOf(database, orgId, userId)));
    res.status(204).end();
  });

  router.get("/api/orgs/:orgId/invites", admin, async (req, res) => {
    res.json({ invites: await listInvites(await deps.database(), currentOrganisation(req).id) });
  });

  router.post("/api/orgs/:orgId/invites", admin, async (req, res) => {
    const org = currentOrganisation(req);
    const database = await deps.database();
    const { invite, token } = await audited(deps, req, { tenantId: org.id, actor: actorOf(req), action: "invite.created" }, () => createInvite(database, org.id, actor(req), body(req, InviteRequest)), ({ invite }) => ({ target: { type: "invite", id: invite.id }, details: { email: invite.email, role: invite.role } }));
    const inviter = await getAccount(database, requireAuth(req).userId);
    const mail = inviteMail({ to: invite.email, inviterName: inviter.name, organisation: org.name, url: tokenLink(deps, "/invites/accept", token), expiresInDays: INVITE_TTL_MS / 86_400_000 });
    const mailSent = await sendReported(deps, req, mail, { inviteId: invite.id, mail: "invitation" });
    res.status(201).json({ invite, mailSent });
  });

  router.delete("/api/orgs/:orgId/invites/:inviteId", admin, async (req, res) => {
    const orgId = currentOrganisation(req).id;
    const inviteId = String(req.params.inviteId);
    await audited(deps, req, { tenantId: orgId, actor: actorOf(req), action: "invite.revoked", target: { type: "invite", id: inviteId.slice(0, 24) } }, async () => revokeInvite(await deps.database(), orgId, inviteId));
    res.status(204).end();
  });

  router.get("/api/orgs/:orgId/api-keys", member, async (req, res) => {
    res.json({ apiKeys: await listApiKeys(await deps.database(), currentOrganisation(req).id, requireAuth(req).userId) });
  });

  router.post("/api/orgs/:orgId/api-keys", member, async (req, res) => {
    // A key cannot mint keys: only a signed-in person can.
    const auth = requireSession(req);
    const orgId = currentOrganisation(req).id;
    // The secret is returned to the caller once and never recorded: the entry names the key by its id.
    const { key, secret } = await audited(deps, req, { tenantId: orgId, actor: actorOf(req), action: "api_key.created" }, async () => createApiKey(await deps.database(), orgId, auth.userId, body(req, CreateApiKeyRequest)), ({ key }) => ({ target: { type: "api_key", id: key.id }, details: { name: key.name, scopes: key.scopes.join(" ") } }));
    res.status(201).json({ apiKey: key, secret });
  });

  router.delete("/api/orgs/:orgId/api-keys/:keyId", member, async (req, res) => {
    const orgId = currentOrganisation(req).id;
    const keyId = String(req.params.keyId);
    await audited(deps, req, { tenantId: orgId, actor: actorOf(req), action: "api_key.revoked", target: { type: "api_key", id: keyId.slice(0, 24) } }, async () => revokeApiKey(await deps.database(), orgId, requireAuth(req).userId, keyId));
    res.status(204).end();
  });

  router.post("/api/invites/preview", async (req, res) => {
    res.json({ invite: await previewInvite(await deps.database(), body(req, TokenRequest).token) });
  });

  router.post("/api/invites/accept", async (req, res) => {
    const auth = requireSession(req);
    const database = await deps.database();
    let organisation;
    try {
      organisation = await acceptInvite(database, body(req, TokenRequest).token, auth.userId);
    } catch (error) {
      // Which organisation a refused link was for is not known (or not to be said): the system chain.
      if (!isDatabaseUnavailable(error)) await audit(deps, req, { tenantId: "system", actor: actorOf(req), action: "invite.accepted", outcome: outcomeOf(error), details: { error: errorCode(error) } });
      throw error;
    }
    await audit(deps, req, { tenantId: organisation.id, actor: actorOf(req), action: "invite.accepted", target: { type: "user", id: auth.userId } });
    await setCurrentTenant(database, auth.userId, organisation.id);
    res.json({ organisation });
  });
  return router;
}
