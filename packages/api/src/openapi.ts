import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import {
  AcceptedResponse,
  AccountResponse,
  ApiKeyCreatedResponse,
  ApiKeysResponse,
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
  PasswordResetConfirmRequest,
  PasswordResetRequest,
  Problem,
  SignUpRequest,
  SignUpResponse,
  TokenRequest,
} from "@tandem/client/contract";
import { z } from "zod";

// Adds `.openapi()` to zod's prototype, which the registry uses to name the components.
extendZodWithOpenApi(z);

/** The OpenAPI document is generated from the same zod schemas the API and client use. */
export function buildOpenApiDocument(version: string): ReturnType<OpenApiGeneratorV31["generateDocument"]> {
  const registry = new OpenAPIRegistry();
  const health = registry.register("HealthResponse", HealthResponse);
  const problem = registry.register("Problem", Problem);

  registry.registerPath({
    method: "get",
    path: "/api/health",
    summary: "Health of the API and its database",
    description: "200 when every dependency answers; 503 with the reason when one does not.",
    tags: ["Operations"],
    responses: {
      200: { description: "Healthy", content: { "application/json": { schema: health } } },
      503: { description: "A dependency is down; `checks` says which and why", content: { "application/json": { schema: health } } },
      500: { description: "Unexpected error", content: { "application/problem+json": { schema: problem } } },
    },
  });

  const json = <T extends z.ZodTypeAny>(schema: T) => ({ content: { "application/json": { schema } } });
  const problems = {
    400: { description: "Invalid input; `issues` names each field", content: { "application/problem+json": { schema: problem } } },
    401: { description: "The link is used or expired", content: { "application/problem+json": { schema: problem } } },
  };
  registry.registerPath({
    method: "post",
    path: "/api/accounts",
    summary: "Sign up with email and password; sends the verification mail",
    tags: ["Accounts"],
    request: { body: json(SignUpRequest) },
    responses: {
      201: { description: "Created", ...json(registry.register("SignUpResponse", SignUpResponse)) },
      400: problems[400],
      409: { description: "An account uses this email", content: { "application/problem+json": { schema: problem } } },
    },
  });
  const account = registry.register("AccountResponse", AccountResponse);
  registry.registerPath({
    method: "post",
    path: "/api/accounts/verify-email",
    summary: "Confirm an email address with the token from its mail",
    tags: ["Accounts"],
    request: { body: json(TokenRequest) },
    responses: { 200: { description: "Verified", ...json(account) }, ...problems },
  });
  registry.registerPath({
    method: "post",
    path: "/api/accounts/password-reset",
    summary: "Mail a password reset link (same answer whether or not the address has an account)",
    tags: ["Accounts"],
    request: { body: json(PasswordResetRequest) },
    responses: { 202: { description: "Accepted" }, 400: problems[400] },
  });
  registry.registerPath({
    method: "post",
    path: "/api/accounts/password-reset/confirm",
    summary: "Set a new password with the token from the reset mail",
    tags: ["Accounts"],
    request: { body: json(PasswordResetConfirmRequest) },
    responses: { 200: { description: "Password changed", ...json(account) }, ...problems },
  });

  registerIdentityPaths(registry, problem);

  registry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "A personal API key (tdm_...) from account settings, or an access token",
  });
  registry.registerComponent("securitySchemes", "cookie", { type: "apiKey", in: "cookie", name: "tandem_access", description: "Browser session; writes also need the X-CSRF-Token header" });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: { title: "Tandem API", version, description: "The API of Tandem, the multi-tenant AI workspace." },
  });
}

type Method = "get" | "post" | "patch" | "put" | "delete";
/** method, path, summary, request body, success status and body; tag from the path. */
type Row = [Method, string, string, z.ZodTypeAny | undefined, number, z.ZodTypeAny | undefined];

const ROWS: Row[] = [
  ["get", "/api/auth/providers", "The sign-in options this installation offers", undefined, 200, ProvidersResponse],
  ["post", "/api/auth/sign-in", "Sign in with email and password; sets the session cookies (locked out after 5 failures in 15 minutes)", SignInRequest, 200, AccountResponse],
  ["post", "/api/auth/refresh", "Rotate the refresh cookie into a new session pair", undefined, 200, AccountResponse],
  ["post", "/api/auth/sign-out", "End this session and clear its cookies", undefined, 204, undefined],
  ["post", "/api/auth/sign-out-everywhere", "End every session of the account", undefined, 204, undefined],
  ["get", "/api/auth/{provider}", "Start a Google, GitHub or Okta sign-in (browser redirect with state and PKCE)", undefined, 302, undefined],
  ["get", "/api/auth/{provider}/callback", "Where the provider sends the browser back; redirects to the web app", undefined, 303, undefined],
  ["post", "/api/accounts/verify-email/resend", "Mail a new confirmation link (same answer for every address)", EmailRequest, 202, AcceptedResponse],
  ["post", "/api/accounts/email-change/confirm", "Confirm a new email address with the token from its mail", TokenRequest, 200, AccountResponse],
  ["get", "/api/viewer-config", "Settings of the PDF viewer that opens cited passages", undefined, 200, ViewerConfig],
  ["get", "/api/me", "The signed-in account, its organisations and linked providers", undefined, 200, MeResponse],
  ["patch", "/api/me", "Rename, or switch organisation", UpdateMeRequest, 200, AccountResponse],
  ["post", "/api/me/password", "Change the password; ends other sessions", ChangePasswordRequest, 200, AccountResponse],
  ["post", "/api/me/email", "Change the email: mails a link to the new address", ChangeEmailRequest, 202, AcceptedResponse],
  ["get", "/api/orgs", "Your organisations", undefined, 200, OrganisationsResponse],
  ["post", "/api/orgs", "Create an organisation; you become its owner", CreateOrganisationRequest, 201, OrganisationResponse],
  ["get", "/api/orgs/{orgId}", "One of your organisations", undefined, 200, OrganisationResponse],
  ["patch", "/api/orgs/{orgId}", "Rename (admin)", RenameOrganisationRequest, 200, OrganisationResponse],
  ["get", "/api/orgs/{orgId}/members", "Members and their roles", undefined, 200, MembersResponse],
  ["patch", "/api/orgs/{orgId}/members/{userId}", "Change a member's role (admin; ownership by owners)", RoleRequest, 200, MemberResponse],
  ["delete", "/api/orgs/{orgId}/members/{userId}", "Remove a member (admin) or leave; access ends at once", undefined, 204, undefined],
  ["get", "/api/orgs/{orgId}/invites", "Open invitations (admin)", undefined, 200, InvitesResponse],
  ["post", "/api/orgs/{orgId}/invites", "Invite by email (admin); valid 7 days, once", InviteRequest, 201, InviteCreatedResponse],
  ["delete", "/api/orgs/{orgId}/invites/{inviteId}", "Revoke an invitation (admin)", undefined, 204, undefined],
  ["get", "/api/orgs/{orgId}/api-keys", "Your API keys in this organisation", undefined, 200, ApiKeysResponse],
  ["post", "/api/orgs/{orgId}/api-keys", "Create an API key; its secret is shown this once", CreateApiKeyRequest, 201, ApiKeyCreatedResponse],
  ["delete", "/api/orgs/{orgId}/api-keys/{keyId}", "Revoke one of your API keys", undefined, 204, undefined],
  ["get", "/api/orgs/{orgId}/models", "The chat models this organisation allows (the local stand-in's test model is marked local)", undefined, 200, ModelsResponse],
  ["put", "/api/orgs/{orgId}/model-policy", "Restrict the chat models and set a Bedrock guardrail (admin)", ModelPolicy, 200, ModelPolicy],
  ["get", "/api/orgs/{orgId}/notebooks", "Your notebooks, newest activity first (?limit, ?cursor, ?q searches titles and messages)", undefined, 200, NotebookPage],
  ["post", "/api/orgs/{orgId}/notebooks", "Create a notebook", NotebookInput, 201, NotebookResponse],
  ["get", "/api/orgs/{orgId}/notebooks/{notebookId}", "A notebook with its messages", undefined, 200, NotebookWithMessages],
  ["patch", "/api/orgs/{orgId}/notebooks/{notebookId}", "Rename, or change its system prompt or model", NotebookInput, 200, NotebookResponse],
  ["delete", "/api/orgs/{orgId}/notebooks/{notebookId}", "Delete a notebook and its messages", undefined, 204, undefined],
  ["get", "/api/orgs/{orgId}/notebooks/{notebookId}/export", "Download as Markdown or JSON (?format=markdown|json)", undefined, 200, undefined],
  ["post", "/api/orgs/{orgId}/notebooks/{notebookId}/messages", "Send a message; the reply streams as text/event-stream: start, delta..., done or error. Closing the connection stops the model.", SendMessageRequest, 200, undefined],
  ["get", "/api/orgs/{orgId}/notebooks/{notebookId}/files", "The notebook's knowledge files and their status", undefined, 200, KnowledgeFilesResponse],
  ["post", "/api/orgs/{orgId}/notebooks/{notebookId}/files", "Register a file (PDF, DOCX, Markdown, text, HTML; up to 25 MB) and get the presigned POST to upload it to S3", UploadRequest, 201, UploadResponse],
  ["post", "/api/orgs/{orgId}/notebooks/{notebookId}/files/{fileId}/complete", "After the upload: check, extract, chunk and embed the file", undefined, 200, KnowledgeFileResponse],
  ["get", "/api/orgs/{orgId}/notebooks/{notebookId}/files/{fileId}/content", "Redirect to a 5-minute link to the file (for the citation viewer)", undefined, 302, undefined],
  ["delete", "/api/orgs/{orgId}/notebooks/{notebookId}/files/{fileId}", "Delete a file and its passages", undefined, 204, undefined],
  ["get", "/api/orgs/{orgId}/notebooks/{notebookId}/images", "The notebook's gallery, newest first, with 5-minute links", undefined, 200, ImagesResponse],
  ["post", "/api/orgs/{orgId}/notebooks/{notebookId}/images", "Generate an image with the catalog's image model", ImageRequest, 201, ImageResponse],
  ["post", "/api/invites/preview", "What an invitation link is for (no sign-in needed)", TokenRequest, 200, InvitePreviewResponse],
  ["post", "/api/invites/accept", "Accept an invitation as the signed-in, invited address", TokenRequest, 200, OrganisationResponse],
];

function registerIdentityPaths(registry: OpenAPIRegistry, problem: z.ZodTypeAny): void {
  const problemContent = { content: { "application/problem+json": { schema: problem } } };
  for (const [method, path, summary, requestBody, status, responseBody] of ROWS) {
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    registry.registerPath({
      method,
      path,
      summary,
      tags: [/\/(notebooks|models|model-policy)/.test(path) ? "Notebooks" : path.startsWith("/api/orgs") || path.startsWith("/api/invites") ? "Organisations" : path.startsWith("/api/auth") ? "Sessions" : "Accounts"],
      request: {
        ...(params.length ? { params: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) } : {}),
        ...(requestBody ? { body: { content: { "application/json": { schema: requestBody } } } } : {}),
      },
      responses: {
        [status]: { description: "Success", ...(responseBody ? { content: { "application/json": { schema: responseBody } } } : {}) },
        400: { description: "Invalid input; `issues` names each field", ...problemContent },
        401: { description: "Not signed in, or the session / key is no good", ...problemContent },
        403: { description: "Role, scope or anti-forgery token missing", ...problemContent },
        404: { description: "No such resource in an organisation you belong to", ...problemContent },
        ...(path === "/api/auth/sign-in" ? { 429: { description: "Locked out; Retry-After says for how long", ...problemContent } } : {}),
      },
    });
  }
}
