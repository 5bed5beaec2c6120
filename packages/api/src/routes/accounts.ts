import { PasswordResetConfirmRequest, PasswordResetRequest, SignUpRequest, TokenRequest, type AccountResponse, type SignUpResponse } from "@tandem/client/contract";
import { resetPassword, signUp, verifyEmail } from "@tandem/core/identity";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { sendReported, verificationMail } from "../http/mail.js";
import { body } from "../http/validate.js";

export function accountRoutes(deps: AppDeps): Router {
  const router = Router();

  router.post("/api/accounts", async (req, res) => {
    const { account, verifyToken } = await signUp(await deps.database(), body(req, SignUpRequest));
    // The account exists even if the mail fails; the failure is logged and told to the user.
    const verificationMailSent = await sendReported(deps, req, verificationMail(deps, account, verifyToken), { accountId: account.id, mail: "verification" });
    res.status(201).json({ account, verificationMailSent } satisfies SignUpResponse);
  });

  router.post("/api/accounts/verify-email", async (req, res) => {
    const account = await verifyEmail(await deps.database(), body(req, TokenRequest).token);
    res.json({ account } satisfies AccountResponse);
  });

  router.post("/api/accounts/password-reset", async (req, res) => {
    // Queued, not looked up: the same answer in the same time whether or not the address has an
    // account, so it cannot be probed (the lookup and the mail happen after the answer).
    await deps.jobs.enqueue({ kind: "mail.password_reset", email: body(req, PasswordResetRequest).email });
    res.status(202).json({ status: "If an account uses this address, a reset link is on its way." });
  });

  router.post("/api/accounts/password-reset/confirm", async (req, res) => {
    const { token, password } = body(req, PasswordResetConfirmRequest);
    const account = await resetPassword(await deps.database(), token, password);
    res.json({ account } satisfies AccountResponse);
  });
  return router;
}
