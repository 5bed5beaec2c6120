"use client";

import { useState, type FormEvent } from "react";
import { ApiProblem, describeError } from "../../../lib/browser-api";
import { controlPlane, day, SCOPES, type Client } from "../../../lib/control-plane";
import { ErrorBox, Field, Notice } from "../../ui/form";
import { ConfirmDialog } from "./confirm";
import { SecretOnce } from "./copy";
import { useOptional } from "./use-optional";

/** Client credentials for scripts (OAuth 2.0 client credentials): create one, see its secret once, revoke. */
export function ClientsPanel() {
  const clients = useOptional(() => controlPlane.clients(), []);
  const [created, setCreated] = useState<{ clientId: string; clientSecret: string } | undefined>();
  const [note, setNote] = useState<string | undefined>();
  const [revoking, setRevoking] = useState<Client | undefined>();
  const [pending, setPending] = useState(false);
  const [revokeError, setRevokeError] = useState<string | undefined>();
  const [createError, setCreateError] = useState<ApiProblem | undefined>();

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const form = event.currentTarget;
    const values = new FormData(form);
    setPending(true);
    setCreateError(undefined);
    try {
      const client = await controlPlane.createClient({ name: String(values.get("name") ?? ""), scopes: values.getAll("scopes").map(String) });
      setCreated({ clientId: client.clientId, clientSecret: client.clientSecret });
      setNote(undefined);
      form.reset();
      clients.reload();
    } catch (e) {
      setCreateError(e instanceof ApiProblem ? e : new ApiProblem(0, "unknown", describeError(e)));
    } finally {
      setPending(false);
    }
  }

  async function revoke(client: Client) {
    setPending(true);
    setRevokeError(undefined);
    try {
      await controlPlane.revokeClient(client.clientId);
      setRevoking(undefined);
      setNote(`The client “${client.name}” is revoked: its tokens stop working now.`);
      clients.reload();
    } catch (e) {
      setRevokeError(describeError(e));
    } finally {
      setPending(false);
    }
  }

  const scopeIssue = createError?.issues.find((i) => i.name === "scopes" || i.name.startsWith("scopes"))?.message;
  return (
    <section className="card stack" aria-labelledby="clients-title" data-testid="clients-panel">
      <h2 id="clients-title">Client credentials</h2>
      <p className="meta">For scripts: they trade a client&apos;s id and secret for a short-lived token at /control-plane/oauth/token.</p>
      {note ? <Notice testId="clients-note">{note}</Notice> : null}
      {created ? (
        <>
          <p>
            Client id: <code data-testid="client-id">{created.clientId}</code>
          </p>
          <SecretOnce label="client secret" secret={created.clientSecret} onDismiss={() => setCreated(undefined)} testId="secret-once" />
        </>
      ) : null}
      {clients.status === "ready" ? (
        clients.value.length > 0 ? (
          <table className="data" data-testid="clients">
            <caption className="visually-hidden">Clients</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Client id</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {clients.value.map((c) => (
                <tr key={c.clientId} data-revoked={c.revoked || undefined}>
                  <th scope="row">{c.name}</th>
                  <td data-label="Client id">
                    <div className="cell">
                      <code>{c.clientId}</code>
                    </div>
                  </td>
                  <td data-label="Scopes">
                    <div className="cell scopes">
                      {c.scopes.map((s) => (
                        <code key={s}>{s}</code>
                      ))}
                    </div>
                  </td>
                  <td data-label="Created">
                    <div className="cell">{day(c.createdAt)}</div>
                  </td>
                  <td data-label="Last used">
                    <div className="cell">{c.lastUsedAt ? day(c.lastUsedAt) : "never"}</div>
                  </td>
                  <td data-label="Actions">
                    <div className="cell">
                    {c.revoked ? (
                      <span className="badge" data-status="offboarded">
                        Revoked
                      </span>
                    ) : (
                      <button type="button" className="small danger" onClick={() => setRevoking(c)} aria-label={`Revoke ${c.name}`}>
                        Revoke
                      </button>
                    )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="hint">No clients yet.</p>
        )
      ) : clients.status === "error" ? (
        <p className="error" role="alert">
          {clients.message}
        </p>
      ) : clients.status === "missing" ? (
        <p className="hint">This installation&apos;s API has no client credentials yet.</p>
      ) : (
        <p className="hint">Loading…</p>
      )}

      <form className="stack" onSubmit={create} noValidate aria-label="Create a client" data-testid="create-client">
        <h3>New client</h3>
        <Field name="name" label="Client name" error={createError} hint="What uses it, e.g. the onboarding script" />
        <fieldset className="scope-choices" aria-describedby={scopeIssue ? "scopes-issue" : undefined}>
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s.id} className="check">
              <input type="checkbox" name="scopes" value={s.id} />
              <span>
                <code>{s.id}</code> <small className="hint">{s.label}</small>
              </span>
            </label>
          ))}
          {scopeIssue ? (
            <small className="issue" id="scopes-issue">
              {scopeIssue}
            </small>
          ) : null}
        </fieldset>
        <ErrorBox error={createError} />
        <div>
          <button type="submit" disabled={pending}>
            {pending ? "Creating…" : "Create client"}
          </button>
        </div>
      </form>

      <ConfirmDialog
        open={revoking !== undefined}
        title={`Revoke “${revoking?.name ?? ""}”?`}
        confirmLabel="Revoke client"
        pending={pending}
        error={revokeError}
        onConfirm={() => revoking && void revoke(revoking)}
        onCancel={() => {
          setRevoking(undefined);
          setRevokeError(undefined);
        }}
      >
        <p>Scripts using it get no new tokens, and the tokens they hold stop working at once. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}
