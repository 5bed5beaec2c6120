export { HealthResponse, DatabaseCheck } from "./health.js";
export { Problem } from "./problem.js";
export {
  Account,
  SignUpRequest,
  SignUpResponse,
  TokenRequest,
  EmailRequest,
  PasswordResetRequest,
  PasswordResetConfirmRequest,
  AccountResponse,
  AcceptedResponse,
} from "./accounts.js";
export { SignInRequest, Provider, ProvidersResponse, MeResponse, UpdateMeRequest, ChangePasswordRequest, ChangeEmailRequest } from "./sessions.js";
export {
  Role,
  Organisation,
  OrganisationResponse,
  OrganisationsResponse,
  CreateOrganisationRequest,
  RenameOrganisationRequest,
  Member,
  MembersResponse,
  MemberResponse,
  RoleRequest,
  Invite,
  InvitesResponse,
  InviteRequest,
  InviteCreatedResponse,
  InvitePreview,
  InvitePreviewResponse,
  ApiKey,
  ApiKeysResponse,
  CreateApiKeyRequest,
  ApiKeyCreatedResponse,
} from "./organisations.js";
