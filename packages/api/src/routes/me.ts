import { ChangeEmailRequest, ChangePasswordRequest, EmailRequest, TokenRequest, UpdateMeRequest, type AcceptedResponse, type AccountResponse, type MeResponse } from "@tandem/client/contract";
import {
  CHANGE_EMAIL_TTL_MS,
  changePassword,
  confirmEmailChange,
  getAccount,
  linkedProviders,
  renameAccount,
  requestEmailChange,
  setCurrentTenant,
  setTheme,
} from "@tandem/core/identity";
import { changeEmailMail } from "@tandem/core/mail";
import { listOrganisations, requireMember } from "@tandem/core/tenants";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { beginSession, requireAuth, requireSession } from "../http/auth.js";
import { tokenLink } from "../http/mail.js";
import { body } from "../http/validate.js";

/** The signed-in person: profile, organisation switch, password, email. */
export function meRoutes(deps: AppDeps): Router {
  const router = Router();

  router.get("/api/me", async (req, res) => {
    const auth = requireAuth(req);
    const database = await deps.database();
    const [account, organisations, providers] = await Promise.all([getAccount(database, auth.userId), listOrganisations(database, auth.userId), linkedProviders(database, auth.userId)]);
    // An API key sees only its own organisation.
    const visible = auth.apiKey ? organisations.filter((o) => o.id === auth.apiKey!.tenantId) : organisations;
    res.json({ account, organisations: visible, linkedProviders: providers, authenticatedWith: auth.via, defaultTheme: deps.config.defaultTheme } satisfies MeResponse);
  });

  // The PDF.js Express licence key is a browser-side key (locked to the site's domain by its
  // vendor); only signed-in people receive it, for the viewer that opens cited passages.
  router.get("/api/viewer-config", (req, res) => {
    requireAuth(req);
    res.set("cache-control", "no-store").json({ pdfExpressKey: deps.config.pdfViewerKey ?? null });
  });

  router.patch("/api/me", async (req, res) => {
    const auth = requireSession(req);
    const input = body(req, UpdateMeRequest);
    const database = await deps.database();
    let account = await getAccount(database, auth.userId);
    if (input.name !== undefined) account = await renameAccount(database, auth.userId, input.name);
    if (input.currentOrganisationId !== undefined) {
      if (input.currentOrganisationId !== null) await requireMember(database, input.currentOrganisationId, auth.userId);
      account = await setCurrentTenant(database, auth.userId, input.currentOrganisationId);
    }
    if (input.theme !== undefined) account = await setTheme(database, auth.userId, input.theme);
    res.json({ account } satisfies AccountResponse);
  });

  router.post("/api/me/password", async (req, res) => {
    const auth = requireSession(req);
    const account = await changePassword(await deps.database(), auth.userId, body(req, ChangePasswordRequest));
    // Every session ended with the change; this device gets a fresh one.
    await beginSession(deps, res, auth.userId);
    res.json({ account } satisfies AccountResponse);
  });

  router.post("/api/me/email", async (req, res) => {
    const auth = requireSession(req);
    const change = await requestEmailChange(await deps.database(), auth.userId, body(req, ChangeEmailRequest));
    await deps.mailer.send(changeEmailMail({ to: change.email, name: change.account.name, url: tokenLink(deps, "/confirm-email", change.token), expiresInHours: CHANGE_EMAIL_TTL_MS / 3_600_000 }));
    res.status(202).json({ status: `We sent a confirmation link to ${change.email}. Your address changes when you open it.` } satisfies AcceptedResponse);
  });

  router.post("/api/accounts/email-change/confirm", async (req, res) => {
    const account = await confirmEmailChange(await deps.database(), body(req, TokenRequest).token);
    res.json({ account } satisfies AccountResponse);
  });

  router.post("/api/accounts/verify-email/resend", async (req, res) => {
    // Queued: the same answer in the same time either way, so addresses cannot be probed.
    await deps.jobs.enqueue({ kind: "mail.verification", email: body(req, EmailRequest).email });
    res.status(202).json({ status: "If this address has an unconfirmed account, a new link is on its way." } satisfies AcceptedResponse);
  });
  return router;
}
