"use client";

import { TokenLanding } from "../ui/token-landing";

export default function ConfirmEmailPage({ searchParams }: { searchParams: { token?: string } }) {
  return (
    <TokenLanding
      title="Confirm your new email"
      token={searchParams.token}
      endpoint="/api/accounts/email-change/confirm"
      working="Changing your address…"
      done="Your account now uses this email address."
      next={{ href: "/account", label: "Account settings" }}
    />
  );
}
