import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startFerretDB, type FerretDB } from "@tandem/local";
import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  closeConnection,
  connectOptionsFor,
  detectCapabilities,
  ensureExpiryIndex,
  getConnection,
  notExpired,
  pingDatabase,
  purgeExpired,
} from "../src/database/index.js";
import { ConflictError } from "../src/errors/index.js";
import { createTenant, getTenantBySlug, tenantModel } from "../src/tenants/index.js";
import { userModel } from "../src/identity/index.js";

const uri = `${inject("mongodbUri")}/core-database-test`;
let connection: Connection;

beforeAll(async () => {
  connection = await getConnection({ uri });
  await connection.dropDatabase();
  await Promise.all([tenantModel(connection).init(), userModel(connection).init()]);
});
afterAll(() => closeConnection());

describe("connection", () => {
  it("reuses one connection across calls, as a warm Lambda does", async () => {
    expect(await getConnection({ uri })).toBe(connection);
  });

  it("turns off retryable writes and turns on TLS for DocumentDB endpoints only", () => {
    const docdb = connectOptionsFor({ uri: "mongodb://u:p@tandem.cluster-abc.us-east-1.docdb.amazonaws.com:27017/t", tlsCAFile: "/opt/global-bundle.pem" });
    expect(docdb).toMatchObject({ retryWrites: false, tls: true, tlsCAFile: "/opt/global-bundle.pem" });
    expect(connectOptionsFor({ uri: "mongodb://localhost:27017/t" })).not.toHaveProperty("retryWrites");
  });
});

describe("models", () => {
  it("creates the unique indexes on the server", async () => {
    const tenantIndexes = await tenantModel(connection).collection.indexes();
    expect(tenantIndexes).toEqual(expect.arrayContaining([expect.objectContaining({ name: "slug_unique", unique: true })]));
    const userIndexes = await userModel(connection).collection.indexes();
    expect(userIndexes).toEqual(expect.arrayContaining([expect.objectContaining({ name: "email_unique", unique: true })]));
  });

  it("lets the unique index decide a contested tenant slug", async () => {
    const results = await Promise.allSettled([
      createTenant(connection, { name: "Acme", slug: "Acme" }),
      createTenant(connection, { name: "Acme again", slug: "acme" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected");
    expect(rejected?.status === "rejected" && rejected.reason).toBeInstanceOf(ConflictError);
    expect((await getTenantBySlug(connection, "ACME")).slug).toBe("acme");
  });

  it("stores user emails lower-cased so uniqueness ignores case", async () => {
    const users = userModel(connection);
    await users.create({ email: "Ada@Example.com", name: "Ada" });
    await expect(users.create({ email: "ada@example.COM", name: "Ada 2" })).rejects.toMatchObject({ code: 11000 });
  });
});

describe("capabilities and expiry", () => {
  const probeSchema = new Schema({ token: { type: String, required: true }, expiresAt: { type: Date, required: true } }, { autoIndex: false });
  type Probe = InferSchemaType<typeof probeSchema>;
  const Invite = (): Model<Probe> => (connection.models.ExpiryProbe as Model<Probe> | undefined) ?? connection.model<Probe>("ExpiryProbe", probeSchema);

  it("recognises the server and expires documents without relying on TTL indexes", async () => {
    const capabilities = await detectCapabilities(connection);
    if (!process.env.MONGODB_URI) expect(capabilities).toMatchObject({ engine: "ferretdb", ttlIndexes: false, vectorSearch: null, textSearch: false });
    const indexName = await ensureExpiryIndex(Invite(), capabilities);
    expect(indexName).toBe(capabilities.ttlIndexes ? "expiresAt_ttl" : "expiresAt_1");

    const now = new Date();
    await Invite().insertMany([
      { token: "old", expiresAt: new Date(now.getTime() - 60_000) },
      { token: "fresh", expiresAt: new Date(now.getTime() + 60_000) },
    ]);
    expect((await Invite().find(notExpired(now)).lean()).map((d) => d.token)).toEqual(["fresh"]);
    expect(await purgeExpired(Invite(), now)).toBe(1);
    expect(await Invite().countDocuments()).toBe(1);
  });
});

describe("outage and recovery", () => {
  let ferret: FerretDB;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "tandem-outage-"));
    ferret = await startFerretDB({ dataDir, name: "ferretdb-outage" });
  });
  afterAll(async () => {
    await ferret.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reports the database down with a reason, then up again without a new connection", async () => {
    const connect = () => getConnection({ uri: `${ferret.uri}/outage`, serverSelectionTimeoutMS: 1_000 });
    expect((await pingDatabase(connect)).status).toBe("up");
    await ferret.stop();
    const down = await pingDatabase(connect, 1_500);
    expect(down.status).toBe("down");
    expect(down.reason).toBeTruthy();
    await ferret.start();
    await expect.poll(async () => (await pingDatabase(connect, 1_500)).status, { timeout: 20_000, interval: 500 }).toBe("up");
  });
});
