import { LiveServerMessage, type LiveEvent } from "@tandem/client/contract";
import { LiveClient, type LiveStatus, type WebSocketLike } from "@tandem/client/live";
import { liveEventModel } from "@tandem/core/live";
import { runAsSystem } from "@tandem/core/tenancy";
import { startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { WebSocket } from "ws";
import { startLocalLiveServer, notebookAccess, type LocalLiveServer } from "../src/index.js";
import { identityHarness, linkToken, type IdentityHarness, type SignedIn } from "./helpers.js";

/**
 * Live updates (issue 12, item 6) over real WebSockets: the local gateway runs the same $connect /
 * $default / $disconnect code and fan-out as AWS does. Two connections of one person see a change
 * within a second, a person of another organisation receives nothing and cannot subscribe to it,
 * tickets are single-use and tied to the site's Origin, and a connection dropped for 10 s catches
 * up with every event once.
 */
let h: IdentityHarness;
let standIn: BedrockStandIn;
let live: LocalLiveServer;
let ann: SignedIn;
let carol: SignedIn;
let bea: SignedIn;
let orgId: string;
let otherOrgId: string;
const ORIGIN = "http://app.tandem.test";

beforeAll(async () => {
  standIn = await startBedrockStandIn({ tokenDelayMs: 1 });
  h = await identityHarness("api-live-test", { source: { ...inject("awsEnv"), AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url, LIVE_URL: "ws://placeholder/" } });
  const connection = await h.deps.database();
  live = await startLocalLiveServer({ connection, sessionSecret: h.deps.config.sessionSecret, appOrigin: ORIGIN, access: notebookAccess(connection), pollMs: 100 });
  (h.deps as { liveUrl?: string }).liveUrl = live.url;
  ann = await h.member("ann@live.test", "Ann");
  carol = await h.member("carol@live.test", "Carol");
  orgId = (await ann.agent.post("/api/orgs").set("x-csrf-token", ann.csrf).send({ name: "Live Co", slug: "live-co" }).expect(201)).body.organisation.id;
  bea = await h.member("bea@live.test", "Bea");
  const since = h.mail.received.length;
  await ann.agent.post(`/api/orgs/${orgId}/invites`).set("x-csrf-token", ann.csrf).send({ email: bea.email, role: "member" }).expect(201);
  const token = linkToken(await h.mail.waitFor(bea.email, since), "/invites/accept");
  await bea.agent.post("/api/invites/accept").set("x-csrf-token", bea.csrf).send({ token }).expect(200);
  otherOrgId = (await carol.agent.post("/api/orgs").set("x-csrf-token", carol.csrf).send({ name: "Elsewhere", slug: "elsewhere-live" }).expect(201)).body.organisation.id;
}, 120_000);
afterAll(async () => {
  await live?.close();
  await standIn?.close();
  await h?.close();
});

const ticketOf = async (who: SignedIn, org = orgId) => (await who.agent.post(`/api/orgs/${org}/live/ticket`).set("x-csrf-token", who.csrf).expect(200)).body as { url: string; ticket: string };
const newNotebook = async (who: SignedIn, org = orgId, title?: string) => (await who.agent.post(`/api/orgs/${org}/notebooks`).set("x-csrf-token", who.csrf).send(title ? { title } : {}).expect(201)).body.notebook.id as string;

/** A raw socket: resolves once open, or with the HTTP status the upgrade was refused with. */
function open(url: string, origin = ORIGIN): Promise<{ ws?: WebSocket; status?: number; messages: LiveServerMessage[] }> {
  return new Promise((resolve) => {
    const messages: LiveServerMessage[] = [];
    const ws = new WebSocket(url, { origin });
    ws.on("message", (data) => messages.push(LiveServerMessage.parse(JSON.parse(String(data)))));
    ws.once("open", () => resolve({ ws, messages }));
    ws.once("unexpected-response", (_req, res) => resolve({ status: res.statusCode, messages }));
  });
}

/** A view as the web app makes one: the client of @tandem/client/live over `ws`. */
function view(who: SignedIn, notebooks: string[], options: { org?: string; backoffMs?: number[] } = {}) {
  const events: LiveEvent[] = [];
  const statuses: LiveStatus[] = [];
  let resyncs = 0;
  const client = new LiveClient({
    ticket: () => ticketOf(who, options.org),
    socket: (url) => new WebSocket(url, { origin: ORIGIN }) as unknown as WebSocketLike,
    onEvent: (e) => events.push(e),
    onResync: () => (resyncs += 1),
    onStatus: (s) => statuses.push(s),
    backoffMs: options.backoffMs ?? [200],
  });
  client.follow(notebooks, true);
  client.start();
  return { client, events, statuses, resyncs: () => resyncs, live: () => statuses.at(-1) === "live" };
}

describe("live updates", () => {
  it("tickets: refused without one, from another origin, twice, or altered", async () => {
    const nobody = await open(`${live.url}`);
    expect(nobody.status).toBe(401);
    const t = await ticketOf(ann);
    expect(t.url).toBe(live.url);
    const foreign = await open(`${live.url}?ticket=${encodeURIComponent(t.ticket)}`, "https://evil.example");
    expect(foreign.status).toBe(403);
    const first = await open(`${live.url}?ticket=${encodeURIComponent(t.ticket)}`);
    expect(first.ws).toBeDefined();
    const again = await open(`${live.url}?ticket=${encodeURIComponent(t.ticket)}`);
    expect(again.status).toBe(401);
    const t2 = await ticketOf(ann);
    const [body, sig] = t2.ticket.split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, "base64url").toString()), t: otherOrgId })).toString("base64url");
    expect((await open(`${live.url}?ticket=${forged}.${sig}`)).status).toBe(401);
    // Hostile messages: answered with what to send, and a message over the limit closes the socket.
    first.ws!.send("not json");
    first.ws!.send(JSON.stringify({ type: "subscribe", notebooks: Array.from({ length: 21 }, (_, i) => i.toString(16).padStart(24, "0")) }));
    await expect.poll(() => first.messages.filter((m) => m.type === "error").length).toBe(2);
    const closed = new Promise<number>((resolve) => first.ws!.once("close", (code) => resolve(code)));
    first.ws!.send("x".repeat(10_000));
    expect(await closed).toBe(1009);
    // Tickets are for members of the organisation only.
    await carol.agent.post(`/api/orgs/${orgId}/live/ticket`).set("x-csrf-token", carol.csrf).expect(404);
  });

  it("two views of one person and a collaborator's see a change within a second; another organisation's person sees nothing", async () => {
    const notebookId = await newNotebook(ann);
    const tabA = view(ann, [notebookId]);
    const tabB = view(ann, [notebookId]);
    // Bea, in the same organisation, follows it too: refused until it is shared with her.
    const early = view(bea, [notebookId]);
    await expect.poll(() => early.live(), { timeout: 10_000 }).toBe(true);
    await ann.agent.put(`/api/orgs/${orgId}/notebooks/${notebookId}/shares`).set("x-csrf-token", ann.csrf).send({ kind: "member", targetId: bea.userId, permission: "read" }).expect(200);
    early.client.stop();
    const collaborator = view(bea, [notebookId]);
    // Carol asks for Ann's notebook from her own organisation: refused, and she hears nothing of it.
    const t = await ticketOf(carol, otherOrgId);
    const spy = await open(`${t.url}?ticket=${encodeURIComponent(t.ticket)}`);
    spy.ws!.send(JSON.stringify({ type: "subscribe", notebooks: [notebookId], list: true }));
    await expect.poll(() => spy.messages.find((m) => m.type === "ready")).toMatchObject({ refused: [notebookId] });
    await expect.poll(() => tabA.live() && tabB.live() && collaborator.live(), { timeout: 10_000 }).toBe(true);
    expect(tabA.resyncs()).toBe(1);

    const renamedAt = Date.now();
    await ann.agent.patch(`/api/orgs/${orgId}/notebooks/${notebookId}`).set("x-csrf-token", ann.csrf).send({ title: "Launch plan" }).expect(200);
    for (const tab of [tabA, tabB, collaborator]) {
      await expect.poll(() => tab.events.some((e) => e.kind === "notebook.changed" && e.notebookId === notebookId && e.data?.title === "Launch plan"), { timeout: 1_000, interval: 20 }).toBe(true);
    }
    expect(Date.now() - renamedAt).toBeLessThan(1_500);

    // A message sent from one tab: the other hears that a reply started and then that it is there.
    await ann.agent.post(`/api/orgs/${orgId}/notebooks/${notebookId}/messages`).set("x-csrf-token", ann.csrf).send({ text: "Hello there" }).expect(200);
    for (const tab of [tabB, collaborator]) await expect.poll(() => tab.events.map((e) => e.kind), { timeout: 2_000 }).toEqual(expect.arrayContaining(["reply.started", "messages.changed"]));
    // Before the share, Bea's view heard nothing of it.
    expect(early.events.filter((e) => e.notebookId === notebookId && e.kind !== "notebook.changed")).toEqual([]);
    collaborator.client.stop();
    // Carol's own organisation's list hears of her notebook, and never of Ann's.
    const hers = await newNotebook(carol, otherOrgId, "Carol's");
    await expect.poll(() => spy.messages.some((m) => m.type === "event" && m.notebookId === hers)).toBe(true);
    expect(spy.messages.filter((m) => m.type === "event" && m.notebookId === notebookId)).toEqual([]);
    expect(tabA.events.some((e) => e.notebookId === hers)).toBe(false);
    for (const tab of [tabA, tabB]) {
      expect(new Set(tab.events.map((e) => e.id)).size).toBe(tab.events.length);
      tab.client.stop();
    }
    spy.ws!.close();
  });

  it("a view dropped for 10 s catches up with every event exactly once", async () => {
    const notebookId = await newNotebook(ann, orgId, "Resume");
    const tab = view(ann, [notebookId], { backoffMs: [10_000] });
    await expect.poll(() => tab.live(), { timeout: 10_000 }).toBe(true);
    const write = (title: string) => ann.agent.patch(`/api/orgs/${orgId}/notebooks/${notebookId}`).set("x-csrf-token", ann.csrf).send({ title }).expect(200);
    await write("Before the drop");
    // (The notebook's creation, just before the view subscribed, may arrive too: events are delivered at least once and deduplicated by id.)
    await expect.poll(() => tab.events.findIndex((e) => e.data?.title === "Before the drop"), { timeout: 2_000 }).toBeGreaterThanOrEqual(0);
    const mark = tab.events.findIndex((e) => e.data?.title === "Before the drop");
    const seenBefore = tab.events.length;

    tab.client.interrupt();
    await expect.poll(() => tab.statuses.at(-1)).toBe("offline");
    const droppedAt = Date.now();
    for (const title of ["One", "Two", "Three"]) await write(title);
    await ann.agent.post(`/api/orgs/${orgId}/notebooks/${notebookId}/messages`).set("x-csrf-token", ann.csrf).send({ text: "While away" }).expect(200);
    expect(tab.events).toHaveLength(seenBefore);

    await expect.poll(() => tab.live(), { timeout: 20_000, interval: 100 }).toBe(true);
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(10_000);
    // Every event of the notebook from the last one seen on, in the log's order, each once.
    const connection = await h.deps.database();
    const from = new Date(tab.events[mark]!.at);
    const logged = await runAsSystem("test", () => liveEventModel(connection).find({ notebookId, at: { $gte: from } }).sort({ at: 1, _id: 1 }).lean());
    // (The list's events of other notebooks may come too, as the view follows the list.)
    const mine = () => tab.events.slice(mark).filter((e) => e.notebookId === notebookId);
    await expect.poll(() => mine().map((e) => e.id), { timeout: 5_000 }).toEqual(logged.map((e) => String(e._id)));
    expect(mine().map((e) => e.kind)).toEqual(["notebook.changed", "notebook.changed", "notebook.changed", "notebook.changed", "reply.started", "messages.changed"]);
    expect(mine().map((e) => e.data?.title).filter(Boolean)).toEqual(["Before the drop", "One", "Two", "Three"]);
    expect(new Set(tab.events.map((e) => e.id)).size).toBe(tab.events.length);
    // No second resync: the gap was replayed, not papered over with a reload.
    expect(tab.resyncs()).toBe(1);
    tab.client.stop();
  }, 60_000);
});
