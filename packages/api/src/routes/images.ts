import { UnavailableError } from "@tandem/core/errors";
import { deleteImage, generateImage, listImages, type ImageServices } from "@tandem/core/images";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { notebookOwner, organisationAccess } from "../http/organisation.js";

/** Image generation into the generated-images bucket, and a notebook's gallery. */
export function imageRoutes(deps: AppDeps): Router {
  const router = Router();
  const member = organisationAccess(deps, "member");
  const services = (): ImageServices => {
    const model = deps.ai.catalog.imageModel();
    if (!deps.storage.imagesBucket) throw new UnavailableError("Image generation is not set up on this Tandem (GENERATED_IMAGES_BUCKET is missing). Ask the operator.", "images.unconfigured");
    if (!model) throw new UnavailableError("Image generation needs an image model in the model catalog (BEDROCK_MODELS). Ask the operator.", "images.no_model");
    return { bedrock: deps.ai.bedrock, model, s3: deps.storage.s3, bucket: deps.storage.imagesBucket };
  };

  router.get("/api/orgs/:orgId/notebooks/:notebookId/images", member, async (req, res) => {
    res.set("cache-control", "no-store").json({ images: await listImages(await deps.database(), notebookOwner(req), String(req.params.notebookId), services()) });
  });

  router.post("/api/orgs/:orgId/notebooks/:notebookId/images", member, async (req, res) => {
    res.status(201).json({ image: await generateImage(await deps.database(), notebookOwner(req), String(req.params.notebookId), req.body, services()) });
  });

  router.delete("/api/orgs/:orgId/notebooks/:notebookId/images/:imageId", member, async (req, res) => {
    await deleteImage(await deps.database(), notebookOwner(req), String(req.params.notebookId), String(req.params.imageId), services());
    res.status(204).end();
  });
  return router;
}
