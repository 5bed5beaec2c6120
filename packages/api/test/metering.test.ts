import { PutEventsCommand, EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { meterPendingUsage, usageRecordModel } from "@tandem/core/metering";
import { usageEventModel } from "@tandem/core/notebooks";
import { runAsSystem } from "@tandem/core/tenancy";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { handler as eventsHandler } from "../src/jobs/events.js";
import { identityHarness, type IdentityHarness, clientToken, signInOperator } from "./helpers.js";
import { planesBus, type PlanesBus } from "./planes-bus.js";

/**
 * SBT's metering on the control plane (issue 11, item 1): meters, usage ingested by POST /usage
 * and from the bus (sbt_aws_ingestUsage through a real rule and queue), Tandem's own model calls
 * on its built-in meters; each event counted once, a cancelled range no longer counting, sums exact.
 */
const aws = inject("awsEnv");
let bus: PlanesBus;
let h: IdentityHarness;
let bearer: string;
const call = (method: "get" | "post" | "put" | "delete", path: string) => request(h.app)[method](`/control-plane${path}`).set("authorization", `Bearer ${bearer}`);
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

beforeAll(async () => {
  bus = await planesBus(aws, "tandem-metering-test");
  h = await identityHarness("api-metering-test", { source: { ...aws, EVENT_BUS_NAME: bus.name } });
  bearer = await clientToken(h, await signInOperator(h, "ops@metering.test"), ["tandem/meters", "tandem/usage", "tandem/billing"], "metering");
}, 120_000);
afterAll(async () => {
  await h.close();
  await bus.close();
});

describe("meters", () => {
  it("lists Tandem's own meters, creates, changes and removes others, and keeps the built-in ones fixed", async () => {
    const listed = (await call("get", "/meters").expect(200)).body.data as Array<{ meterApiName: string; builtIn: boolean; meterId: string }>;
    expect(listed.filter((m) => m.builtIn).map((m) => m.meterApiName)).toEqual(["reply_input_tokens", "reply_output_tokens", "images", "embedding_tokens", "cost_usd"]);
    const created = (await call("post", "/meters").send({ meterApiName: "api_calls", displayName: "API calls", unit: "calls" }).expect(201)).body.data;
    await call("post", "/meters").send({ meterApiName: "api_calls", displayName: "Again" }).expect(409);
    await call("post", "/meters").send({ meterApiName: "Bad Name", displayName: "x" }).expect(400);
    expect((await call("put", `/meters/${created.meterId}`).send({ displayName: "Calls to the API", aggregation: "sum" }).expect(200)).body.data.displayName).toBe("Calls to the API");
    await call("put", `/meters/${created.meterId}`).send({ meterApiName: "renamed" }).expect(400);
    const builtIn = listed.find((m) => m.builtIn)!;
    expect((await call("put", `/meters/${builtIn.meterId}`).send({ unit: "x" }).expect(409)).body.code).toBe("metering.meter_built_in");
    await call("delete", `/meters/${builtIn.meterId}`).expect(409);
    const spare = (await call("post", "/meters").send({ meterApiName: "spare", displayName: "Spare" }).expect(201)).body.data;
    await call("delete", `/meters/${spare.meterId}`).expect(204);
    await call("get", `/meters/${spare.meterId}`).expect(404);
  });
});

describe("usage", () => {
  it("counts each event once, sums exactly, groups by tenant and day, and stops counting a cancelled range", async () => {
    const meter = (await call("post", "/meters").send({ meterApiName: "documents", displayName: "Documents" }).expect(201)).body.data;
    const day = new Date("2026-11-02T10:00:00Z");
    const events = Array.from({ length: 30 }, (_, i) => ({ tenantId: i % 3 === 0 ? "tenant-a" : "tenant-b", meterApiName: "documents", meterValue: 0.1, idempotencyKey: `doc-${i}`, timestamp: seconds(day) + (i % 2) * 86_400 }));
    const first = await call("post", "/usage").send({ events }).expect(200);
    expect(first.body.data).toMatchObject({ stored: 30, duplicates: 0, rejected: [] });
    // Sent again (a retry), with one new event and one for a meter that does not exist.
    const again = await call("post", "/usage").send({ events: [...events, { tenantId: "tenant-a", meterApiName: "documents", meterValue: 2, idempotencyKey: "doc-new", timestamp: seconds(day) }, { tenantId: "tenant-a", meterApiName: "nothing", meterValue: 1, idempotencyKey: "x" }] }).expect(200);
    expect(again.body.data).toMatchObject({ stored: 1, duplicates: 30, rejected: [{ index: 31, reason: expect.stringContaining("no meter nothing") }] });
    await call("post", "/usage").send({ events: [{ tenantId: "tenant-a", meterApiName: "documents", meterValue: 1 }] }).expect(400);

    const range = `startTimeInSeconds=${seconds(day) - 3600}&endTimeInSeconds=${seconds(day) + 3 * 86_400}`;
    const usage = (await call("get", `/usage/${meter.meterId}?${range}&groupBy=tenant`).expect(200)).body.data;
    // 30 × 0.1 + 2, exactly (0.1 added 30 times as floats is 3.0000000000000004).
    expect(usage).toMatchObject({ meterApiName: "documents", aggregation: "sum", value: 5, events: 31 });
    expect(usage.groups).toEqual([
      { key: "tenant-a", value: 3, events: 11 },
      { key: "tenant-b", value: 2, events: 20 },
    ]);
    const byDay = (await call("get", `/usage/${meter.meterId}?${range}&groupBy=day&tenantId=tenant-b`).expect(200)).body.data;
    expect(byDay.groups.map((g: { key: string }) => g.key)).toEqual(["2026-11-02", "2026-11-03"]);
    await call("get", `/usage/${meter.meterId}?startTimeInSeconds=10&endTimeInSeconds=5`).expect(400);

    // Cancelled by ingestion time: no longer counted, and ingesting the same events again does not revive them.
    const now = seconds(new Date());
    expect((await call("delete", `/usage?meterApiName=documents&tenantId=tenant-b&ingestedFromSeconds=${now - 600}&ingestedToSeconds=${now + 600}`).expect(200)).body.data.cancelled).toBe(20);
    await call("post", "/usage").send({ events }).expect(200);
    expect((await call("get", `/usage/${meter.meterId}?${range}`).expect(200)).body.data).toMatchObject({ value: 3, events: 11 });
    await call("delete", `/usage?ingestedFromSeconds=0&ingestedToSeconds=${now}`).expect(400);
  });

  it("takes sbt_aws_ingestUsage from the bus through the rule and queue, once however often it is delivered", async () => {
    const meter = (await call("post", "/meters").send({ meterApiName: "bus_calls", displayName: "Calls from the bus" }).expect(201)).body.data;
    const client = new EventBridgeClient({ region: aws.AWS_REGION ?? "us-east-1", endpoint: aws.AWS_ENDPOINT_URL, credentials: { accessKeyId: aws.AWS_ACCESS_KEY_ID!, secretAccessKey: aws.AWS_SECRET_ACCESS_KEY! } });
    const detail = (key: string, value: number) => JSON.stringify({ tenantId: "tenant-bus", meterApiName: "bus_calls", meterValue: value, idempotencyKey: key });
    await client.send(new PutEventsCommand({ Entries: [1, 2, 3].map((n) => ({ EventBusName: bus.name, Source: "sbt.application.plane", DetailType: "sbt_aws_ingestUsage", Detail: detail(`bus-${n}`, n) })) }));
    const delivered = await bus.messages();
    expect(delivered).toHaveLength(3);
    // Stored, then "killed" before the acknowledgement: the queue delivers the same messages again.
    expect((await eventsHandler(bus.sqsEvent(delivered), h.deps)).batchItemFailures).toEqual([]);
    expect((await eventsHandler(bus.sqsEvent(delivered, 2), h.deps)).batchItemFailures).toEqual([]);
    const now = seconds(new Date());
    expect((await call("get", `/usage/${meter.meterId}?startTimeInSeconds=${now - 600}&endTimeInSeconds=${now + 600}`).expect(200)).body.data).toMatchObject({ value: 6, events: 3 });
  });

  it("puts Tandem's own model calls on its meters, once, and the sweeper meters what the inline metering missed", async () => {
    const database = await h.deps.database();
    const at = new Date();
    const tenantId = "64b000000000000000000001";
    // Two replies and an image whose inline metering never ran (a crash right after their usage was saved).
    await runAsSystem("test", () =>
      usageEventModel(database).insertMany([
        { tenantId, idempotencyKey: "reply:m1", kind: "reply", userId: "64b0000000000000000000aa", notebookId: "64b0000000000000000000bb", modelId: "model-x", inputTokens: 1200, outputTokens: 300, costUsd: 0.0021, status: "complete", at },
        { tenantId, idempotencyKey: "reply:m2", kind: "reply", userId: "64b0000000000000000000aa", notebookId: "64b0000000000000000000bb", modelId: "model-x", inputTokens: 800, outputTokens: 200, costUsd: 0.0014, status: "complete", at },
        { tenantId, idempotencyKey: "image:i1", kind: "image", userId: "64b0000000000000000000aa", notebookId: "64b0000000000000000000bb", modelId: "image-y", inputTokens: 0, outputTokens: 0, images: 1, costUsd: 0.04, status: "complete", at },
      ]),
    );
    expect(await runAsSystem("test", () => meterPendingUsage(database))).toBe(8);
    expect(await runAsSystem("test", () => meterPendingUsage(database))).toBe(0);
    const meters = (await call("get", "/meters").expect(200)).body.data as Array<{ meterApiName: string; meterId: string }>;
    const id = (name: string) => meters.find((m) => m.meterApiName === name)!.meterId;
    const range = `startTimeInSeconds=${seconds(at) - 60}&endTimeInSeconds=${seconds(at) + 60}&tenantId=${tenantId}`;
    expect((await call("get", `/usage/${id("reply_input_tokens")}?${range}`).expect(200)).body.data.value).toBe(2000);
    expect((await call("get", `/usage/${id("reply_output_tokens")}?${range}`).expect(200)).body.data.value).toBe(500);
    expect((await call("get", `/usage/${id("images")}?${range}`).expect(200)).body.data.value).toBe(1);
    expect((await call("get", `/usage/${id("cost_usd")}?${range}`).expect(200)).body.data.value).toBe(0.0435);
    const records = await usageRecordModel(database).find({ tenantId }).lean();
    expect(records.every((r) => (r.dimensions as { model?: string }).model)).toBe(true);
  });
});

describe("prices and reconciliation", () => {
  it("keeps the catalog's prices as version 1, adds versions from now on, and recomputes each day's cost with the version in force", async () => {
    const first = (await call("get", "/prices").expect(200)).body.data as Array<{ version: number; prices: Record<string, unknown> }>;
    expect(first[0]).toMatchObject({ version: 1, effectiveFrom: new Date(0).toISOString() });
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect((await call("post", "/prices").send({ effectiveFrom: past, prices: { "model-r": { input_tokens: 1 } } }).expect(409)).body.code).toBe("pricing.effective_in_past");
    await call("post", "/prices").send({ prices: { "model-r": { input_tokens: -1 } } }).expect(400);
    const v2From = new Date(Date.now() + 1000);
    await call("post", "/prices").send({ effectiveFrom: v2From.toISOString(), note: "model-r launch", prices: { "model-r": { input_tokens: 0.001, output_tokens: 0.002 } } }).expect(201);
    const v3From = new Date(v2From.getTime() + 86_400_000);
    const v3 = (await call("post", "/prices").send({ effectiveFrom: v3From.toISOString(), prices: { "model-r": { input_tokens: 0.002, output_tokens: 0.004 } } }).expect(201)).body.data;
    expect(v3.version).toBe(first.length + 2);

    // Calls on two days, one under each version; one recorded at a wrong cost (a double count, say).
    const database = await h.deps.database();
    const tenantId = "64b000000000000000000002";
    const call1 = new Date(v2From.getTime() + 1000);
    const call2 = new Date(v3From.getTime() + 1000);
    const base = { tenantId, kind: "reply", userId: "64b0000000000000000000aa", notebookId: "64b0000000000000000000bb", modelId: "model-r", status: "complete" };
    await runAsSystem("test", () =>
      usageEventModel(database).insertMany([
        { ...base, idempotencyKey: "reply:r1", inputTokens: 1000, outputTokens: 500, costUsd: 0.002, at: call1 },
        { ...base, idempotencyKey: "reply:r2", inputTokens: 1000, outputTokens: 500, costUsd: 0.002, at: new Date(call1.getTime() + 10) },
        { ...base, idempotencyKey: "reply:r3", inputTokens: 2000, outputTokens: 1000, costUsd: 0.016, at: call2 },
      ]),
    );
    const rows = (await call("get", `/reconciliation?from=${encodeURIComponent(new Date(call1.getTime() - 60_000).toISOString())}&to=${encodeURIComponent(new Date(call2.getTime() + 60_000).toISOString())}&tenantId=${tenantId}`).expect(200)).body.data;
    expect(rows).toEqual([
      { tenantId, modelId: "model-r", day: call1.toISOString().slice(0, 10), events: 2, inputTokens: 2000, outputTokens: 1000, images: 0, recordedUsd: 0.004, recomputedUsd: 0.004, differenceUsd: 0, priceVersions: [v3.version - 1] },
      { tenantId, modelId: "model-r", day: call2.toISOString().slice(0, 10), events: 1, inputTokens: 2000, outputTokens: 1000, images: 0, recordedUsd: 0.016, recomputedUsd: 0.008, differenceUsd: 0.008, priceVersions: [v3.version] },
    ]);
    await call("get", "/reconciliation?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z").expect(400);
  });
});
