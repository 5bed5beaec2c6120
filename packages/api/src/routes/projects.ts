import { CreateProjectRequest, UpdateProjectRequest } from "@tandem/client/contract";
import { defaultModelId } from "@tandem/core/notebooks";
import { addProjectMember, createProject, deleteProject, listProjects, projectDetail, removeProjectMember, updateProject } from "@tandem/core/projects";
import { Router, type Request } from "express";
import type { AppDeps } from "../deps.js";
import { actorOf, audited } from "../http/audit.js";
import { currentOrganisation, notebookOwner, organisationAccess } from "../http/organisation.js";
import { body } from "../http/validate.js";

/**
 * Projects: notebooks grouped with shared instructions and knowledge files (their files are under
 * /projects/{id}/files, in routes/knowledge.ts), and their members. Anyone in the organisation may
 * start one; its owner manages it. Creation, deletion and membership changes are audited.
 */
export function projectRoutes(deps: AppDeps): Router {
  const router = Router();
  const member = organisationAccess(deps, "member");
  const base = "/api/orgs/:orgId/projects";
  const projectId = (req: Request) => String(req.params.projectId);
  const audit = (req: Request, action: string, id: string, details?: Record<string, string>) => ({ tenantId: currentOrganisation(req).id, actor: actorOf(req), action, target: { type: "project", id: id.slice(0, 24) }, details });

  router.get(base, member, async (req, res) => {
    res.json({ projects: await listProjects(await deps.database(), notebookOwner(req)) });
  });

  router.post(base, member, async (req, res) => {
    const input = body(req, CreateProjectRequest);
    const modelId = defaultModelId({ catalog: deps.ai.catalog, policy: currentOrganisation(req).policy });
    const project = await audited(deps, req, { ...audit(req, "project.created", ""), target: { type: "project", id: "new" }, details: { name: input.name } }, async () => createProject(await deps.database(), notebookOwner(req), input, { modelId }));
    res.status(201).json({ project });
  });

  router.get(`${base}/:projectId`, member, async (req, res) => {
    res.json(await projectDetail(await deps.database(), notebookOwner(req), projectId(req)));
  });

  router.patch(`${base}/:projectId`, member, async (req, res) => {
    const input = body(req, UpdateProjectRequest);
    res.json({ project: await updateProject(await deps.database(), notebookOwner(req), projectId(req), input) });
  });

  router.delete(`${base}/:projectId`, member, async (req, res) => {
    const buckets = [deps.storage.knowledgeBucket, deps.storage.imagesBucket].filter((b): b is string => Boolean(b));
    const { complete } = await audited(deps, req, audit(req, "project.deleted", projectId(req)), async () => deleteProject(await deps.database(), notebookOwner(req), projectId(req), { s3: deps.storage.s3, buckets }));
    if (!complete) req.log.warn({ projectId: projectId(req).slice(0, 24) }, "project deleted; some of its files are left for housekeeping");
    res.status(204).end();
  });

  router.put(`${base}/:projectId/members/:userId`, member, async (req, res) => {
    const userId = String(req.params.userId);
    const members = await audited(deps, req, audit(req, "project.member_added", projectId(req), { userId: userId.slice(0, 24) }), async () => addProjectMember(await deps.database(), notebookOwner(req), projectId(req), userId));
    res.json({ members });
  });

  router.delete(`${base}/:projectId/members/:userId`, member, async (req, res) => {
    const userId = String(req.params.userId);
    await audited(deps, req, audit(req, "project.member_removed", projectId(req), { userId: userId.slice(0, 24) }), async () => removeProjectMember(await deps.database(), notebookOwner(req), projectId(req), userId));
    res.status(204).end();
  });
  return router;
}
