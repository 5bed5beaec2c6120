import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import {
  AcceptedResponse,
  AccountResponse,
  ApiKeyCreatedResponse,
  ApiKeysResponse,
  AuditExportQuery,
  AuditPage,
  AuditQuery,
  ChangeEmailRequest,
  ChangePasswordRequest,
  CreateApiKeyRequest,
  CreateOrganisationRequest,
  EmailRequest,
  InviteCreatedResponse,
  InvitePreviewResponse,
  InviteRequest,
  InvitesResponse,
  MemberResponse,
  KnowledgeFileResponse,
  ImageRequest,
  ImageResponse,
  ImagesResponse,
  KnowledgeFilesResponse,
  UploadRequest,
  UploadResponse,
  ModelPolicy,
  ModelsResponse,
  NotebookInput,
  NotebookPage,
  NotebookResponse,
  NotebookWithMessages,
  SendMessageRequest,
  StreamDelta,
  StreamDone,
  StreamTitle,
  OrganisationDeletionPreview,
  DeleteOrganisationRequest,
  AccountDeletionPreview,
  DeleteAccountRequest,
  AccountDeletedResponse,
  RegenerateRequest,
  DeletedMessagesResponse,
  StreamStart,
  MembersResponse,
  MeResponse,
  OrganisationResponse,
  OrganisationsResponse,
  ProvidersResponse,
  RenameOrganisationRequest,
  RoleRequest,
  SignInRequest,
  UpdateMeRequest,
  ViewerConfig,
  HealthResponse,
  ExportQuery,
  NotebookQuery,
  ObjectIdString,
  PasswordResetConfirmRequest,
  PasswordResetRequest,
  Problem,
  SignUpRequest,
  SignUpResponse,
  TokenRequest,
  SpendCapsRequest,
  GroupsResponse,
  LiveTicketResponse,
  ShareRequest,
  ShareResponse,
  SharesResponse,
  SharedNotebooksResponse,
  ProjectsResponse,
  ProjectResponse,
  ProjectDetailResponse,
  CreateProjectRequest,
  UpdateProjectRequest,
  ProjectMember,
  GroupResponse,
  CreateGroupRequest,
  RenameGroupRequest,
  BillingSummaryResponse,
  CheckoutRequest,
  RedirectResponse,
  OrgUsageQuery,
  OrgUsageResponse,
  SpendSummaryResponse,
} from "@tandem/client/contract";
import { z } from "zod";

// Adds `.openapi()` to zod's prototype, which the registry uses to name the components.
extendZodWithOpenApi(z);

/** One event of a reply's stream: its name, and its data as JSON of the event's schema. */
const streamEvent = (name: string, component: string) =>
  z.object({
    event: z.literal(name),
    // contentMediaType / contentSchema: how OpenAPI 3.1 describes JSON carried in a string.
    data: z.string().openapi({ contentMediaType: "application/json", contentSchema: { $ref: `#/components/schemas/${component}` } } as Record<string, unknown>),
  });
const StreamEvent = z
  .discriminatedUnion("event", [streamEvent("start", "StreamStart"), streamEvent("delta", "StreamDelta"), streamEvent("done", "StreamDone"), streamEvent("title", "StreamTitle"), streamEvent("error", "Problem")])
  .describe("One server-sent event: start, delta..., then done or error; after done, title when the notebook's first exchange named it");

/** The statuses every API operation can answer, whatever it does. */
const COMMON: Record<number, string> = {
  400: "Invalid input; `issues` names each field",
  401: "Not signed in, or the session, token or API key is no good",
  403: "Role, API key scope or anti-forgery token (X-CSRF-Token) missing",
  500: "Unexpected error; the detail carries the request id for support",
  503: "A dependency (database, storage, Bedrock) is down or not set up; try again later",
};
const EXTRA: Record<number, string> = {
  404: "No such resource in an organisation you belong to (or a link that is no good)",
  409: "Conflicts with the current state (taken, already done, or changed meanwhile); `detail` says what to do",
  413: "The request body is larger than 1 MB",
  429: "Too many attempts or a busy model; Retry-After says when to try again",
};

type Method = "get" | "post" | "patch" | "put" | "delete";
interface Options {
  /** Statuses beyond COMMON this operation can answer; 404 is added for paths with ids, 413 with a body. */
  readonly statuses?: readonly number[];
  /** A body that may be left out (an empty body means the defaults). */
  readonly optionalBody?: boolean;
  readonly query?: z.AnyZodObject;
  /** Success bodies by content type, when they are not one JSON schema. */
  readonly successTypes?: Record<string, z.ZodTypeAny>;
  /** Reachable without signing in. */
  readonly public?: boolean;
}
/** method, path, summary, request body, success status and body, options; the tag comes from the path. */
type Row = [Method, string, string, z.ZodTypeAny | undefined, number, z.ZodTypeAny | undefined, Options?];

const ROWS: Row[] = [
  ["post", "/api/accounts", "Sign up with email and password; sends the verification mail", SignUpRequest, 201, SignUpResponse, { statuses: [409], public: true }],
  ["post", "/api/accounts/verify-email", "Confirm an email address with the token from its mail (401: the link is used or expired)", TokenRequest, 200, AccountResponse, { public: true }],
  ["post", "/api/accounts/password-reset", "Mail a password reset link (same answer whether or not the address has an account)", PasswordResetRequest, 202, AcceptedResponse, { public: true }],
  ["post", "/api/accounts/password-reset/confirm", "Set a new password with the token from the reset mail (401: the link is used or expired)", PasswordResetConfirmRequest, 200, AccountResponse, { public: true }],
  ["get", "/api/auth/providers", "The sign-in options this installation offers", undefined, 200, ProvidersResponse, { public: true }],
  ["post", "/api/auth/sign-in", "Sign in with email and password; sets the session cookies (locked out after 5 failures in 15 minutes)", SignInRequest, 200, AccountResponse, { statuses: [429], public: true }],
  ["post", "/api/auth/refresh", "Rotate the refresh cookie into a new session pair", undefined, 200, AccountResponse, { public: true }],
  ["post", "/api/auth/sign-out", "End this session and clear its cookies", undefined, 204, undefined, { public: true }],
  ["post", "/api/auth/sign-out-everywhere", "End every session of the account", undefined, 204, undefined],
  ["get", "/api/auth/{provider}", "Start a Google, GitHub or Okta sign-in (browser redirect with state and PKCE)", undefined, 302, undefined, { public: true }],
  ["get", "/api/auth/{provider}/callback", "Where the provider sends the browser back; redirects to the web app", undefined, 303, undefined, { public: true }],
  ["post", "/api/accounts/verify-email/resend", "Mail a new confirmation link (same answer for every address)", EmailRequest, 202, AcceptedResponse, { public: true }],
  ["post", "/api/accounts/email-change/confirm", "Confirm a new email address with the token from its mail", TokenRequest, 200, AccountResponse, { statuses: [409], public: true }],
  ["get", "/api/viewer-config", "Settings of the PDF viewer that opens cited passages", undefined, 200, ViewerConfig],
  ["get", "/api/me", "The signed-in account, its organisations and linked providers", undefined, 200, MeResponse],
  ["patch", "/api/me", "Rename, or switch organisation (404: not a member of it)", UpdateMeRequest, 200, AccountResponse, { statuses: [404] }],
  ["get", "/api/me/deletion", "What deleting your account removes, and which organisations need another owner first", undefined, 200, AccountDeletionPreview],
  ["delete", "/api/me", "Delete your account (type your email, and your password if you have one): organisations where you are the only member go with it, your notebooks elsewhere go with what they hold, and you are signed out (409: you are the last owner of an organisation with other members)", DeleteAccountRequest, 200, AccountDeletedResponse, { statuses: [409] }],
  ["post", "/api/me/password", "Change the password; ends other sessions", ChangePasswordRequest, 200, AccountResponse, { statuses: [429] }],
  ["post", "/api/me/email", "Change the email: mails a link to the new address", ChangeEmailRequest, 202, AcceptedResponse, { statuses: [409, 429] }],
  ["get", "/api/orgs", "Your organisations", undefined, 200, OrganisationsResponse],
  ["post", "/api/orgs", "Create an organisation; you become its owner (409: the handle is taken)", CreateOrganisationRequest, 201, OrganisationResponse, { statuses: [409] }],
  ["get", "/api/orgs/{orgId}", "One of your organisations", undefined, 200, OrganisationResponse],
  ["patch", "/api/orgs/{orgId}", "Rename (admin)", RenameOrganisationRequest, 200, OrganisationResponse],
  ["get", "/api/orgs/{orgId}/deletion", "What deleting the organisation removes (owners)", undefined, 200, OrganisationDeletionPreview],
  ["delete", "/api/orgs/{orgId}", "Delete the organisation (owners; type its handle to confirm): everyone's access ends at once, its data and files are removed after the offboarding grace period", DeleteOrganisationRequest, 202, OrganisationDeletionPreview],
  ["get", "/api/orgs/{orgId}/members", "Members and their roles", undefined, 200, MembersResponse],
  ["patch", "/api/orgs/{orgId}/members/{userId}", "Change a member's role (admin; ownership by owners; 409: it would leave no owner)", RoleRequest, 200, MemberResponse, { statuses: [409] }],
  ["delete", "/api/orgs/{orgId}/members/{userId}", "Remove a member (admin) or leave; access ends at once (409: it would leave no owner)", undefined, 204, undefined, { statuses: [409] }],
  ["get", "/api/orgs/{orgId}/invites", "Open invitations (admin)", undefined, 200, InvitesResponse],
  ["post", "/api/orgs/{orgId}/invites", "Invite by email (admin); valid 7 days, once (409: already a member)", InviteRequest, 201, InviteCreatedResponse, { statuses: [409] }],
  ["delete", "/api/orgs/{orgId}/invites/{inviteId}", "Revoke an invitation (admin)", undefined, 204, undefined],
  ["get", "/api/orgs/{orgId}/api-keys", "Your API keys in this organisation", undefined, 200, ApiKeysResponse],
  ["post", "/api/orgs/{orgId}/api-keys", "Create an API key; its secret is shown this once", CreateApiKeyRequest, 201, ApiKeyCreatedResponse],
  ["delete", "/api/orgs/{orgId}/api-keys/{keyId}", "Revoke one of your API keys", undefined, 204, undefined],
  ["get", "/api/orgs/{orgId}/audit", "The organisation's audit log, newest first (owners and admins): sign-ins, API keys, roles, members, invitations, model policy, lifecycle (?action prefix, ?actor, ?outcome, ?from, ?to, ?cursor, ?limit up to 200)", undefined, 200, AuditPage, { query: AuditQuery }],
  ["get", "/api/orgs/{orgId}/audit/export", "Download the organisation's audit log as JSON lines, each chain in order (owners and admins; the same filters)", undefined, 200, undefined, { query: AuditExportQuery, successTypes: { "application/x-ndjson": z.string().describe("One audit entry (AuditEntry) as JSON a line") } }],
  ["get", "/api/orgs/{orgId}/models", "The chat models you may use in this organisation, by its policy and your groups (the local stand-in's test model is marked local)", undefined, 200, ModelsResponse],
  ["put", "/api/orgs/{orgId}/model-policy", "Restrict the chat models, for everyone or by group, and set a Bedrock guardrail (admin)", ModelPolicy, 200, ModelPolicy],
  ["get", "/api/orgs/{orgId}/spend", "The organisation's spend caps and what was spent today and this month (by it, by you, and by each group with a cap)", undefined, 200, SpendSummaryResponse],
  ["put", "/api/orgs/{orgId}/spend-caps", "Set the spend caps in USD per day and month, for the organisation, for each member and for groups (admin); a reply over a cap is refused before the model is called", SpendCapsRequest, 200, SpendSummaryResponse],
  ["get", "/api/orgs/{orgId}/groups", "The organisation's groups of members, with their members and whether you are in each", undefined, 200, GroupsResponse],
  ["post", "/api/orgs/{orgId}/groups", "Create a group (admin; at most 200; 409: the name is taken, in any case, or the organisation has 200 groups)", CreateGroupRequest, 201, GroupResponse, { statuses: [409] }],
  ["patch", "/api/orgs/{orgId}/groups/{groupId}", "Rename a group (admin; 409: the name is taken)", RenameGroupRequest, 200, GroupResponse, { statuses: [409] }],
  ["delete", "/api/orgs/{orgId}/groups/{groupId}", "Delete a group, with its model rule and spend caps (admin)", undefined, 204, undefined],
  ["put", "/api/orgs/{orgId}/groups/{groupId}/members/{userId}", "Put a member of the organisation in a group (admin; again: no change)", undefined, 200, GroupResponse],
  ["delete", "/api/orgs/{orgId}/groups/{groupId}/members/{userId}", "Take a person out of a group (admin)", undefined, 204, undefined],
  ["get", "/api/orgs/{orgId}/notebooks/{notebookId}/shares", "Whom the notebook is shared with (its owner only)", undefined, 200, SharesResponse],
  ["put", "/api/orgs/{orgId}/notebooks/{notebookId}/shares", "Share the notebook with a member, a group or a project (one you are in) of the organisation, to read or to edit; again with the same target: changes the permission (its owner only; 409: 50 shares already)", ShareRequest, 200, ShareResponse, { statuses: [409] }],
  ["delete", "/api/orgs/{orgId}/notebooks/{notebookId}/shares/{shareId}", "End a share: the member or group no longer sees the notebook (its owner only; again: no change)", undefined, 204, undefined],
  ["get", "/api/orgs/{orgId}/shared-notebooks", "Notebooks others shared with you, by name or through your groups and projects, with what you may do (read or edit)", undefined, 200, SharedNotebooksResponse],
  ["get", "/api/orgs/{orgId}/projects", "The projects you own or are a member of", undefined, 200, ProjectsResponse],
  ["post", "/api/orgs/{orgId}/projects", "Start a project: you own it (at most 500 in an organisation; 409: the name is taken, in any case)", CreateProjectRequest, 201, ProjectResponse, { statuses: [409] }],
  ["get", "/api/orgs/{orgId}/projects/{projectId}", "A project you are in: its instructions, members, and the notebooks you see in it (yours, and those shared with it)", undefined, 200, ProjectDetailResponse],
  ["patch", "/api/orgs/{orgId}/projects/{projectId}", "Rename the project or change its instructions (its owner; 409: the name is taken)", UpdateProjectRequest, 200, ProjectResponse, { statuses: [409] }],
  ["delete", "/api/orgs/{orgId}/projects/{projectId}", "Delete the project and its files (its owner); its notebooks stay their owners', out of the project, and its shares end", undefined, 204, undefined],
  ["put", "/api/orgs/{orgId}/projects/{projectId}/members/{userId}", "Put a member of the organisation in the project (its owner; at most 200; again: no change)", undefined, 200, z.object({ members: z.array(ProjectMember) }), { statuses: [409] }],
  ["delete", "/api/orgs/{orgId}/projects/{projectId}/members/{userId}", "Take a person out of the project (its owner), or leave it yourself (a member)", undefined, 204, undefined],
  ["get", "/api/orgs/{orgId}/projects/{projectId}/files", "The project's knowledge files, which every notebook in it draws on (its members)", undefined, 200, KnowledgeFilesResponse],
  ["post", "/api/orgs/{orgId}/projects/{projectId}/files", "Register a file for the project (its owner) and get the presigned POST to upload it to S3", UploadRequest, 201, UploadResponse],
  ["post", "/api/orgs/{orgId}/projects/{projectId}/files/{fileId}/complete", "After the upload: check the project's file and queue its reading (its owner)", undefined, 202, KnowledgeFileResponse, { statuses: [409, 429] }],
  ["get", "/api/orgs/{orgId}/projects/{projectId}/files/{fileId}/content", "Redirect to a 5-minute link to the project's file (its members)", undefined, 302, undefined],
  ["delete", "/api/orgs/{orgId}/projects/{projectId}/files/{fileId}", "Delete one of the project's files and its passages (its owner)", undefined, 204, undefined],
  ["post", "/api/orgs/{orgId}/live/ticket", "A ticket for the live-updates WebSocket: this person in this organisation, one connection, valid for a minute (404 live.unavailable: this server has no live updates)", undefined, 200, LiveTicketResponse],
  ["get", "/api/orgs/{orgId}/billing", "The organisation's plan, the plans for sale and its prepaid credits (admin)", undefined, 200, BillingSummaryResponse],
  ["get", "/api/orgs/{orgId}/usage", "What the organisation's model calls cost over the last days (UTC; ?days up to 93, 30 by default), by day, model and member (admin)", undefined, 200, OrgUsageResponse, { query: OrgUsageQuery }],
  ["post", "/api/orgs/{orgId}/billing/checkout", "Buy a plan or prepaid credits: answers the Stripe Checkout page to send the browser to (admin; 404 while billing is off; 409 when a plan is already on)", CheckoutRequest, 200, RedirectResponse, { statuses: [409] }],
  ["post", "/api/orgs/{orgId}/billing/portal", "Open Stripe's customer portal: invoices, card, plan changes and cancellation (admin; 404 while billing is off)", undefined, 200, RedirectResponse],
  ["get", "/api/orgs/{orgId}/notebooks", "Your notebooks, newest activity first (?limit, ?cursor, ?q searches titles and messages)", undefined, 200, NotebookPage, { query: NotebookQuery }],
  ["post", "/api/orgs/{orgId}/notebooks", "Create a notebook (an empty body takes the defaults)", NotebookInput, 201, NotebookResponse, { optionalBody: true }],
  ["get", "/api/orgs/{orgId}/notebooks/{notebookId}", "A notebook with its messages", undefined, 200, NotebookWithMessages],
  ["patch", "/api/orgs/{orgId}/notebooks/{notebookId}", "Rename, or change its system prompt or model", NotebookInput, 200, NotebookResponse, { optionalBody: true }],
  ["delete", "/api/orgs/{orgId}/notebooks/{notebookId}", "Delete a notebook and its messages", undefined, 204, undefined],
  ["get", "/api/orgs/{orgId}/notebooks/{notebookId}/export", "Download as Markdown or JSON (?format=markdown|json)", undefined, 200, undefined, { query: ExportQuery, successTypes: { "text/markdown": z.string(), "application/json": NotebookWithMessages } }],
  [
    "post",
    "/api/orgs/{orgId}/notebooks/{notebookId}/messages",
    "Send a message; the reply streams as text/event-stream: start, delta..., done or error. Closing the connection stops the model.",
    SendMessageRequest,
    200,
    undefined,
    { statuses: [429], successTypes: { "text/event-stream": StreamEvent } },
  ],
  [
    "post",
    "/api/orgs/{orgId}/notebooks/{notebookId}/messages/{messageId}/regenerate",
    "A new reply to the latest question, replacing the latest reply (messageId; or the question itself when it has none). Streams like sending a message (409: not the latest, or a reply is being written).",
    RegenerateRequest,
    200,
    undefined,
    { statuses: [409, 429], successTypes: { "text/event-stream": StreamEvent }, optionalBody: true },
  ],
  [
    "patch",
    "/api/orgs/{orgId}/notebooks/{notebookId}/messages/{messageId}",
    "Edit one of your messages and send it again: it and every message after it are replaced by the new text and its reply, which streams like sending a message (409: a reply is being written, or not your message).",
    SendMessageRequest,
    200,
    undefined,
    { statuses: [409, 429], successTypes: { "text/event-stream": StreamEvent } },
  ],
  ["delete", "/api/orgs/{orgId}/notebooks/{notebookId}/messages/{messageId}", "Delete a message; a question goes with the reply that answered it (409: the reply is being written)", undefined, 200, DeletedMessagesResponse, { statuses: [409] }],
  ["get", "/api/orgs/{orgId}/notebooks/{notebookId}/files", "The notebook's knowledge files and their status", undefined, 200, KnowledgeFilesResponse],
  ["post", "/api/orgs/{orgId}/notebooks/{notebookId}/files", "Register a file (PDF, DOCX, Markdown, text, HTML; up to 25 MB) and get the presigned POST to upload it to S3", UploadRequest, 201, UploadResponse],
  ["post", "/api/orgs/{orgId}/notebooks/{notebookId}/files/{fileId}/complete", "After the upload: check the file and queue its reading (extract, split, embed); the file list shows progress (embedded of chunkCount) and the outcome", undefined, 202, KnowledgeFileResponse, { statuses: [409, 429] }],
  ["get", "/api/orgs/{orgId}/notebooks/{notebookId}/files/{fileId}/content", "Redirect to a 5-minute link to the file (for the citation viewer)", undefined, 302, undefined],
  ["delete", "/api/orgs/{orgId}/notebooks/{notebookId}/files/{fileId}", "Delete a file and its passages", undefined, 204, undefined],
  ["get", "/api/orgs/{orgId}/notebooks/{notebookId}/images", "The notebook's gallery, newest first, with 5-minute links", undefined, 200, ImagesResponse],
  ["post", "/api/orgs/{orgId}/notebooks/{notebookId}/images", "Generate an image with the catalog's image model", ImageRequest, 201, ImageResponse, { statuses: [429] }],
  ["delete", "/api/orgs/{orgId}/notebooks/{notebookId}/images/{imageId}", "Delete an image from the gallery and from storage", undefined, 204, undefined],
  ["post", "/api/invites/preview", "What an invitation link is for (no sign-in needed; 401: the link is used, revoked or expired)", TokenRequest, 200, InvitePreviewResponse, { public: true }],
  ["post", "/api/invites/accept", "Accept an invitation as the signed-in, invited address (401: the link is no good)", TokenRequest, 200, OrganisationResponse, { statuses: [409] }],
];

/** How a path parameter looks: ids are ObjectIds, the provider is one of the sign-in providers. */
function pathParameter(name: string): z.ZodTypeAny {
  if (name === "provider") return z.enum(["google", "github", "okta"]).describe("A sign-in provider this installation enables (GET /api/auth/providers)");
  return ObjectIdString.describe("24 hexadecimal digits, as the API returned it");
}

const tagOf = (path: string) =>
  /\/(notebooks|models|model-policy)/.test(path) ? "Notebooks" : path.startsWith("/api/orgs") || path.startsWith("/api/invites") ? "Organisations" : path.startsWith("/api/auth") ? "Sessions" : "Accounts";

/** The OpenAPI document, generated from the same zod schemas the routes validate with. */
export function buildOpenApiDocument(version: string): ReturnType<OpenApiGeneratorV31["generateDocument"]> {
  const registry = new OpenAPIRegistry();
  const health = registry.register("HealthResponse", HealthResponse);
  const problem = registry.register("Problem", Problem);
  const problemContent = { content: { "application/problem+json": { schema: problem } } };
  registry.register("StreamStart", StreamStart);
  registry.register("StreamDelta", StreamDelta);
  registry.register("StreamDone", StreamDone);
  registry.register("StreamTitle", StreamTitle);

  registry.registerPath({
    method: "get",
    path: "/api/health",
    summary: "Health of the API and its database",
    description: "200 when every dependency answers; 503 with the reason when one does not.",
    tags: ["Operations"],
    responses: {
      200: { description: "Healthy", content: { "application/json": { schema: health } } },
      400: { description: COMMON[400]!, ...problemContent },
      500: { description: COMMON[500]!, ...problemContent },
      503: { description: "A dependency is down; `checks` says which and why", content: { "application/json": { schema: health } } },
    },
  });

  for (const [method, path, summary, requestBody, status, responseBody, options = {}] of ROWS) {
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const extra = new Set(options.statuses ?? []);
    if (params.some((p) => p !== "provider") || path.startsWith("/api/auth/{provider}")) extra.add(404);
    if (requestBody) extra.add(413);
    const success = responseBody
      ? { content: { "application/json": { schema: responseBody } } }
      : options.successTypes
        ? { content: Object.fromEntries(Object.entries(options.successTypes).map(([type, schema]) => [type, { schema }])) }
        : {};
    registry.registerPath({
      method,
      path,
      summary,
      tags: [tagOf(path)],
      ...(options.public ? { security: [{}, { apiKey: [] }, { cookie: [] }] } : {}),
      request: {
        ...(params.length ? { params: z.object(Object.fromEntries(params.map((p) => [p, pathParameter(p)]))) } : {}),
        ...(options.query ? { query: options.query } : {}),
        ...(requestBody ? { body: { required: !options.optionalBody, content: { "application/json": { schema: requestBody } } } } : {}),
      },
      responses: {
        [status]: { description: "Success", ...success },
        ...Object.fromEntries(Object.entries(COMMON).map(([code, description]) => [code, { description, ...problemContent }])),
        ...Object.fromEntries([...extra].map((code) => [code, { description: EXTRA[code]!, ...problemContent }])),
      },
    });
  }

  registry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "A personal API key (tdm_...) from the organisation page, or an access token",
  });
  registry.registerComponent("securitySchemes", "cookie", { type: "apiKey", in: "cookie", name: "tandem_access", description: "Browser session; writes also need the X-CSRF-Token header" });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: { title: "Tandem API", version, description: "The API of Tandem, the multi-tenant AI workspace." },
    security: [{ apiKey: [] }, { cookie: [] }],
  });
}

type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;

/** Each documented path as a matcher with the methods it serves, for the 405 and OPTIONS answers. */
export interface DocumentedPath {
  readonly template: string;
  readonly pattern: RegExp;
  /** Literal segments first: /api/auth/sign-in wins over /api/auth/{provider}, as OpenAPI says. */
  readonly specificity: number;
  readonly methods: readonly string[];
}

export function documentedPaths(document: OpenApiDocument): DocumentedPath[] {
  return Object.entries(document.paths ?? {})
    .map(([template, item]) => {
      const segments = template.split("/").filter(Boolean);
      const source = segments.map((s) => (/^\{\w+\}$/.test(s) ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/");
      const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"].filter((m) => item && m in item).map((m) => m.toUpperCase());
      // Express matches case-insensitively and ignores one trailing slash; so does this.
      return { template, pattern: new RegExp(`^/${source}/?$`, "i"), specificity: segments.filter((s) => !s.startsWith("{")).length, methods };
    })
    .sort((a, b) => b.specificity - a.specificity);
}

const built = new Map<string, OpenApiDocument>();

/**
 * The document of this version, built on first use and kept: building it takes ~100 ms, which a
 * Lambda's cold start should not pay before its first request (issue 9, cold start).
 */
export function openApiDocument(version: string): OpenApiDocument {
  let document = built.get(version);
  if (!document) {
    document = buildOpenApiDocument(version);
    built.set(version, document);
  }
  return document;
}
