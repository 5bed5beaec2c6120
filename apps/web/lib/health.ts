import { createTandemClient, type HealthResponse } from "@tandem/client";
import { apiUrl } from "./config";

export type HealthView = { reachable: true; health: HealthResponse } | { reachable: false; reason: string };

export async function loadHealth(): Promise<HealthView> {
  try {
    const health = await createTandemClient({ baseUrl: apiUrl, timeoutMs: 5_000 }).health();
    return { reachable: true, health };
  } catch (error) {
    return { reachable: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
