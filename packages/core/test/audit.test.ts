import { Types, type Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  appendAudit,
  auditAnchorModel,
  auditEntryModel,
  auditHeadModel,
  exportAudit,
  GENESIS_HASH,
  hashOf,
  listAudit,
  pruneAudit,
  recordAudit,
  sanitizeDetails,
  SYSTEM_CHAIN,
  verifyAuditChain,
  type AuditInput,
} from "../src/audit/index.js";
import { closeConnection, getConnection } from "../src/database/index.js";

/** The audit log's chains on the engine the suite runs (FerretDB v1 by default): races, tampering, retention. */
let connection: Connection;
const tenant = () => new Types.ObjectId().toString();
const entry = (tenantId: string, n: number, extra: Partial<AuditInput> = {}): AuditInput => ({
  tenantId,
  actor: { kind: "user", id: `user-${n}` },
  action: "membership.role_changed",
  outcome: "success",
  details: { n },
  ...extra,
});

beforeAll(async () => {
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-audit-test` });
  await connection.dropDatabase();
});
afterAll(() => closeConnection());

describe("appending", () => {
  it("keeps a chain contiguous under 20 simultaneous appends, each entry holding the previous one's hash", async () => {
    const chain = tenant();
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendAudit(connection, entry(chain, i))));
    const docs = await auditEntryModel(connection).find({ tenantId: chain }).sort({ seq: 1 }).lean();
    expect(docs.map((d) => d.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(docs[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < docs.length; i++) expect(docs[i]!.prevHash).toBe(docs[i - 1]!.hash);
    expect(new Set(docs.map((d) => d.details.n)).size).toBe(20);
    const result = await verifyAuditChain(connection, chain);
    expect(result).toMatchObject({ ok: true, checked: 20 });
    // The unique index that decides the races exists on this engine.
    const indexes = await auditEntryModel(connection).collection.indexes();
    expect(indexes.find((i) => i.name === "tenant_seq_unique")).toMatchObject({ key: { tenantId: 1, seq: 1 }, unique: true });
  });

  it("follows a head hint that lags behind the chain", async () => {
    const chain = tenant();
    for (let i = 0; i < 3; i++) await appendAudit(connection, entry(chain, i));
    await auditHeadModel(connection).updateOne({ _id: chain }, { $set: { seq: 1 } });
    const fourth = await appendAudit(connection, entry(chain, 3));
    expect(fourth.seq).toBe(4);
    expect((await verifyAuditChain(connection, chain)).ok).toBe(true);
  });

  it("refuses a malformed entry, and recordAudit swallows the failure (logging it) instead of throwing", async () => {
    await expect(appendAudit(connection, entry("not-a-chain", 1))).rejects.toThrow(/audit entry/);
    const logged: string[] = [];
    await expect(recordAudit(connection, entry(tenant(), 1, { action: "Not Dotted" }), { error: (_d, message) => logged.push(message) })).resolves.toBeUndefined();
    expect(logged).toEqual(["audit entry not recorded"]);
  });

  it("keeps details small and drops what looks like a secret", () => {
    const details = sanitizeDetails({ password: "hunter2", clientSecret: "s", accessToken: "t", queryString: "q=1", content: "hello", name: "ok", long: "x".repeat(500), n: 3, flag: true, gone: undefined });
    expect(details).toEqual({ name: "ok", long: `${"x".repeat(199)}…`, n: 3, flag: "true" });
  });
});

describe("verification", () => {
  it("names an entry whose stored contents were changed, and one whose neighbour was deleted", async () => {
    const chain = tenant();
    for (let i = 0; i < 5; i++) await appendAudit(connection, entry(chain, i));
    const third = await auditEntryModel(connection).findOne({ tenantId: chain, seq: 3 }).lean();
    await auditEntryModel(connection).updateOne({ _id: third!._id }, { $set: { outcome: "failure" } });
    expect((await verifyAuditChain(connection, chain)).firstBroken).toEqual({ tenantId: chain, seq: 3, id: String(third!._id), reason: expect.stringContaining("do not match its hash") });

    // Rewriting the hash too moves the break to the next entry, whose prevHash no longer matches.
    const altered = await auditEntryModel(connection).findOne({ _id: third!._id }).lean();
    await auditEntryModel(connection).updateOne({ _id: third!._id }, { $set: { hash: hashOf(altered!) } });
    const fourth = await auditEntryModel(connection).findOne({ tenantId: chain, seq: 4 }).lean();
    expect((await verifyAuditChain(connection, chain)).firstBroken).toMatchObject({ seq: 4, id: String(fourth!._id), reason: expect.stringContaining("prevHash") });

    const other = tenant();
    for (let i = 0; i < 5; i++) await appendAudit(connection, entry(other, i));
    await auditEntryModel(connection).deleteOne({ tenantId: other, seq: 3 });
    const after = await auditEntryModel(connection).findOne({ tenantId: other, seq: 4 }).lean();
    expect((await verifyAuditChain(connection, other)).firstBroken).toEqual({ tenantId: other, seq: 4, id: String(after!._id), reason: "entry 3 is missing before it (deleted)" });
  });

  it("notices the newest entries deleted from the end of a chain", async () => {
    const chain = tenant();
    for (let i = 0; i < 4; i++) await appendAudit(connection, entry(chain, i));
    await auditEntryModel(connection).deleteMany({ tenantId: chain, seq: { $gte: 3 } });
    expect((await verifyAuditChain(connection, chain)).firstBroken).toMatchObject({ seq: 3, id: "missing", reason: expect.stringContaining("newest entries were deleted") });
  });
});

describe("retention", () => {
  it("prunes old entries behind an anchor; the chain still verifies and keeps growing", async () => {
    const chain = tenant();
    const now = new Date("2030-06-01T00:00:00Z");
    const old = new Date(now.getTime() - 400 * 86_400_000);
    for (let i = 0; i < 3; i++) await appendAudit(connection, { ...entry(chain, i), at: old });
    for (let i = 3; i < 5; i++) await appendAudit(connection, { ...entry(chain, i), at: now });
    const third = await auditEntryModel(connection).findOne({ tenantId: chain, seq: 3 }).lean();

    const result = await pruneAudit(connection, 365, now);
    expect(result.pruned).toBeGreaterThanOrEqual(3);
    expect(await auditEntryModel(connection).countDocuments({ tenantId: chain })).toBe(2);
    expect(await auditAnchorModel(connection).findById(chain).lean()).toMatchObject({ seq: 3, hash: third!.hash });
    expect(await verifyAuditChain(connection, chain)).toMatchObject({ ok: true, checked: 2, chains: [{ anchoredAt: 3, lastSeq: 5 }] });
    await appendAudit(connection, entry(chain, 5));
    expect(await verifyAuditChain(connection, chain)).toMatchObject({ ok: true, checked: 3 });

    // Pruning everything still leaves a chain that verifies and continues from the anchor.
    await pruneAudit(connection, 1, new Date("2040-01-01T00:00:00Z"));
    expect(await auditEntryModel(connection).countDocuments({ tenantId: chain })).toBe(0);
    expect((await verifyAuditChain(connection, chain)).ok).toBe(true);
    expect((await appendAudit(connection, entry(chain, 6))).seq).toBe(7);
    expect((await verifyAuditChain(connection, chain)).ok).toBe(true);
  });

  it("does not prune a chain whose old part was tampered with", async () => {
    const chain = tenant();
    const now = new Date("2031-01-01T00:00:00Z");
    const old = new Date(now.getTime() - 30 * 86_400_000);
    for (let i = 0; i < 3; i++) await appendAudit(connection, { ...entry(chain, i), at: old });
    await auditEntryModel(connection).updateOne({ tenantId: chain, seq: 2 }, { $set: { "details.n": 99 } });
    const result = await pruneAudit(connection, 7, now);
    expect(result.refused).toContainEqual(expect.objectContaining({ tenantId: chain, seq: 2 }));
    expect(await auditEntryModel(connection).countDocuments({ tenantId: chain })).toBe(3);
  });
});

describe("reading", () => {
  it("lists newest first with filters and a cursor, and exports JSON lines in chain order", async () => {
    const chain = tenant();
    const base = new Date("2029-01-01T00:00:00Z").getTime();
    for (let i = 0; i < 7; i++) {
      await appendAudit(connection, { ...entry(chain, i, { action: i % 2 ? "auth.sign_in" : "api_key.created", outcome: i === 6 ? "failure" : "success" }), at: new Date(base + i * 1000) });
    }
    const first = await listAudit(connection, { tenantId: chain }, { limit: 3 });
    expect(first.entries.map((e) => e.seq)).toEqual([7, 6, 5]);
    const second = await listAudit(connection, { tenantId: chain }, { limit: 3, cursor: first.nextCursor });
    const third = await listAudit(connection, { tenantId: chain }, { limit: 3, cursor: second.nextCursor });
    expect([...second.entries, ...third.entries].map((e) => e.seq)).toEqual([4, 3, 2, 1]);
    expect(third.nextCursor).toBeUndefined();
    expect((await listAudit(connection, { tenantId: chain, action: "auth." })).entries.map((e) => e.seq)).toEqual([6, 4, 2]);
    expect((await listAudit(connection, { tenantId: chain, outcome: "failure" })).entries.map((e) => e.seq)).toEqual([7]);
    expect((await listAudit(connection, { tenantId: chain, actorId: "user-2" })).entries.map((e) => e.seq)).toEqual([3]);
    expect((await listAudit(connection, { tenantId: chain, from: new Date(base + 2000), to: new Date(base + 4000) })).entries.map((e) => e.seq)).toEqual([4, 3]);
    await expect(listAudit(connection, { tenantId: chain }, { cursor: "bm9wZQ" })).rejects.toThrow(/cursor/);

    const lines: string[] = [];
    for await (const line of exportAudit(connection, { tenantId: chain })) lines.push(line);
    expect(lines).toHaveLength(7);
    const parsed = lines.map((l) => JSON.parse(l) as { seq: number; prevHash: string; hash: string });
    expect(parsed.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(parsed[1]!.prevHash).toBe(parsed[0]!.hash);
  });

  it("verifies every chain at once, the system chain first", async () => {
    await appendAudit(connection, entry(SYSTEM_CHAIN, 1));
    const result = await verifyAuditChain(connection);
    expect(result.chains[0]!.tenantId).toBe(SYSTEM_CHAIN);
    // The chains broken on purpose above are reported; the first one named is a real break.
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toBeDefined();
  });
});
