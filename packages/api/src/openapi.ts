import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import {
  AccountResponse,
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

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: { title: "Tandem API", version, description: "The API of Tandem, the multi-tenant AI workspace." },
  });
}
