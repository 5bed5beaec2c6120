import express, { type Express } from "express";
import cookieParser from "cookie-parser";
import { authProviders } from "./auth/providers.js";
import { apiKeyScopes, authenticate, csrfProtection } from "./http/auth.js";
import { auditRoutes } from "./routes/audit.js";
import { billingRoutes, stripeWebhookRoutes } from "./routes/billing.js";
import { authRoutes } from "./routes/auth.js";
import { imageRoutes } from "./routes/images.js";
import { knowledgeRoutes } from "./routes/knowledge.js";
import { meRoutes } from "./routes/me.js";
import { notebookRoutes } from "./routes/notebooks.js";
import { groupRoutes } from "./routes/groups.js";
import { liveRoutes } from "./routes/live.js";
import { sharingRoutes } from "./routes/sharing.js";
import { projectRoutes } from "./routes/projects.js";
import { deletionRoutes } from "./routes/deletion.js";
import { organisationRoutes } from "./routes/organisations.js";
import type { AppDeps } from "./deps.js";
import { methodGuard } from "./http/methods.js";
import { notFoundHandler, problemHandler } from "./http/problem.js";
import { documentedPaths, openApiDocument } from "./openapi.js";
import { requestLogger } from "./http/request-log.js";
import { accountRoutes } from "./routes/accounts.js";
import { controlPlaneRoutes } from "./routes/control-plane.js";
import { docsRoutes } from "./routes/docs.js";
import { healthRoutes } from "./routes/health.js";

/** The one Express app, used by the Lambda handler and by the local server alike. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  // Never believe X-Forwarded-For: the client's address comes from hops we control (client-address.ts).
  app.set("trust proxy", false);
  app.use(requestLogger(deps.logger));
  // Stripe's webhook reads its raw body (the signature covers the bytes): before the JSON parser.
  app.use(stripeWebhookRoutes(deps));
  app.use(express.json({ limit: "1mb" }));
  // OPTIONS and wrong methods are answered from the OpenAPI document (405 with Allow, not 404).
  app.use(methodGuard(() => documentedPaths(openApiDocument(deps.version))));
  app.use(healthRoutes(deps));
  app.use(docsRoutes(deps.version));
  // Who is calling (cookies, bearer token or API key), then the checks that depend on it.
  app.use(cookieParser());
  // The control plane authenticates on its own (client tokens, or an operator's session).
  app.use(controlPlaneRoutes(deps));
  app.use(authenticate(deps));
  app.use(csrfProtection(deps));
  app.use(apiKeyScopes());
  app.use(accountRoutes(deps));
  app.use(authRoutes(deps, authProviders(deps)));
  app.use(meRoutes(deps));
  app.use(organisationRoutes(deps));
  app.use(auditRoutes(deps));
  app.use(billingRoutes(deps));
  app.use(groupRoutes(deps));
  app.use(liveRoutes(deps));
  app.use(sharingRoutes(deps));
  app.use(projectRoutes(deps));
  app.use(deletionRoutes(deps));
  app.use(notebookRoutes(deps));
  app.use(knowledgeRoutes(deps));
  app.use(imageRoutes(deps));
  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}
