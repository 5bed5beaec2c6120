import { when, type AuditEntry } from "../../../lib/control-plane";

/** Who did it, in words: the person's address when known, else the kind and id. */
export const actorOf = (a: AuditEntry["actor"]) => a.email ?? `${a.kind} ${a.id}`;

const brief = (value: unknown) => (value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value));

/** Audit entries as a table; on a narrow screen each entry is a card. */
export function AuditTable({ entries, showTenant }: { entries: AuditEntry[]; showTenant: boolean }) {
  return (
    <table className="data" data-testid="audit-entries">
      <caption className="visually-hidden">Audit entries</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          {showTenant ? <th scope="col">Tenant</th> : null}
          <th scope="col">Action</th>
          <th scope="col">Actor</th>
          <th scope="col">Outcome</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.id}>
            <td data-label="Time">
              <time dateTime={e.at}>{when(e.at)}</time>
            </td>
            {showTenant ? (
              <td data-label="Tenant">
                <code>{e.tenantId ?? "—"}</code>
              </td>
            ) : null}
            <td data-label="Action">
              <code>{e.action}</code>
              {e.target !== undefined ? <small className="hint block">{brief(e.target)}</small> : null}
            </td>
            <td data-label="Actor">
              {actorOf(e.actor)}
              {e.address ? <small className="hint block">from {e.address}</small> : null}
            </td>
            <td data-label="Outcome">
              <span className="badge" data-outcome={e.outcome}>
                {e.outcome}
              </span>
            </td>
            <td data-label="Details">
              {e.details !== undefined && e.details !== null && brief(e.details) !== "{}" ? (
                <details>
                  <summary>#{e.seq}</summary>
                  <pre className="json">{JSON.stringify(e.details, null, 2)}</pre>
                </details>
              ) : (
                <span className="hint">#{e.seq}</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
