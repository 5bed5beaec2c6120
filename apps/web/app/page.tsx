import { apiUrl } from "../lib/config";
import { loadHealth } from "../lib/health";
import { AutoRefresh } from "./auto-refresh";
import { HealthPanel } from "./health-panel";

// Health is live data: render on every request, never at build time.
export const dynamic = "force-dynamic";

export default async function HomePage() {
  const view = await loadHealth();
  return (
    <main>
      <h1>Tandem</h1>
      <p className="lead">Your organisation&apos;s AI workspace. Sign-in and notebooks arrive next; this page shows whether the service is ready.</p>
      <HealthPanel view={view} apiUrl={apiUrl} />
      <AutoRefresh everyMs={5_000} />
    </main>
  );
}
