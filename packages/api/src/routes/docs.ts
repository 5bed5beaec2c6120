import { Router } from "express";
import swaggerUi from "swagger-ui-express";
import { openApiDocument } from "../openapi.js";

export function docsRoutes(version: string): Router {
  const router = Router();
  router.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument(version));
  });
  // swagger-ui-express serves its assets from the package, so the reference works offline.
  router.use("/api-docs", swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: "/openapi.json" }, customSiteTitle: "Tandem API reference" }));
  return router;
}
