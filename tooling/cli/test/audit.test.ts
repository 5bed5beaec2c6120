import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { appendAudit, auditEntryModel, SYSTEM_CHAIN } from "@tandem/core/audit";
import { closeConnection, getConnection } from "@tandem/core/database";
import { ROOT } from "@tandem/local";
import { beforeAll, describe, expect, inject, it } from "vitest";

/** `pnpm tandem audit verify`, run as a person runs it (a child process), against a log altered behind its back. */
const database = `${inject("mongodbUri")}/cli-audit-test`;
const orgA = randomBytes(12).toString("hex");
const orgB = randomBytes(12).toString("hex");

function verify(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(path.join(ROOT, "node_modules/.bin/tsx"), ["tooling/cli/src/cli.ts", "audit", "verify", ...args], { cwd: ROOT, env: { ...process.env, MONGODB_URI: database }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  const connection = await getConnection({ uri: database });
  await connection.dropDatabase();
  for (const tenantId of [SYSTEM_CHAIN, orgA, orgB]) {
    for (let i = 0; i < 4; i++) await appendAudit(connection, { tenantId, actor: { kind: "user", id: `user-${i}` }, action: "auth.sign_in", outcome: "success", details: { method: "password" } });
  }
  await closeConnection();
});

describe("pnpm tandem audit verify", () => {
  it("prints a line per chain and exits 0 when every chain verifies", async () => {
    const { code, stdout } = await verify();
    expect(code).toBe(0);
    expect(stdout).toContain(`ok      system: 4 entries from 1 to 4`);
    expect(stdout).toContain(`ok      ${orgA}: 4 entries`);
    expect(stdout).toContain(`ok      ${orgB}: 4 entries`);
    expect(stdout).toContain("All 3 chains verify (12 entries).");
  });

  it("names the altered entry (tenant, seq, id) and exits 1", async () => {
    const connection = await getConnection({ uri: database });
    const target = await auditEntryModel(connection).findOne({ tenantId: orgA, seq: 2 }).lean();
    await auditEntryModel(connection).updateOne({ _id: target!._id }, { $set: { outcome: "denied", "details.method": "okta" } });
    await closeConnection();

    const one = await verify("--tenant", orgA);
    expect(one.code).toBe(1);
    expect(one.stdout).toContain(`First broken entry: tenant ${orgA}, seq 2, id ${String(target!._id)}: its contents do not match its hash`);
    const all = await verify();
    expect(all.code).toBe(1);
    expect(all.stdout).toContain(`BROKEN  ${orgA}`);
    expect(all.stdout).toContain(`ok      ${orgB}: 4 entries`);
    // Another chain is untouched.
    expect((await verify("--tenant", orgB)).code).toBe(0);
  });

  it("names the entry after a deleted one", async () => {
    const connection = await getConnection({ uri: database });
    await auditEntryModel(connection).deleteOne({ tenantId: orgB, seq: 2 });
    const after = await auditEntryModel(connection).findOne({ tenantId: orgB, seq: 3 }).lean();
    await closeConnection();
    const { code, stdout } = await verify("--tenant", orgB);
    expect(code).toBe(1);
    expect(stdout).toContain(`First broken entry: tenant ${orgB}, seq 3, id ${String(after!._id)}: entry 2 is missing before it (deleted)`);
  });

  it("says how to name a chain", async () => {
    const { code, stderr } = await verify("--tenant", "acme");
    expect(code).toBe(1);
    expect(stderr).toContain("--tenant <organisation id>");
  });
});
