import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { completeUpload, createUpload, deleteFile, fileDownloadKey, listFiles, type KnowledgeServices } from "@tandem/core/knowledge";
import { create as contentDisposition } from "content-disposition";
import { Router, type Request } from "express";
import type { AppDeps } from "../deps.js";
import { knowledgeServices } from "../knowledge-services.js";
import { notebookOwner, organisationAccess } from "../http/organisation.js";
import type { Owner } from "@tandem/core/notebooks";
import { projectFiles } from "@tandem/core/projects";

/**
 * Knowledge files: presigned upload, completion, list, a short-lived link, delete. A notebook's,
 * and a project's (held by its home notebook: the project's own rule is checked first; its members
 * read, its owner changes).
 */
export function knowledgeRoutes(deps: AppDeps): Router {
  const router = Router();
  filesRoutes(deps, router, "/api/orgs/:orgId/notebooks/:notebookId/files", async (req) => ({ owner: notebookOwner(req), notebookId: String(req.params.notebookId) }));
  filesRoutes(deps, router, "/api/orgs/:orgId/projects/:projectId/files", async (req, need) => projectFiles(await deps.database(), notebookOwner(req), String(req.params.projectId), need));
  return router;
}

type FilesScope = (req: Request, need: "read" | "edit") => Promise<{ owner: Owner; notebookId: string }>;

function filesRoutes(deps: AppDeps, router: Router, path: string, scope: FilesScope): void {
  const member = organisationAccess(deps, "member");
  // Completing an upload queues its reading: no file is read inside a request.
  const services = (): KnowledgeServices => knowledgeServices(deps, { queued: true });
  const fileId = (req: Request) => String(req.params.fileId);

  router.get(path, member, async (req, res) => {
    const { owner, notebookId } = await scope(req, "read");
    // Listing also ends uploads that will never finish, and deletes their objects when it can.
    const storage = deps.storage.knowledgeBucket ? { s3: deps.storage.s3, bucket: deps.storage.knowledgeBucket } : undefined;
    res.json({ files: await listFiles(await deps.database(), owner, notebookId, storage) });
  });

  router.post(path, member, async (req, res) => {
    const { owner, notebookId } = await scope(req, "edit");
    res.status(201).json(await createUpload(await deps.database(), owner, notebookId, req.body, services()));
  });

  router.post(`${path}/:fileId/complete`, member, async (req, res) => {
    const { owner, notebookId } = await scope(req, "edit");
    // 202: the file is checked and its reading queued; the list shows its progress and outcome.
    res.status(202).json({ file: await completeUpload(await deps.database(), owner, notebookId, fileId(req), services()) });
  });

  router.get(`${path}/:fileId/content`, member, async (req, res) => {
    const { owner, notebookId } = await scope(req, "read");
    const file = await fileDownloadKey(await deps.database(), owner, notebookId, fileId(req));
    const s = services();
    // Five minutes: long enough to open, too short to pass around.
    const url = await getSignedUrl(s.s3, new GetObjectCommand({ Bucket: s.bucket, Key: file.key, ...servedAs(file) }), { expiresIn: 300 });
    res.set("cache-control", "no-store").redirect(302, url);
  });

  router.delete(`${path}/:fileId`, member, async (req, res) => {
    const { owner, notebookId } = await scope(req, "edit");
    await deleteFile(await deps.database(), owner, notebookId, fileId(req), services());
    res.status(204).end();
  });
}

/**
 * How the bucket serves a knowledge file back: never as something the browser runs. PDF stays
 * inline for the viewer; Markdown and text are shown as UTF-8 text; HTML is downloaded, as plain
 * text (its scripts would otherwise run on the bucket's origin); DOCX is downloaded.
 */
export function servedAs(file: { name: string; type: string }): { ResponseContentType: string; ResponseContentDisposition: string } {
  const as = (type: string, disposition: "inline" | "attachment") => ({ ResponseContentType: type, ResponseContentDisposition: contentDisposition(file.name, { type: disposition }) });
  switch (file.type) {
    case "application/pdf":
      return as("application/pdf", "inline");
    case "text/markdown":
    case "text/plain":
      return as(`${file.type}; charset=utf-8`, "inline");
    case "text/html":
      return as("text/plain; charset=utf-8", "attachment");
    default:
      return as("application/octet-stream", "attachment");
  }
}
