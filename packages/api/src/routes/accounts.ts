import { PasswordResetConfirmRequest, PasswordResetRequest, SignUpRequest, TokenRequest, type AccountResponse, type SignUpResponse } from "@tandem/client/contract";
import { requestPasswordReset, resetPassword, RESET_PASSWORD_TTL_MS, signUp, verifyEmail, VERIFY_EMAIL_TTL_MS } from "@tandem/core/identity";
import { resetPasswordMail, verifyEmailMail } from "@tandem/core/mail";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { body } from "../http/validate.js";

export function accountRoutes(deps: AppDeps): Router {
  const router = Router();
  const link = (path: string, token: string) => `${deps.appUrl}${path}?token=${encodeURIComponent(token)}`;

  router.post("/api/accounts", async (req, res) => {
    const { account, verifyToken } = await signUp(await deps.database(), body(req, SignUpRequest));
    // The account exists even if the mail fails; the failure is logged and told to the user.
    const verificationMailSent = await deps.mailer
      .send(verifyEmailMail({ to: account.email, name: account.name, url: link("/verify-email", verifyToken), expiresInHours: VERIFY_EMAIL_TTL_MS / 3_600_000 }))
      .then(() => true)
      .catch((error: unknown) => {
        req.log.error({ err: error, accountId: account.id }, "verification mail not sent");
        return false;
      });
    res.status(201).json({ account, verificationMailSent } satisfies SignUpResponse);
  });

  router.post("/api/accounts/verify-email", async (req, res) => {
    const account = await verifyEmail(await deps.database(), body(req, TokenRequest).token);
    res.json({ account } satisfies AccountResponse);
  });

  router.post("/api/accounts/password-reset", async (req, res) => {
    const request = await requestPasswordReset(await deps.database(), body(req, PasswordResetRequest).email);
    if (request) {
      await deps.mailer.send(
        resetPasswordMail({ to: request.account.email, name: request.account.name, url: link("/reset-password", request.token), expiresInMinutes: RESET_PASSWORD_TTL_MS / 60_000 }),
      );
    }
    // The same answer whether or not the address has an account, so it cannot be probed.
    res.status(202).json({ status: "If an account uses this address, a reset link is on its way." });
  });

  router.post("/api/accounts/password-reset/confirm", async (req, res) => {
    const { token, password } = body(req, PasswordResetConfirmRequest);
    const account = await resetPassword(await deps.database(), token, password);
    res.json({ account } satisfies AccountResponse);
  });
  return router;
}
