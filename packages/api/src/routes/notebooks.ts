import { ExportQuery, ModelPolicy as ModelPolicyBody, NotebookInput, NotebookQuery, SpendCapsRequest } from "@tandem/client/contract";
import { deleteNotebookAndData } from "@tandem/core/deletion";
import { accountModels, withAccountAccess } from "../http/account-models.js";
import { setSpendCaps, spendSummary } from "@tandem/core/spend";
import {
  allowedModels,
  chooseModel,
  defaultModelId,
  createNotebook,
  DEFAULT_TITLE,
  deleteMessage,
  editAndResend,
  exportNotebook,
  nameNotebook,
  regenerateReply,
  listNotebooks,
  notebookWithMessages,
  sendMessage,
  setModelPolicy,
  updateNotebook,
  type ChatServices,
  type NotebookMessage,
  type SendOptions,
} from "@tandem/core/notebooks";
import { Router, type Request, type Response } from "express";
import type { AppDeps } from "../deps.js";
import { actorOf, audited } from "../http/audit.js";
import { requireAuth } from "../http/auth.js";
import { currentOrganisation, notebookOwner, organisationAccess } from "../http/organisation.js";
import { problemOf } from "../http/problem.js";
import { body, parse, query } from "../http/validate.js";

/**
 * Notebooks and their streamed chat. A reply streams as text/event-stream (start, delta...,
 * done | error); closing the connection stops the model upstream and saves the reply as stopped.
 */
export function notebookRoutes(deps: AppDeps): Router {
  const router = Router();
  const member = organisationAccess(deps, "member");
  const admin = organisationAccess(deps, "admin");
  // The organisation's model policy came with the membership check (organisationAccess).
  const services = async (req: Request): Promise<ChatServices> => ({
    bedrock: deps.ai.bedrock,
    catalog: deps.ai.catalog,
    policy: currentOrganisation(req).policy,
    organisationName: currentOrganisation(req).name,
    // Thresholds of spend caps crossed: mailed by the jobs consumer (after the answer).
    onSpendAlerts: (alerts) => {
      for (const alert of alerts) void deps.jobs.enqueue({ kind: "mail.spend_alert", ...alert }).catch((error: unknown) => req.log.error({ err: error }, "spend alert not queued"));
    },
  });

  router.get("/api/orgs/:orgId/models", member, async (req, res) => {
    // `models`: what the caller may use (the policy with their groups applied); `policy`: the organisation's, as its admins set it.
    const s = await services(req);
    const p = currentOrganisation(req).organisationPolicy;
    // With AWS: what the account's Bedrock offers, and the catalog's models it cannot run marked so.
    const { account, problem } = await accountModels(deps);
    res.json({
      models: withAccountAccess(allowedModels(s), account),
      available: withAccountAccess(s.catalog.chatModels(), account),
      defaultModelId: defaultModelId(s),
      policy: { allowedModelIds: p.allowedModelIds, guardrail: p.guardrail ?? null, groups: (p.groups ?? []).map((g) => ({ groupId: g.groupId, models: g.modelIds })) },
      account: account ? { checkedAt: account.checkedAt.toISOString(), models: account.models } : null,
      ...(problem ? { accountProblem: problem } : {}),
    });
  });

  // Spend caps: every member sees them and what was spent; admins set them.
  router.get("/api/orgs/:orgId/spend", member, async (req, res) => {
    res.json(await spendSummary(await deps.database(), currentOrganisation(req).id, requireAuth(req).userId));
  });
  router.put("/api/orgs/:orgId/spend-caps", admin, async (req, res) => {
    const orgId = currentOrganisation(req).id;
    const caps = await audited(deps, req, { tenantId: orgId, actor: actorOf(req), action: "spend_caps.changed", target: { type: "organisation", id: orgId } }, async () => setSpendCaps(await deps.database(), orgId, body(req, SpendCapsRequest)), (c) => ({
      details: {
        organisationDayUsd: c.organisation?.dayUsd ?? "none",
        organisationMonthUsd: c.organisation?.monthUsd ?? "none",
        memberDayUsd: c.member?.dayUsd ?? "none",
        memberMonthUsd: c.member?.monthUsd ?? "none",
        groups: (c.groups ?? []).map((g) => `${g.groupId}:${g.dayUsd ?? "none"}/${g.monthUsd ?? "none"}`).join(" ") || "none",
      },
    }));
    res.json(await spendSummary(await deps.database(), orgId, requireAuth(req).userId).then((s) => ({ ...s, caps })));
  });

  router.put("/api/orgs/:orgId/model-policy", admin, async (req, res) => {
    const orgId = currentOrganisation(req).id;
    const policy = await audited(deps, req, { tenantId: orgId, actor: actorOf(req), action: "model_policy.changed", target: { type: "organisation", id: orgId } }, async () => setModelPolicy(await deps.database(), orgId, deps.ai.catalog, body(req, ModelPolicyBody)), (p) => ({
      details: { allowedModels: p.allowedModelIds.length, allowedModelIds: p.allowedModelIds.join(" "), guardrail: p.guardrail ? p.guardrail.id : "none", groups: (p.groups ?? []).map((g) => `${g.groupId}:${g.modelIds.join(",")}`).join(" ") || "none" },
    }));
    res.json({ allowedModelIds: policy.allowedModelIds, guardrail: policy.guardrail ?? null, groups: (policy.groups ?? []).map((g) => ({ groupId: g.groupId, models: g.modelIds })) });
  });

  router.get("/api/orgs/:orgId/notebooks", member, async (req, res) => {
    const q = query(req, NotebookQuery);
    res.json(await listNotebooks(await deps.database(), notebookOwner(req), { cursor: q.cursor, limit: q.limit, query: q.q }));
  });

  router.post("/api/orgs/:orgId/notebooks", member, async (req, res) => {
    const s = await services(req);
    const input = parse(NotebookInput, req.body ?? {}, "body");
    if (input.modelId) chooseModel(s, input.modelId);
    const notebook = await createNotebook(await deps.database(), notebookOwner(req), input, { modelId: defaultModelId(s) });
    res.status(201).json({ notebook });
  });

  router.get("/api/orgs/:orgId/notebooks/:notebookId", member, async (req, res) => {
    res.json(await notebookWithMessages(await deps.database(), notebookOwner(req), String(req.params.notebookId)));
  });

  router.patch("/api/orgs/:orgId/notebooks/:notebookId", member, async (req, res) => {
    const input = parse(NotebookInput, req.body ?? {}, "body");
    if (input.modelId) chooseModel(await services(req), input.modelId);
    res.json({ notebook: await updateNotebook(await deps.database(), notebookOwner(req), String(req.params.notebookId), input) });
  });

  router.delete("/api/orgs/:orgId/notebooks/:notebookId", member, async (req, res) => {
    // Its messages, files and images go too; what storage could not remove now, housekeeping removes.
    const buckets = [deps.storage.knowledgeBucket, deps.storage.imagesBucket].filter((b): b is string => Boolean(b));
    const { complete } = await deleteNotebookAndData(await deps.database(), notebookOwner(req), String(req.params.notebookId), { s3: deps.storage.s3, buckets });
    if (!complete) req.log.warn({ notebookId: req.params.notebookId }, "notebook deleted; some of its files are left for housekeeping");
    res.status(204).end();
  });

  router.get("/api/orgs/:orgId/notebooks/:notebookId/export", member, async (req, res) => {
    const { format } = query(req, ExportQuery);
    const file = await exportNotebook(await deps.database(), notebookOwner(req), String(req.params.notebookId), format);
    res.type(file.contentType).attachment(file.filename).send(file.body);
  });

  /**
   * A reply streamed as text/event-stream: start, delta..., done or error; then, when this
   * exchange named the notebook (its first complete one), title.
   */
  const streamReply = async (req: Request, res: Response, run: (s: ChatServices, options: SendOptions) => Promise<NotebookMessage>) => {
    const s = await services(req);
    const controller = new AbortController();
    let streaming = false;
    let question = "";
    let unnamed = false;
    // A closed tab (or a stop button that drops the request) stops the model upstream.
    res.on("close", () => {
      if (!res.writableEnded) controller.abort();
    });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    try {
      const message = await run(s, {
        signal: controller.signal,
        onStart: ({ user, assistant, notebook }) => {
          streaming = true;
          question = user.content;
          unnamed = notebook.title === DEFAULT_TITLE;
          res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" });
          send("start", { userMessage: user, assistantMessage: assistant });
        },
        onDelta: (text) => send("delta", { text }),
      });
      if (res.writableEnded || res.destroyed) return;
      send("done", { message });
      if (unnamed && message.status === "complete" && message.modelId) {
        const model = s.catalog.find(message.modelId);
        const named = model ? await nameNotebook(await deps.database(), notebookOwner(req), String(req.params.notebookId), { question, answer: message.content, model }, s).catch((error: unknown) => req.log.warn({ err: error }, "notebook not named")) : undefined;
        if (named && !res.destroyed) send("title", { notebook: named });
      }
      if (!res.destroyed) res.end();
    } catch (error) {
      // Before the stream starts, errors are ordinary problem answers.
      if (!streaming) throw error;
      req.log.warn({ err: error }, "reply failed");
      if (!res.destroyed) {
        send("error", problemOf(error, { instance: req.originalUrl, requestId: String(req.id ?? "") }));
        res.end();
      }
    }
  };

  router.post("/api/orgs/:orgId/notebooks/:notebookId/messages", member, async (req, res) => {
    await streamReply(req, res, async (s, options) => sendMessage(await deps.database(), notebookOwner(req), String(req.params.notebookId), req.body, s, options));
  });
  router.post("/api/orgs/:orgId/notebooks/:notebookId/messages/:messageId/regenerate", member, async (req, res) => {
    await streamReply(req, res, async (s, options) => regenerateReply(await deps.database(), notebookOwner(req), String(req.params.notebookId), String(req.params.messageId), req.body ?? {}, s, options));
  });
  router.patch("/api/orgs/:orgId/notebooks/:notebookId/messages/:messageId", member, async (req, res) => {
    await streamReply(req, res, async (s, options) => editAndResend(await deps.database(), notebookOwner(req), String(req.params.notebookId), String(req.params.messageId), req.body, s, options));
  });
  router.delete("/api/orgs/:orgId/notebooks/:notebookId/messages/:messageId", member, async (req, res) => {
    res.json({ deleted: await deleteMessage(await deps.database(), notebookOwner(req), String(req.params.notebookId), String(req.params.messageId)) });
  });
  return router;
}
