import { CreateEventBusCommand, DeleteEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createOperator, DETAIL_TYPES, eventBridgePublisher, sweepOutboxes, transitionTenant } from "@tandem/core/control-plane";
import { resetPassword } from "@tandem/core/identity";
import { tenantModel } from "@tandem/core/tenants";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { identityHarness, setCookie, type IdentityHarness } from "./helpers.js";

/**
 * The tenant lifecycle through SBT's routes (issue 10, item 3, first part): SBT's tutorial script
 * (POST /tenants with tenantName, email, tier, tenantStatus, then GET /tenants) against the local
 * stack with a client-credentials token; each move recorded with its actor and cause; its events
 * really put on moto's EventBridge and routed by a rule to an SQS queue; an Idempotency-Key
 * registering once; events that could not be published kept and published by the sweeper.
 */
const aws = inject("awsEnv");
const credentials = { accessKeyId: aws.AWS_ACCESS_KEY_ID!, secretAccessKey: aws.AWS_SECRET_ACCESS_KEY! };
const region = aws.AWS_REGION ?? "us-east-1";
const events = new EventBridgeClient({ region, endpoint: aws.AWS_ENDPOINT_URL, credentials });
const sqs = new SQSClient({ region, endpoint: aws.AWS_ENDPOINT_URL, credentials });
const BUS = `tandem-control-plane-test-${Date.now()}`;
let queueUrl: string;
let h: IdentityHarness;
let bearer: string;

type Received = { "detail-type": string; source: string; detail: Record<string, unknown> };

/** Everything the rule delivered to the queue so far. */
async function delivered(): Promise<Received[]> {
  const out: Received[] = [];
  for (let round = 0; round < 5; round++) {
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: round === 0 ? 1 : 0 }));
    if (!res.Messages?.length) break;
    for (const m of res.Messages) {
      out.push(JSON.parse(m.Body!) as Received);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
  return out;
}

beforeAll(async () => {
  await events.send(new CreateEventBusCommand({ Name: BUS }));
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${BUS}-application-plane` }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  // The application plane's rule: every request the control plane sends.
  await events.send(new PutRuleCommand({ Name: "application-plane", EventBusName: BUS, EventPattern: JSON.stringify({ source: ["sbt.control.plane"] }) }));
  await events.send(new PutTargetsCommand({ Rule: "application-plane", EventBusName: BUS, Targets: [{ Id: "queue", Arn: queueArn }] }));
  h = await identityHarness("api-control-plane-lifecycle-test", { source: { ...aws, EVENT_BUS_NAME: BUS } });
  const { token } = await createOperator(await h.deps.database(), "ops@tandem.test");
  await resetPassword(await h.deps.database(), token, "an operator's long passphrase");
  const agent = request.agent(h.app);
  const signedIn = await agent.post("/api/auth/sign-in").send({ email: "ops@tandem.test", password: "an operator's long passphrase" }).expect(200);
  const client = (await agent.post("/control-plane/clients").set("x-csrf-token", setCookie(signedIn, "tandem_csrf")!).send({ name: "tutorial", scopes: ["tenant/tenant_read", "tenant/tenant_write"] }).expect(201)).body.data;
  bearer = (await request(h.app).post("/control-plane/oauth/token").auth(client.clientId, client.clientSecret).type("form").send({ grant_type: "client_credentials" }).expect(200)).body.access_token;
}, 120_000);
afterAll(async () => {
  await h.close();
  await events.send(new DeleteEventBusCommand({ Name: BUS })).catch(() => undefined);
});

const api = () => ({
  get: (path: string) => request(h.app).get(`/control-plane${path}`).set("authorization", `Bearer ${bearer}`),
  post: (path: string, body: unknown, headers: Record<string, string> = {}) => request(h.app).post(`/control-plane${path}`).set("authorization", `Bearer ${bearer}`).set(headers).send(body as object),
  put: (path: string, body: unknown = {}) => request(h.app).put(`/control-plane${path}`).set("authorization", `Bearer ${bearer}`).send(body as object),
  del: (path: string) => request(h.app).delete(`/control-plane${path}`).set("authorization", `Bearer ${bearer}`),
});

describe("SBT's tutorial script against Tandem's control plane", () => {
  it("creates a tenant in progress, lists it, and sends the onboarding request on the bus", async () => {
    const created = await api().post("/tenants", { tenantName: "tenant4242", email: "tenant@example.com", tier: "basic", tenantStatus: "In progress" }).expect(201);
    expect(created.body.data).toMatchObject({ tenantName: "tenant4242", email: "tenant@example.com", tier: "basic", tenantStatus: "In progress", isActive: false });
    const id = created.body.data.tenantId as string;
    expect(created.body.data.transitions).toEqual([expect.objectContaining({ from: null, to: "provisioning", actor: expect.stringMatching(/^client:tcp_/), cause: "onboarding request" })]);
    const listed = await api().get("/tenants").expect(200);
    expect(listed.body.data.map((t: { tenantId: string }) => t.tenantId)).toContain(id);
    const sent = await delivered();
    expect(sent).toEqual([expect.objectContaining({ "detail-type": DETAIL_TYPES.onboardingRequest, source: "sbt.control.plane", detail: expect.objectContaining({ tenantId: id, tenantName: "tenant4242", email: "tenant@example.com", tier: "basic", eventId: expect.any(String) }) })]);
    // Published, so no longer in the outbox.
    expect((await tenantModel(await h.deps.database()).findById(id).lean())!.outbox).toEqual([]);
  });

  it("registers once for one Idempotency-Key, however often it is sent", async () => {
    const body = { tenantName: "Once Only", email: "once@example.com", tier: "premium" };
    const first = await api().post("/tenants", body, { "idempotency-key": "create-once-1" }).expect(201);
    const again = await api().post("/tenants", body, { "idempotency-key": "create-once-1" }).expect(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body.data.tenantId).toBe(first.body.data.tenantId);
    const both = await Promise.all([api().post("/tenants", { ...body, tenantName: "Raced" }, { "idempotency-key": "raced-2" }), api().post("/tenants", { ...body, tenantName: "Raced" }, { "idempotency-key": "raced-2" })]);
    expect(new Set(both.map((r) => r.body.data.tenantId)).size).toBe(1);
    const onboarding = (await delivered()).filter((e) => e["detail-type"] === DETAIL_TYPES.onboardingRequest);
    expect(onboarding.map((e) => e.detail.tenantName).sort()).toEqual(["Once Only", "Raced"]);
    expect((await api().post("/tenants", body, { "idempotency-key": "bad key" })).status).toBe(400);
    // The same key for a different request is refused, not answered with the first tenant.
    const reused = await api().post("/tenants", { ...body, email: "someone-else@example.com" }, { "idempotency-key": "create-once-1" });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe("idempotency.key_reused");
  });

  it("moves only along the lifecycle: deactivate and activate once provisioned, offboard; refuses the rest with the reason", async () => {
    const id = (await api().post("/tenants", { tenantName: "Lifecycle Co", email: "owner@lifecycle.test" }).expect(201)).body.data.tenantId as string;
    // Not provisioned yet: it cannot be deactivated.
    const early = await api().put(`/tenants/${id}/deactivate`).expect(409);
    expect(early.body.detail).toMatch(/provisioning/);
    // The application plane's answer (its consumer comes next): provisioned.
    await transitionTenant(await h.deps.database(), id, "active", { actor: "application-plane", cause: "provision success" }, () => []);
    expect((await api().put(`/tenants/${id}/deactivate`).expect(200)).body.data).toMatchObject({ tenantStatus: "created", status: "suspended", isActive: false });
    expect((await api().put(`/tenants/${id}/activate`).expect(200)).body.data).toMatchObject({ status: "active", isActive: true });
    const gone = await api().del(`/tenants/${id}`).expect(200);
    expect(gone.body.data).toMatchObject({ tenantStatus: "Deleting", isActive: false });
    expect((await api().put(`/tenants/${id}/activate`)).status).toBe(409);
    const history = (await api().get(`/tenants/${id}`).expect(200)).body.data.transitions.map((t: { to: string }) => t.to);
    expect(history).toEqual(["provisioning", "active", "suspended", "active", "offboarding"]);
    const types = (await delivered()).map((e) => e["detail-type"]);
    expect(types).toEqual(expect.arrayContaining([DETAIL_TYPES.deactivateRequest, DETAIL_TYPES.activateRequest, DETAIL_TYPES.offboardingRequest]));
  });

  it("deactivating an organisation ends its members' access from the next request, and activating restores it", async () => {
    const member = await h.member("member@harbour.test");
    const org = (await member.agent.post("/api/orgs").set("x-csrf-token", member.csrf).send({ name: "Harbour", slug: "harbour-cp" }).expect(201)).body.organisation.id as string;
    await member.agent.get(`/api/orgs/${org}/notebooks`).expect(200);
    await api().put(`/tenants/${org}/deactivate`).expect(200);
    expect((await member.agent.get(`/api/orgs/${org}/notebooks`)).status).toBe(404);
    await api().put(`/tenants/${org}/activate`).expect(200);
    await member.agent.get(`/api/orgs/${org}/notebooks`).expect(200);
  });

  it("takes only the allowed fields on PUT", async () => {
    const id = (await api().post("/tenants", { tenantName: "Renamed Ltd", email: "r@renamed.test" }).expect(201)).body.data.tenantId as string;
    expect((await api().put(`/tenants/${id}`, { tenantName: "Renamed Limited", tier: "premium" }).expect(200)).body.data).toMatchObject({ tenantName: "Renamed Limited", tier: "premium" });
    expect((await api().put(`/tenants/${id}`, { tenantStatus: "created", isActive: true })).status).toBe(400);
    expect((await api().put(`/tenants/${"a".repeat(24)}`, { tier: "x" })).status).toBe(404);
  });

  it("keeps events the bus refused in the outbox, and the sweeper publishes them once the bus answers", async () => {
    const database = await h.deps.database();
    const down = eventBridgePublisher(new EventBridgeClient({ region, endpoint: "http://127.0.0.1:9", credentials, maxAttempts: 1 }), BUS);
    const { registerTenant } = await import("@tandem/core/control-plane");
    const { tenant } = await registerTenant(database, { tenantName: "Outbox Test", email: "o@outbox.test" }, { actor: "system", cause: "test" }, down);
    expect((await tenantModel(database).findById(tenant.tenantId).lean())!.outbox).toHaveLength(1);
    await delivered();
    // Not yet due (a minute old at least), then due.
    expect(await sweepOutboxes(database, h.deps.events, 60_000)).toBe(0);
    expect(await sweepOutboxes(database, h.deps.events, 0)).toBe(1);
    const sent = await delivered();
    expect(sent.filter((e) => e.detail.tenantId === tenant.tenantId).map((e) => e["detail-type"])).toEqual([DETAIL_TYPES.onboardingRequest]);
    expect((await tenantModel(database).findById(tenant.tenantId).lean())!.outbox).toEqual([]);
  });
});
