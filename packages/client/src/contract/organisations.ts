import { z } from "zod";
import { ApiKeyName, Email, ObjectIdString, OrganisationName, OrganisationSlug } from "./text.js";

export const ROLES = ["owner", "admin", "member"] as const;
export const Role = z.enum(ROLES, { message: `Choose one of ${ROLES.join(", ")}` });
export type Role = z.infer<typeof Role>;

export const Organisation = z.object({ id: ObjectIdString, slug: z.string(), name: z.string(), role: Role.describe("Your role in it") });
export type Organisation = z.infer<typeof Organisation>;
export const OrganisationResponse = z.object({ organisation: Organisation });
export const OrganisationsResponse = z.object({ organisations: z.array(Organisation) });
export const CreateOrganisationRequest = z.object({ name: OrganisationName, slug: OrganisationSlug });
export const RenameOrganisationRequest = z.object({ name: OrganisationName });

export const Member = z.object({ userId: ObjectIdString, name: z.string(), email: z.string(), role: Role, joinedAt: z.string() });
export type Member = z.infer<typeof Member>;
export const MembersResponse = z.object({ members: z.array(Member) });
export const MemberResponse = z.object({ member: Member });
export const RoleRequest = z.object({ role: Role });

export const Invite = z.object({ id: ObjectIdString, email: z.string().email(), role: Role, expiresAt: z.string(), createdAt: z.string() });
export type Invite = z.infer<typeof Invite>;
export const InvitesResponse = z.object({ invites: z.array(Invite) });
export const InviteRequest = z.object({ email: Email, role: Role.default("member") });
export const InviteCreatedResponse = z.object({ invite: Invite, mailSent: z.boolean().describe("false when the mail could not be sent; send the invitation again") });
export const InvitePreview = z.object({
  organisation: z.object({ id: ObjectIdString, name: z.string() }),
  email: z.string(),
  role: Role,
  invitedBy: z.string(),
  expiresAt: z.string(),
});
export type InvitePreview = z.infer<typeof InvitePreview>;
export const InvitePreviewResponse = z.object({ invite: InvitePreview });

export const API_KEY_SCOPES = ["read", "write"] as const;
export const ApiKeyScope = z.enum(API_KEY_SCOPES, { message: `Choose ${API_KEY_SCOPES.join(" or ")}` });

export const ApiKey = z.object({
  id: ObjectIdString,
  name: z.string(),
  hint: z.string().describe("The first characters of the key"),
  scopes: z.array(ApiKeyScope),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;
export const ApiKeysResponse = z.object({ apiKeys: z.array(ApiKey) });
export const CreateApiKeyRequest = z.object({
  name: ApiKeyName,
  scopes: z.array(ApiKeyScope).min(1, "Give the key at least one scope: read or write").max(2).default(["read"]).describe('"read" and/or "write"'),
  expiresInDays: z.number().int("Use a whole number of days").min(1, "Use 1 to 365 days").max(365, "Use 1 to 365 days").optional().describe("Without it the key does not expire"),
});
export const ApiKeyCreatedResponse = z.object({ apiKey: ApiKey, secret: z.string().describe("Shown this once; store it now") });
export type ApiKeyCreatedResponse = z.infer<typeof ApiKeyCreatedResponse>;
