"use client";

import { Button } from "@mantine/core";
import type { ApiKey, ApiKeyCreatedResponse, Invite, Member, Organisation } from "@tandem/client/contract";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { api, ApiProblem } from "../../../lib/browser-api";
import { ErrorBox, Field, Notice, useSubmit } from "../../ui/form";
import { useSession } from "../../ui/session";

type Loaded = { organisation: Organisation; members: Member[]; invites: Invite[]; apiKeys: ApiKey[] };

export default function OrganisationPage({ params }: { params: { orgId: string } }) {
  const base = `/api/orgs/${encodeURIComponent(params.orgId)}`;
  const session = useSession();
  const [data, setData] = useState<Loaded | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [note, setNote] = useState<string | undefined>();
  const [secret, setSecret] = useState<string | undefined>();

  const load = useCallback(async () => {
    try {
      const { organisation } = await api<{ organisation: Organisation }>(base);
      const admin = organisation.role !== "member";
      const [members, invites, apiKeys] = await Promise.all([
        api<{ members: Member[] }>(`${base}/members`),
        admin ? api<{ invites: Invite[] }>(`${base}/invites`) : Promise.resolve({ invites: [] }),
        api<{ apiKeys: ApiKey[] }>(`${base}/api-keys`),
      ]);
      setData({ organisation, members: members.members, invites: invites.invites, apiKeys: apiKeys.apiKeys });
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) window.location.href = `/sign-in?next=/orgs/${params.orgId}`;
      else setProblem(error instanceof Error ? error.message : String(error));
    }
  }, [base, params.orgId]);
  useEffect(() => {
    void load();
  }, [load]);

  const invite = useSubmit((v) => api<{ invite: Invite; mailSent: boolean }>(`${base}/invites`, { body: { email: v.email, role: v.role } }), (r) => {
    setNote(r.mailSent ? `Invitation sent to ${r.invite.email}.` : `The invitation to ${r.invite.email} exists, but its mail could not be sent. Revoke it and invite again later.`);
    void load();
  }, { reset: true });
  const rename = useSubmit((v) => api(`${base}`, { method: "PATCH", body: { name: v.name } }), () => {
    setNote("The organisation is renamed.");
    void load();
  });
  const newKey = useSubmit((v) => api<ApiKeyCreatedResponse>(`${base}/api-keys`, { body: { name: v.name, scopes: v.scope === "write" ? ["read", "write"] : ["read"] } }), (r) => {
    setSecret(r.secret);
    void load();
  }, { reset: true });

  async function act(path: string, method: "DELETE" | "PATCH", body?: unknown, done?: string) {
    try {
      await api(path, { method, body });
      setNote(done);
      if (path.endsWith(`/members/${session.status === "signed-in" ? session.me.account.id : ""}`) && method === "DELETE") window.location.href = "/";
      else await load();
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  }

  if (problem && !data) return <main><p className="error" role="alert">{problem}</p><Link href="/">Back to your organisations</Link></main>;
  if (!data) return <main><p className="notice">Loading…</p></main>;
  const { organisation, members, invites, apiKeys } = data;
  const admin = organisation.role !== "member";
  const myId = session.status === "signed-in" ? session.me.account.id : "";

  return (
    <main>
      <h1 data-testid="org-name">{organisation.name}</h1>
      <p className="lead">
        You are {organisation.role} · <Link href={`/orgs/${params.orgId}/notebooks`} data-testid="notebooks-link">Notebooks</Link> · {admin ? <><Link href={`/orgs/${params.orgId}/billing`} data-testid="billing-link">Billing</Link> · </> : null}<Link href="/">All organisations</Link>
      </p>
      {note ? <Notice testId="org-note">{note}</Notice> : null}
      {problem ? <p className="error" role="alert">{problem}</p> : null}

      <section className="card stack" aria-label="Members">
        <h2>Members</h2>
        <ul className="list" data-testid="members">
          {members.map((m) => (
            <li key={m.userId}>
              <span>
                {m.name} <small>{m.email}</small>
              </span>
              <span className="actions">
                {admin && m.userId !== myId && (m.role !== "owner" || organisation.role === "owner") ? (
                  <>
                    <select aria-label={`Role of ${m.name}`} value={m.role} onChange={(e) => void act(`${base}/members/${m.userId}`, "PATCH", { role: e.target.value }, `${m.name} is now ${e.target.value}.`)}>
                      <option value="member">member</option>
                      <option value="admin">admin</option>
                      {organisation.role === "owner" ? <option value="owner">owner</option> : null}
                    </select>
                    <Button type="button" variant="subtle" color="red" size="compact-sm" onClick={() => void act(`${base}/members/${m.userId}`, "DELETE", undefined, `${m.name} was removed.`)}>
                      Remove
                    </Button>
                  </>
                ) : (
                  <small>{m.role}</small>
                )}
                {m.userId === myId ? (
                  <Button type="button" variant="subtle" size="compact-sm" onClick={() => void act(`${base}/members/${m.userId}`, "DELETE", undefined, "You left.")}>
                    Leave
                  </Button>
                ) : null}
              </span>
            </li>
          ))}
        </ul>
      </section>

      {admin ? (
        <section className="card stack" aria-label="Invitations">
          <h2>Invitations</h2>
          <form className="stack" onSubmit={invite.onSubmit} noValidate>
            <Field name="email" label="Email to invite" type="email" error={invite.error} />
            <label className="field">
              <span>Role</span>
              <select name="role" defaultValue="member">
                <option value="member">member</option>
                <option value="admin">admin</option>
                {organisation.role === "owner" ? <option value="owner">owner</option> : null}
              </select>
            </label>
            <ErrorBox error={invite.error} />
            <Button type="submit" loading={invite.pending}>Send invitation</Button>
          </form>
          <ul className="list" data-testid="invites">
            {invites.map((i) => (
              <li key={i.id}>
                <span>
                  {i.email} <small>{i.role} · until {new Date(i.expiresAt).toLocaleDateString("en-GB")}</small>
                </span>
                <Button type="button" variant="subtle" color="red" size="compact-sm" onClick={() => void act(`${base}/invites/${i.id}`, "DELETE", undefined, `The invitation to ${i.email} is revoked.`)}>
                  Revoke
                </Button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="card stack" aria-label="API keys">
        <h2>Your API keys</h2>
        <p className="meta">For scripts and @tandem/client in this organisation. Send a key as Authorization: Bearer &lt;key&gt;.</p>
        {secret ? (
          <p className="notice" data-testid="api-key-secret">
            Copy this key now; it will not be shown again: <code>{secret}</code>
          </p>
        ) : null}
        <form className="stack" onSubmit={newKey.onSubmit} noValidate>
          <Field name="name" label="Key name" error={newKey.error} hint="What uses it, e.g. nightly export" />
          <label className="field">
            <span>Access</span>
            <select name="scope" defaultValue="read">
              <option value="read">read only</option>
              <option value="write">read and write</option>
            </select>
          </label>
          <ErrorBox error={newKey.error} />
          <Button type="submit" loading={newKey.pending}>Create key</Button>
        </form>
        <ul className="list">
          {apiKeys.map((k) => (
            <li key={k.id}>
              <span>
                {k.name} <small>{k.hint}… · {k.scopes.join(", ")} · {k.lastUsedAt ? `used ${new Date(k.lastUsedAt).toLocaleString("en-GB")}` : "never used"}</small>
              </span>
              <Button type="button" variant="subtle" color="red" size="compact-sm" onClick={() => void act(`${base}/api-keys/${k.id}`, "DELETE", undefined, `The key "${k.name}" is revoked.`)}>
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      </section>

      {admin ? <ModelPolicyPanel base={base} /> : null}

      {admin ? (
        <form className="card stack" onSubmit={rename.onSubmit} noValidate>
          <h2>Name</h2>
          <Field name="name" label="Organisation name" defaultValue={organisation.name} error={rename.error} />
          <ErrorBox error={rename.error} />
          <Button type="submit" loading={rename.pending}>Rename</Button>
        </form>
      ) : null}
    </main>
  );
}

/** Admins choose which chat models members may use, and a Bedrock guardrail. */
function ModelPolicyPanel({ base }: { base: string }) {
  const [models, setModels] = useState<Array<{ id: string; name: string; local: boolean }>>([]);
  const [allowed, setAllowed] = useState<string[]>([]);
  const [note, setNote] = useState<string | undefined>();
  useEffect(() => {
    api<{ available: Array<{ id: string; name: string; local: boolean }>; policy: { allowedModelIds: string[] } }>(`${base}/models`).then(
      (r) => {
        setModels(r.available);
        setAllowed(r.policy.allowedModelIds);
      },
      () => undefined,
    );
  }, [base]);
  const save = useSubmit(
    (v) =>
      api(`${base}/model-policy`, {
        method: "PUT",
        body: { allowedModelIds: allowed, guardrail: v.guardrailId ? { id: v.guardrailId, version: v.guardrailVersion || "DRAFT" } : null },
      }),
    () => setNote("Model settings saved."),
  );
  return (
    <form className="card stack" onSubmit={save.onSubmit} noValidate aria-label="Models">
      <h2>Models</h2>
      <p className="meta">Members may use the ticked models (none ticked: all). A Bedrock guardrail, when given, applies to every reply.</p>
      {note ? <Notice>{note}</Notice> : null}
      {models.map((m) => (
        <label key={m.id} className="check">
          <input type="checkbox" checked={allowed.includes(m.id)} onChange={(e) => setAllowed((list) => (e.target.checked ? [...list, m.id] : list.filter((id) => id !== m.id)))} /> {m.name}
        </label>
      ))}
      <Field name="guardrailId" label="Guardrail id (optional)" required={false} error={save.error} />
      <Field name="guardrailVersion" label="Guardrail version" required={false} error={save.error} hint="DRAFT or a number" />
      <ErrorBox error={save.error} />
      <Button type="submit" loading={save.pending}>Save model settings</Button>
    </form>
  );
}
