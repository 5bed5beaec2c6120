"use client";

import { TokenLanding } from "../ui/token-landing";

export default function VerifyEmailPage({ searchParams }: { searchParams: { token?: string } }) {
  return (
    <TokenLanding
      title="Confirm your email"
      token={searchParams.token}
      endpoint="/api/accounts/verify-email"
      working="Confirming your address…"
      done="Your email address is confirmed. You can sign in now."
      next={{ href: "/sign-in", label: "Sign in" }}
    />
  );
}
