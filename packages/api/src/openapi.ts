import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { HealthResponse, Problem } from "@tandem/client/contract";
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

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: { title: "Tandem API", version, description: "The API of Tandem, the multi-tenant AI workspace." },
  });
}
