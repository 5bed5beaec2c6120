import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTandemClient, TandemApiError } from "@tandem/client";
import { startFerretDB, type FerretDB } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../src/server.js";
import { TEST_SECRETS } from "./helpers.js";

// A database of its own, so stopping it does not disturb the other tests.
let ferret: FerretDB;
let dataDir: string;
let api: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "tandem-api-outage-"));
  ferret = await startFerretDB({ dataDir, name: "ferretdb-api-outage" });
  api = await startServer({ ...TEST_SECRETS, MONGODB_URI: `${ferret.uri}/outage`, LOG_LEVEL: "silent" }, 0);
});
afterAll(async () => {
  await api.close();
  await ferret.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the running API through @tandem/client", () => {
  it("turns /api/health into 503 with a reason while the database is down, and recovers without a restart", async () => {
    const client = createTandemClient({ baseUrl: api.url });
    expect((await client.health()).checks.database.status).toBe("up");

    await ferret.stop();
    const raw = await fetch(`${api.url}/api/health`);
    expect(raw.status).toBe(503);
    const down = await client.health();
    expect(down.status).toBe("degraded");
    expect(down.checks.database).toMatchObject({ status: "down", reason: expect.any(String) });

    await ferret.start();
    await expect.poll(async () => (await client.health()).status, { timeout: 30_000, interval: 500 }).toBe("ok");
  });

  it("starts even when the database is down at boot, and connects once it is up", async () => {
    await ferret.stop();
    const late = await startServer({ ...TEST_SECRETS, MONGODB_URI: `${ferret.uri}/late`, LOG_LEVEL: "silent" }, 0);
    try {
      const client = createTandemClient({ baseUrl: late.url });
      expect((await client.health()).checks.database.status).toBe("down");
      await ferret.start();
      await expect.poll(async () => (await client.health()).checks.database.status, { timeout: 30_000, interval: 500 }).toBe("up");
    } finally {
      await late.server.close();
    }
  });

  it("says where it tried when the API itself cannot be reached", async () => {
    const client = createTandemClient({ baseUrl: "http://127.0.0.1:9", timeoutMs: 2_000 });
    const error = await client.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TandemApiError);
    expect((error as Error).message).toContain("Could not reach the Tandem API at http://127.0.0.1:9");
  });
});
