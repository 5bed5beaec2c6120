import { Router } from "express";
import swaggerUi from "swagger-ui-express";
import { buildOpenApiDocument } from "../openapi.js";

export function docsRoutes(version: string): Router {
  const router = Router();
  const document = buildOpenApiDocument(version);
  router.get("/openapi.json", (_req, res) => {
    res.json(document);
  });
  // swagger-ui-express serves its assets from the package, so the reference works offline.
  router.use("/api-docs", swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: "/openapi.json" }, customSiteTitle: "Tandem API reference" }));
  return router;
}
