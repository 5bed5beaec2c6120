export { CONTROL_PLANE_SCOPES, ControlPlaneScope, parseScopes } from "./scopes.js";
export { createOperator, isOperator, listOperators, removeOperator, claimAccount, OPERATOR_LINK_TTL_MS, type Operator } from "./operators.js";
export {
  controlPlaneClientModel,
  createControlPlaneClient,
  listControlPlaneClients,
  revokeControlPlaneClient,
  issueControlPlaneToken,
  verifyControlPlaneToken,
  OAuthError,
  ClientInput,
  CONTROL_PLANE_TOKEN_SECONDS,
  type ControlPlaneClient,
} from "./clients.js";
export { listControlPlaneTenants, getControlPlaneTenant, toControlPlaneTenant, getTenantConfig, TenantListQuery, TenantConfigQuery, type ControlPlaneTenant } from "./tenants.js";
export { EVENT_SOURCES, DETAIL_TYPES, outboxEvent, eventBridgePublisher, type EventPublisher, type OutboxEvent, type DetailType } from "./events.js";
export {
  TRANSITIONS,
  fromStatuses,
  registerTenant,
  transitionTenant,
  updateTenantRecord,
  activateTenant,
  deactivateTenant,
  offboardTenant,
  publishOutbox,
  sweepOutboxes,
  retryTenant,
  RegistrationInput,
  TenantUpdateInput,
  type Actor,
} from "./lifecycle.js";
export { ControlPlaneEvent, provisionTenant, provisionFailed, recordAnswer, markHandled, answerActivation, SYSTEM_INVITER, type Provisioned } from "./planes.js";
export { removeTenantData, offboardDueTenants, tenantDataModels, OFFBOARD_GRACE_MS } from "./offboarding.js";
export {
  createRegistration,
  getRegistration,
  listRegistrations,
  updateRegistration,
  deleteRegistration,
  completeStrandedRegistrations,
  registrationTenantId,
  registrationModel,
  RegistrationRequest,
  RegistrationUpdate,
  RegistrationListQuery,
  type TenantRegistration,
} from "./registrations.js";
export {
  createControlPlaneUser,
  getControlPlaneUser,
  listControlPlaneUsers,
  updateControlPlaneUser,
  setControlPlaneUserEnabled,
  deleteControlPlaneUser,
  UserCreateInput,
  UserUpdateInput,
  UserListQuery,
  type ControlPlaneUser,
} from "./users.js";
export { withIdempotencyKey, purgeIdempotencyKeys, IDEMPOTENCY_KEY_TTL_MS } from "./idempotency.js";
export { getTier, listTiers, putTier, TierLimits, TierName, DEFAULT_TIERS, type Tier } from "../tiers/index.js";
