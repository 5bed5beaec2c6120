import { z } from "zod";

export const Role = z.enum(["owner", "admin", "member"]);
export type Role = z.infer<typeof Role>;

export const Organisation = z.object({ id: z.string(), slug: z.string(), name: z.string(), role: Role.describe("Your role in it") });
export type Organisation = z.infer<typeof Organisation>;
export const OrganisationResponse = z.object({ organisation: Organisation });
export const OrganisationsResponse = z.object({ organisations: z.array(Organisation) });
export const CreateOrganisationRequest = z.object({ name: z.string(), slug: z.string().describe("1-40 lowercase letters, digits and hyphens") });
export const RenameOrganisationRequest = z.object({ name: z.string() });

export const Member = z.object({ userId: z.string(), name: z.string(), email: z.string(), role: Role, joinedAt: z.string() });
export type Member = z.infer<typeof Member>;
export const MembersResponse = z.object({ members: z.array(Member) });
export const MemberResponse = z.object({ member: Member });
export const RoleRequest = z.object({ role: z.string() });

export const Invite = z.object({ id: z.string(), email: z.string(), role: Role, expiresAt: z.string(), createdAt: z.string() });
export type Invite = z.infer<typeof Invite>;
export const InvitesResponse = z.object({ invites: z.array(Invite) });
export const InviteRequest = z.object({ email: z.string(), role: z.string().optional() });
export const InviteCreatedResponse = z.object({ invite: Invite, mailSent: z.boolean().describe("false when the mail could not be sent; send the invitation again") });
export const InvitePreview = z.object({
  organisation: z.object({ id: z.string(), name: z.string() }),
  email: z.string(),
  role: Role,
  invitedBy: z.string(),
  expiresAt: z.string(),
});
export type InvitePreview = z.infer<typeof InvitePreview>;
export const InvitePreviewResponse = z.object({ invite: InvitePreview });

export const ApiKey = z.object({
  id: z.string(),
  name: z.string(),
  hint: z.string().describe("The first characters of the key"),
  scopes: z.array(z.enum(["read", "write"])),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;
export const ApiKeysResponse = z.object({ apiKeys: z.array(ApiKey) });
export const CreateApiKeyRequest = z.object({
  name: z.string(),
  scopes: z.array(z.string()).optional().describe('"read" and/or "write"; default read'),
  expiresInDays: z.number().optional(),
});
export const ApiKeyCreatedResponse = z.object({ apiKey: ApiKey, secret: z.string().describe("Shown this once; store it now") });
export type ApiKeyCreatedResponse = z.infer<typeof ApiKeyCreatedResponse>;
