import type { Message } from "@aws-sdk/client-sqs";
import { DETAIL_TYPES, offboardDueTenants, offboardTenant, registerTenant, sweepOutboxes, tenantDataModels } from "@tandem/core/control-plane";
import { notebookModel } from "@tandem/core/notebooks";
import { PutObjectCommand, CreateBucketCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inviteModel, tenantModel } from "@tandem/core/tenants";
import { runAsSystem } from "@tandem/core/tenancy";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { handler as eventsHandler, MAX_EVENT_RECEIVES } from "../src/jobs/events.js";
import { identityHarness, linkToken, type IdentityHarness } from "./helpers.js";
import { planesBus, type PlanesBus } from "./planes-bus.js";

/**
 * The two planes through real EventBridge rules (moto) and the events queue's consumer
 * (jobs/events.ts, fed the queue's real messages): a registered tenant is provisioned by
 * Tandem's application plane (its owner invited by mail) and the answer moves it to active;
 * failure injection: a failure that passes is retried, a duplicate delivery provisions once, a
 * lasting failure answers provisionFailure (the tenant failed, with the reason) and a retry
 * through the control plane completes it.
 */
const aws = inject("awsEnv");
let bus: PlanesBus;
let h: IdentityHarness;
const messages = () => bus.messages();
const sqsEvent = (batch: Message[], receives = 1) => bus.sqsEvent(batch, receives);
const drain = () => bus.drain(h.deps);

const statusOf = async (id: string) => (await tenantModel(await h.deps.database()).findById(id).lean())!;
const register = async (name: string, email: string) => (await registerTenant(await h.deps.database(), { tenantName: name, email }, { actor: "system", cause: "test" }, h.deps.events)).tenant.tenantId;

beforeAll(async () => {
  bus = await planesBus(aws, "tandem-planes-test");
  h = await identityHarness("api-control-plane-planes-test", { source: { ...aws, EVENT_BUS_NAME: bus.name } });
}, 120_000);
afterAll(async () => {
  await h.close();
  await bus.close();
});

describe("onboarding through both planes", () => {
  it("invites the owner by mail, answers provisionSuccess, and the tenant becomes active; the owner joins through the mail", async () => {
    const since = h.mail.received.length;
    const id = await register("Fjord Analytics", "owner@fjord.test");
    expect((await statusOf(id)).status).toBe("provisioning");
    expect(await drain()).toEqual([DETAIL_TYPES.onboardingRequest, DETAIL_TYPES.provisionSuccess]);
    const tenant = await statusOf(id);
    expect(tenant.status).toBe("active");
    expect((tenant.transitions as Array<{ to: string; actor: string }>).map((t) => `${t.to} by ${t.actor}`)).toEqual(["provisioning by system", "active by application-plane"]);
    const mail = await h.mail.waitFor("owner@fjord.test", since);
    expect(mail.subject).toContain("Fjord Analytics");
    const token = linkToken(mail, "/invites/accept", h.deps.appUrl);
    const owner = await h.member("owner@fjord.test");
    await owner.agent.post("/api/invites/accept").set("x-csrf-token", owner.csrf).send({ token }).expect(200);
    const members = await owner.agent.get(`/api/orgs/${id}/members`).expect(200);
    expect(members.body.members).toEqual([expect.objectContaining({ email: "owner@fjord.test", role: "owner" })]);
  });

  it("retries a failure that may pass, and provisions once however often the event is delivered", async () => {
    const id = await register("Glacier Labs", "owner@glacier.test");
    const [onboarding] = await messages();
    // The mail server refuses once: the consumer reports the message failed, for SQS to deliver again.
    h.mail.refuseNext({ code: 550, message: "Mailbox unavailable" });
    expect((await eventsHandler(sqsEvent([onboarding!], 1), h.deps)).batchItemFailures).toHaveLength(1);
    expect((await statusOf(id)).status).toBe("provisioning");
    const since = h.mail.received.length;
    // Delivered again, twice at once (SQS delivers at least once).
    await Promise.all([eventsHandler(sqsEvent([onboarding!], 2), h.deps), eventsHandler(sqsEvent([onboarding!], 2), h.deps)]);
    await eventsHandler(sqsEvent([onboarding!], 3), h.deps);
    expect(await drain()).toEqual([DETAIL_TYPES.provisionSuccess]);
    expect((await statusOf(id)).status).toBe("active");
    await new Promise((r) => setTimeout(r, 300));
    expect(h.mail.received.slice(since).filter((m) => JSON.stringify(m.to).includes("owner@glacier.test"))).toHaveLength(1);
    const database = await h.deps.database();
    const open = await runAsSystem("test", () => inviteModel(database).find({ tenantId: id, acceptedAt: null, revokedAt: null }).lean());
    expect(open).toHaveLength(1);
  });

  it("answers provisionFailure on the last attempt; the tenant fails with the reason, and a retry completes it", async () => {
    const id = await register("Harbour Freight", "owner@freight.test");
    const [onboarding] = await messages();
    h.mail.refuseNext({ code: 550, message: "Mailbox unavailable" });
    expect((await eventsHandler(sqsEvent([onboarding!], MAX_EVENT_RECEIVES), h.deps)).batchItemFailures).toEqual([]);
    expect(await drain()).toEqual([DETAIL_TYPES.provisionFailure]);
    const failed = await statusOf(id);
    expect(failed.status).toBe("failed");
    expect((failed.failure as { reason: string; during: string }).during).toBe("provisioning");
    const { retryTenant } = await import("@tandem/core/control-plane");
    await retryTenant(await h.deps.database(), id, { actor: "operator:test", cause: "retry" }, h.deps.events);
    expect(await drain()).toEqual([DETAIL_TYPES.onboardingRequest, DETAIL_TYPES.provisionSuccess]);
    expect((await statusOf(id)).status).toBe("active");
  });
});

describe("a crash between the state change and the publish", () => {
  it("leaves the event in the outbox; the sweeper publishes it and the tenant is provisioned once", async () => {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "register-then-die.ts");
    const child = spawn(process.execPath, ["--import", "tsx", script, h.source.MONGODB_URI!, "Killed Midway", "owner@killed.test"], { cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", ".."), stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, sig) => resolve(sig)));
    expect(signal).toBe("SIGKILL");
    expect(out).toContain("registered");

    const database = await h.deps.database();
    const tenant = (await tenantModel(database).findOne({ name: "Killed Midway" }).lean())!;
    expect(tenant.status).toBe("provisioning");
    expect(tenant.outbox).toHaveLength(1);
    expect(await messages()).toEqual([]);

    const since = h.mail.received.length;
    expect(await sweepOutboxes(database, h.deps.events, 0)).toBe(1);
    expect(await sweepOutboxes(database, h.deps.events, 0)).toBe(0);
    expect(await drain()).toEqual([DETAIL_TYPES.onboardingRequest, DETAIL_TYPES.provisionSuccess]);
    expect((await statusOf(String(tenant._id))).status).toBe("active");
    await h.mail.waitFor("owner@killed.test", since);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.mail.received.slice(since).filter((m) => JSON.stringify(m.to).includes("owner@killed.test"))).toHaveLength(1);
  }, 60_000);
});

describe("late answers", () => {
  it("ignores an answer to a phase the tenant has left", async () => {
    const { recordAnswer } = await import("@tandem/core/control-plane");
    const database = await h.deps.database();
    const id = await register("Late Answers", "owner@late.test");
    await messages();
    const failure = { "detail-type": DETAIL_TYPES.provisionFailure, source: "sbt.application.plane", detail: { tenantId: id, eventId: "late-1", reason: "no mail" } };
    await recordAnswer(database, failure);
    expect((await statusOf(id)).status).toBe("failed");
    await offboardTenant(database, id, { actor: "operator:test", cause: "give up" }, h.deps.events);
    await messages();
    // The same failure delivered again: offboarding goes on, not back to failed.
    expect(await recordAnswer(database, failure)).toBeUndefined();
    expect((await statusOf(id)).status).toBe("offboarding");
    // And a deprovision answer never moves a tenant that is provisioning.
    const fresh = await register("Still Provisioning", "owner@fresh.test");
    await messages();
    expect(await recordAnswer(database, { "detail-type": DETAIL_TYPES.deprovisionFailure, source: "sbt.application.plane", detail: { tenantId: fresh, eventId: "late-2" } })).toBeUndefined();
    expect((await statusOf(fresh)).status).toBe("provisioning");
  });
});

describe("offboarding", () => {
  it("ends access at once, then after the grace period removes the tenant's data and files (and no one else's) and is recorded as offboarded", async () => {
    const BUCKET = "planes-test-files";
    await h.deps.storage.s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
    const owner = await h.member("owner@leaving.test");
    const leaving = (await owner.agent.post("/api/orgs").set("x-csrf-token", owner.csrf).send({ name: "Leaving", slug: "leaving-co" }).expect(201)).body.organisation.id as string;
    const staying = (await owner.agent.post("/api/orgs").set("x-csrf-token", owner.csrf).send({ name: "Staying", slug: "staying-co" }).expect(201)).body.organisation.id as string;
    for (const org of [leaving, staying]) {
      await owner.agent.post(`/api/orgs/${org}/notebooks`).set("x-csrf-token", owner.csrf).send({ title: "Plans" }).expect(201);
      await h.deps.storage.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `tenants/${org}/notebooks/x/files/y`, Body: "data" }));
    }
    const database = await h.deps.database();
    await offboardTenant(database, leaving, { actor: "operator:test", cause: "customer left" }, h.deps.events);
    expect((await owner.agent.get(`/api/orgs/${leaving}/notebooks`)).status).toBe(404);
    await drain();
    const storage = { s3: h.deps.storage.s3, buckets: [BUCKET] };
    // Within the grace period nothing is removed.
    expect(await offboardDueTenants(database, h.deps.events, storage, new Date())).toBe(0);
    // (Other tests' offboarding tenants are due too.)
    expect(await offboardDueTenants(database, h.deps.events, storage, new Date(Date.now() + 31 * 24 * 3600_000))).toBeGreaterThanOrEqual(1);
    const answers = await drain();
    expect(answers.length).toBeGreaterThanOrEqual(1);
    expect(new Set(answers)).toEqual(new Set([DETAIL_TYPES.deprovisionSuccess]));
    expect((await statusOf(leaving)).status).toBe("offboarded");
    const left = async (org: string) => (await runAsSystem("test", () => notebookModel(database).countDocuments({ tenantId: org })));
    expect(await left(leaving)).toBe(0);
    expect(await left(staying)).toBe(1);
    const objects = (await h.deps.storage.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents?.map((o) => o.Key) ?? [];
    expect(objects).toEqual([`tenants/${staying}/notebooks/x/files/y`]);
    await owner.agent.get(`/api/orgs/${staying}/notebooks`).expect(200);
  });

  it("knows every collection that holds a tenant's own data", async () => {
    // Every tenant-scoped schema in core (the tenancy plugin) is removed, except usage, which is the bill.
    const root = path.resolve(__dirname, "../../core/src");
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (full.endsWith(".ts")) files.push(full);
      }
    };
    walk(root);
    const scoped = files.flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return text.includes("plugin(tenantScoped)") ? [...text.matchAll(/collection: "([a-z_]+)"/g)].map((m) => m[1]!) : [];
    });
    const removed = tenantDataModels(await h.deps.database()).map((m) => m.collection.collectionName);
    expect(scoped.length).toBeGreaterThan(5);
    expect([...new Set(scoped)].filter((c) => c !== "usage_events").sort()).toEqual([...removed].sort());
  });
});

