export { tenantModel, TENANT_STATUSES, type TenantDocument, type TenantModel } from "./model.js";
export { createTenant, getTenantBySlug, TenantInput, type Tenant } from "./tenants.js";
export { membershipModel, ROLES, type Role, type MembershipDocument, type MembershipModel } from "./membership.js";
export {
  createOrganisation,
  listOrganisations,
  renameOrganisation,
  requireMember,
  listMembers,
  changeRole,
  removeMember,
  OPERATOR,
  roleAtLeast,
  RoleInput,
  forgetTenant,
  type MemberAccess,
  type TenantModelPolicy,
  type Organisation,
  type Member,
} from "./organisations.js";
export { createInvite, listInvites, revokeInvite, previewInvite, acceptInvite, inviteModel, INVITE_TTL_MS, InviteInput, type Invite, type InvitePreview } from "./invites.js";
