import { apiUrl } from "../lib/config";
import { BRAND } from "../lib/brand";
import { loadHealth } from "../lib/health";
import { AutoRefresh } from "./auto-refresh";
import { HealthPanel } from "./health-panel";
import { Workspace } from "./workspace";

// Health is live data: render on every request, never at build time.
export const dynamic = "force-dynamic";

export default async function HomePage() {
  const view = await loadHealth();
  return (
    <main>
      <h1>{BRAND.name}</h1>
      <p className="lead">Your organisation&apos;s AI workspace.</p>
      <Workspace />
      <h2>Service status</h2>
      <HealthPanel view={view} apiUrl={apiUrl} />
      <AutoRefresh everyMs={5_000} />
    </main>
  );
}
