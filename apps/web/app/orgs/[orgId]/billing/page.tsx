"use client";

import { Button } from "@mantine/core";
import type { BillingSummaryResponse, OrgUsageResponse, SpendSummaryResponse } from "@tandem/client/contract";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { api, ApiProblem } from "../../../../lib/browser-api";
import { ErrorBox, Field, Notice, useSubmit } from "../../../ui/form";

type Billing = BillingSummaryResponse;
type Spend = SpendSummaryResponse;
type Usage = OrgUsageResponse;

// recharts loads with the chart only (not in the page's first JavaScript).
const UsageChart = dynamic(() => import("../../../admin/ui/usage-chart"), { ssr: false, loading: () => <div className="chart" aria-hidden="true" /> });
const shortDay = (key: string) => new Date(`${key}T00:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

const money = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" }) : "—");
const capValue = (v: number | null | undefined) => (v === null || v === undefined ? "" : String(v));
const cap = (v: number | null | undefined) => (v === null || v === undefined ? "no cap" : money(v));

/** Organisation admins: the plan, Stripe's portal and Checkout, prepaid credits and the spend caps. */
export default function BillingPage({ params, searchParams }: { params: { orgId: string }; searchParams: { checkout?: string } }) {
  const base = `/api/orgs/${encodeURIComponent(params.orgId)}`;
  const [billing, setBilling] = useState<Billing | undefined>();
  const [spend, setSpend] = useState<Spend | undefined>();
  const [usage, setUsage] = useState<Usage | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [going, setGoing] = useState<string | undefined>();

  const load = useCallback(async () => {
    try {
      const [b, s, u] = await Promise.all([api<Billing>(`${base}/billing`), api<Spend>(`${base}/spend`).catch(() => undefined), api<Usage>(`${base}/usage?days=30`).catch(() => undefined)]);
      setBilling(b);
      setSpend(s);
      setUsage(u);
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) window.location.href = `/sign-in?next=/orgs/${params.orgId}/billing`;
      else setProblem(error instanceof Error ? error.message : String(error));
    }
  }, [base, params.orgId]);
  useEffect(() => {
    void load();
  }, [load]);

  async function redirect(what: string, path: string, body?: unknown) {
    setGoing(what);
    setProblem(undefined);
    try {
      const { url } = await api<{ url: string }>(path, { method: "POST", body: body ?? {} });
      window.location.href = url;
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
      setGoing(undefined);
    }
  }
  const buy = useSubmit(
    (v) => api<{ url: string }>(`${base}/billing/checkout`, { body: { kind: "credits", amountUsd: Number(v.amountUsd) } }),
    (r) => {
      window.location.href = r.url;
    },
  );

  // A blank field is no cap; anything else goes to the API as typed, which says what is wrong with it.
  const [capsSaved, setCapsSaved] = useState(false);
  const amount = (v: string | undefined) => (v === undefined || v.trim() === "" ? null : Number.isFinite(Number(v)) ? Number(v) : v);
  const saveCaps = useSubmit(
    (v) =>
      api<Spend>(`${base}/spend-caps`, {
        method: "PUT",
        body: {
          organisation: { dayUsd: amount(v["organisation.dayUsd"]), monthUsd: amount(v["organisation.monthUsd"]) },
          member: { dayUsd: amount(v["member.dayUsd"]), monthUsd: amount(v["member.monthUsd"]) },
        },
      }),
    (r) => {
      setSpend(r);
      setCapsSaved(true);
    },
  );

  const back = <Link href={`/orgs/${params.orgId}`}>Back to the organisation</Link>;
  if (problem && !billing) return <main><h1>Billing</h1><p className="error" role="alert" data-testid="billing-problem">{problem}</p>{back}</main>;
  if (!billing) return <main><h1>Billing</h1><p className="notice">Loading…</p></main>;
  const { enabled, plan, plans, credits } = billing;

  return (
    <main>
      <h1>Billing</h1>
      <p className="lead">{back}</p>
      {searchParams.checkout === "done" ? <Notice testId="checkout-note">Thank you: your payment is confirmed. Changes may take a minute to show here.</Notice> : null}
      {searchParams.checkout === "cancelled" ? <Notice testId="checkout-note">Checkout was cancelled; nothing was charged.</Notice> : null}
      {!enabled ? <p className="notice" data-testid="billing-off">Billing is not set up on this stage. Plans and credits cannot be bought here.</p> : null}
      {problem ? <p className="error" role="alert">{problem}</p> : null}

      <section className="card stack" aria-label="Plan">
        <h2>Plan</h2>
        <p data-testid="plan">
          <strong>{plan.tier}</strong>
          {plan.subscriptionStatus ? <> · <span data-testid="plan-status">{plan.subscriptionStatus}</span></> : <small> · no subscription</small>}
        </p>
        {plan.trialEnd ? <p className="meta">Trial ends {day(plan.trialEnd)}.</p> : null}
        {plan.currentPeriodEnd ? <p className="meta">{plan.cancelAtPeriodEnd ? `Cancels at the end of the period, ${day(plan.currentPeriodEnd)}.` : `Renews ${day(plan.currentPeriodEnd)}.`}</p> : null}
        {enabled ? (
          <Button type="button" disabled={going !== undefined} onClick={() => void redirect("portal", `${base}/billing/portal`)} data-testid="manage-billing">
            Manage billing
          </Button>
        ) : null}
        {enabled ? <p className="meta">Invoices, card, plan changes and cancellation are in Stripe&apos;s billing portal.</p> : null}
      </section>

      <section className="card stack" aria-label="Plans">
        <h2>Plans</h2>
        {plans.length === 0 ? <p className="meta">No plans are for sale.</p> : (
        <ul className="list" data-testid="plans">
          {plans.map((p) => (
            <li key={p.tier}>
              <span>
                {p.tier} <small>{p.members === null ? "any number of members" : `${p.members} members`} · {p.files === null ? "unlimited files" : `${p.files} files`}</small>
              </span>
              {enabled && p.tier !== plan.tier ? (
                <Button type="button" disabled={going !== undefined} onClick={() => void redirect(p.tier, `${base}/billing/checkout`, { kind: "plan", tier: p.tier })}>
                  Choose
                </Button>
              ) : p.tier === plan.tier ? <small>current</small> : null}
            </li>
          ))}
        </ul>
        )}
      </section>

      <section className="card stack" aria-label="Credits">
        <h2>Credits</h2>
        <p>
          Balance <strong data-testid="credits-balance">{money(credits.balanceUsd)}</strong> <small>· purchased {money(credits.purchasedUsd)} · spent {money(credits.spentUsd)}</small>
        </p>
        {credits.entries.length > 0 ? (
          <ul className="list" data-testid="credit-entries">
            {credits.entries.map((e, i) => (
              <li key={`${e.at}-${i}`}>
                <span>
                  {e.kind} <small>{new Date(e.at).toLocaleString("en-GB")}</small>
                </span>
                <span>{money(e.amountUsd)}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="meta">No credits bought or spent yet.</p>
        )}
        {enabled ? (
          <form className="stack" onSubmit={buy.onSubmit} noValidate aria-label="Buy credits">
            <Field name="amountUsd" label="Amount in dollars" type="number" error={buy.error} hint="Whole dollars, 10 to 10,000" />
            <ErrorBox error={buy.error} />
            <Button type="submit" loading={buy.pending}>Buy credits</Button>
          </form>
        ) : null}
      </section>

      {usage ? (
        <section className="card stack" aria-label="Usage" data-testid="org-usage">
          <h2>Usage, last 30 days</h2>
          <p role="img" aria-label={`Model cost by day over the last 30 days: ${money(usage.totalUsd)} in all`}>
            <strong data-testid="usage-total">{money(usage.totalUsd)}</strong> <small>· {usage.byModel.reduce((n, m) => n + m.calls, 0)} model calls</small>
          </p>
          <UsageChart bars={usage.byDay.map((d) => ({ key: d.day, label: shortDay(d.day), value: d.costUsd, events: d.calls }))} unit="USD" />
          <h3>By model</h3>
          {usage.byModel.length ? (
            <ul className="list" data-testid="usage-by-model">
              {usage.byModel.map((m) => (
                <li key={m.modelId}>
                  <span>{m.modelId} <small>· {m.calls} calls · {(m.inputTokens + m.outputTokens).toLocaleString("en-GB")} tokens</small></span>
                  <span>{money(m.costUsd)}</span>
                </li>
              ))}
            </ul>
          ) : <p className="meta">No model calls in these 30 days.</p>}
          <h3>By member</h3>
          {usage.byMember.length ? (
            <ul className="list" data-testid="usage-by-member">
              {usage.byMember.map((m) => (
                <li key={m.userId}>
                  <span>{m.name} <small>· {m.calls} calls</small></span>
                  <span>{money(m.costUsd)}</span>
                </li>
              ))}
            </ul>
          ) : <p className="meta">No member has used a model in these 30 days.</p>}
        </section>
      ) : null}

      {spend ? (
        <section className="card stack" aria-label="Spend caps" data-testid="spend">
          <h2>Spend and caps</h2>
          <ul className="list">
            <li>
              <span>Organisation today</span>
              <span>{money(spend.spent.organisation.dayUsd)} <small>{spend.caps.organisation?.dayUsd == null ? "· no cap" : `of ${cap(spend.caps.organisation.dayUsd)}`}</small></span>
            </li>
            <li>
              <span>Organisation this month</span>
              <span>{money(spend.spent.organisation.monthUsd)} <small>{spend.caps.organisation?.monthUsd == null ? "· no cap" : `of ${cap(spend.caps.organisation.monthUsd)}`}</small></span>
            </li>
            <li>
              <span>Each member</span>
              <span><small>{cap(spend.caps.member?.dayUsd)} a day · {cap(spend.caps.member?.monthUsd)} a month</small></span>
            </li>
          </ul>
          <p className="meta">Days and months are UTC. A reply that would go over a cap is refused before the model is called; owners and admins are mailed at 50, 80 and 100 %.</p>
          <form className="stack" onSubmit={(e) => { setCapsSaved(false); void saveCaps.onSubmit(e); }} noValidate aria-label="Change the spend caps" data-testid="caps-form">
            <h3>Change the caps</h3>
            <div className="grid-2">
              <Field name="organisation.dayUsd" id="cap-org-day" label="Organisation, per day ($)" type="number" required={false} defaultValue={capValue(spend.caps.organisation?.dayUsd)} error={saveCaps.error} hint="Blank: no cap" />
              <Field name="organisation.monthUsd" id="cap-org-month" label="Organisation, per month ($)" type="number" required={false} defaultValue={capValue(spend.caps.organisation?.monthUsd)} error={saveCaps.error} hint="Blank: no cap" />
              <Field name="member.dayUsd" id="cap-member-day" label="Each member, per day ($)" type="number" required={false} defaultValue={capValue(spend.caps.member?.dayUsd)} error={saveCaps.error} hint="Blank: no cap" />
              <Field name="member.monthUsd" id="cap-member-month" label="Each member, per month ($)" type="number" required={false} defaultValue={capValue(spend.caps.member?.monthUsd)} error={saveCaps.error} hint="Blank: no cap" />
            </div>
            <ErrorBox error={saveCaps.error} />
            {capsSaved ? <p className="notice" role="status" data-testid="caps-saved">The caps are saved and apply to the next reply.</p> : null}
            <Button type="submit" loading={saveCaps.pending}>Save caps</Button>
          </form>
        </section>
      ) : null}
    </main>
  );
}
