import Link from "next/link";
import { when, type AuditEntry } from "../../../lib/control-plane";

/** Audit entries as a table; on a narrow screen each entry is a card. */
export function AuditTable({ entries, showTenant, nameOf }: { entries: AuditEntry[]; showTenant: boolean; nameOf: (kind: string, id: string) => string | undefined }) {
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
        {entries.map((e) => {
          const details = e.details && Object.keys(e.details).length > 0 ? e.details : undefined;
          return (
            <tr key={e.id}>
              <td data-label="Time">
                <div className="cell">
                  <time dateTime={e.at}>{when(e.at)}</time>
                </div>
              </td>
              {showTenant ? (
                <td data-label="Tenant">
                  <div className="cell">
                    {e.tenantId === "system" ? (
                      <span className="hint">system</span>
                    ) : (
                      <Link href={`/admin/tenants/${e.tenantId}`}>
                        <code>{e.tenantId}</code>
                      </Link>
                    )}
                  </div>
                </td>
              ) : null}
              <td data-label="Action">
                <div className="cell">
                  <code>{e.action}</code>
                  {e.target ? (
                    <small className="hint block">
                      {e.target.type} {e.target.id}
                    </small>
                  ) : null}
                </div>
              </td>
              <td data-label="Actor">
                <div className="cell">
                  {e.actor.email ?? nameOf(e.actor.kind, e.actor.id) ?? <code>{e.actor.id}</code>}
                  <small className="hint block">
                    {[e.actor.kind !== e.actor.id || e.actor.email ? e.actor.kind : "", e.address ? `from ${e.address}` : ""].filter(Boolean).join(" · ")}
                  </small>
                </div>
              </td>
              <td data-label="Outcome">
                <div className="cell">
                  <span className="badge" data-outcome={e.outcome}>
                    {e.outcome}
                  </span>
                </div>
              </td>
              <td data-label="Details">
                <div className="cell">
                  {details ? (
                    <details>
                      <summary>Entry #{e.seq}</summary>
                      <dl className="pairs">
                        {Object.entries(details).map(([k, v]) => (
                          <div key={k}>
                            <dt>{k}</dt>
                            <dd>{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
                          </div>
                        ))}
                      </dl>
                    </details>
                  ) : (
                    <span className="hint">Entry #{e.seq}</span>
                  )}
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
