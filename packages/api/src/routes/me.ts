import { ChangeEmailRequest, ChangePasswordRequest, EmailRequest, TokenRequest, UpdateMeRequest, type AcceptedResponse, type AccountResponse } from "@tandem/client/contract";
import {
  CHANGE_EMAIL_TTL_MS,
  changePassword,
  confirmEmailChange,
  getAccount,
  issueToken,
  linkedProviders,
  renameAccount,
  requestEmailChange,
  setCurrentTenant,
  userModel,
  VERIFY_EMAIL_TTL_MS,
  Email,
} from "@tandem/core/identity";
import { changeEmailMail, verifyEmailMail } from "@tandem/core/mail";
import { listOrganisations, requireMember } from "@tandem/core/tenants";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { beginSession, requireAuth, requireSession } from "../http/auth.js";
import { body } from "../http/validate.js";

/** The signed-in person: profile, organisation switch, password, email. */
export function meRoutes(deps: AppDeps): Router {
  const router = Router();
  const link = (path: string, token: string) => `${deps.appUrl}${path}?token=${encodeURIComponent(token)}`;

  router.get("/api/me", async (req, res) => {
    const auth = requireAuth(req);
    const database = await deps.database();
    const [account, organisations, providers] = await Promise.all([getAccount(database, auth.userId), listOrganisations(database, auth.userId), linkedProviders(database, auth.userId)]);
    // An API key sees only its own organisation.
    const visible = auth.apiKey ? organisations.filter((o) => o.id === auth.apiKey!.tenantId) : organisations;
    res.json({ account, organisations: visible, linkedProviders: providers, authenticatedWith: auth.via });
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
    await deps.mailer.send(changeEmailMail({ to: change.email, name: change.account.name, url: link("/confirm-email", change.token), expiresInHours: CHANGE_EMAIL_TTL_MS / 3_600_000 }));
    res.status(202).json({ status: `We sent a confirmation link to ${change.email}. Your address changes when you open it.` } satisfies AcceptedResponse);
  });

  router.post("/api/accounts/email-change/confirm", async (req, res) => {
    const account = await confirmEmailChange(await deps.database(), body(req, TokenRequest).token);
    res.json({ account } satisfies AccountResponse);
  });

  router.post("/api/accounts/verify-email/resend", async (req, res) => {
    const parsed = Email.safeParse(body(req, EmailRequest).email);
    if (parsed.success) {
      const database = await deps.database();
      const user = await userModel(database).findOne({ email: parsed.data, status: "active", emailVerifiedAt: null }).lean();
      if (user) {
        const token = await issueToken(database, { userId: user._id, purpose: "verify_email", ttlMs: VERIFY_EMAIL_TTL_MS });
        await deps.mailer.send(verifyEmailMail({ to: user.email, name: user.name, url: link("/verify-email", token), expiresInHours: VERIFY_EMAIL_TTL_MS / 3_600_000 }));
      }
    }
    // The same answer either way, so addresses cannot be probed.
    res.status(202).json({ status: "If this address has an unconfirmed account, a new link is on its way." } satisfies AcceptedResponse);
  });
  return router;
}
