import type { HealthView } from "../lib/health";

export function HealthPanel({ view, apiUrl }: { view: HealthView; apiUrl: string }) {
  if (!view.reachable) {
    return (
      <section className="card" aria-label="System status">
        <div className="row">
          <span>API</span>
          <span className="status" data-state="unreachable" data-testid="api-status">unreachable</span>
        </div>
        <p className="reason" data-testid="api-reason">{view.reason}</p>
      </section>
    );
  }
  const { health } = view;
  const db = health.checks.database;
  const storage = health.checks.storage;
  return (
    <section className="card" aria-label="System status">
      <div className="row">
        <span>API</span>
        <span className="status" data-state={health.status} data-testid="api-status">{health.status}</span>
      </div>
      <div className="row">
        <span>Database{db.engine ? ` (${db.engine})` : ""}</span>
        <span className="status" data-state={db.status} data-testid="database-status">
          {db.status}
          {db.status === "up" ? ` · ${db.latencyMs} ms` : ""}
        </span>
      </div>
      {db.reason ? <p className="reason" data-testid="database-reason">{db.reason}</p> : null}
      {storage ? (
        <>
          <div className="row">
            <span>File storage</span>
            <span className="status" data-state={storage.status === "not_configured" ? "degraded" : storage.status} data-testid="storage-status">
              {storage.status === "not_configured" ? "not configured" : storage.status}
              {storage.status === "up" ? ` · ${storage.latencyMs} ms` : ""}
            </span>
          </div>
          {storage.reason ? <p className="reason" data-testid="storage-reason">{storage.reason}</p> : null}
        </>
      ) : null}
      <p className="meta">
        Stage {health.stage} · version {health.version} · {apiUrl} · checked {new Date(health.time).toLocaleTimeString("en-GB")}
      </p>
    </section>
  );
}
