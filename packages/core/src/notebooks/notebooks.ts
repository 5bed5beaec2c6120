import type { Connection } from "mongoose";
import { NotebookInput as NotebookRequest, type NotebookAccess } from "@tandem/client/contract";
import { detectCapabilities, withLease } from "../database/index.js";
import { ForbiddenError, InvalidInputError, NotFoundError, parseInput } from "../errors/index.js";
import { projectMemberModel } from "../projects/model.js";
import { atLeast, rightOf } from "../sharing/access.js";
import { withTenant } from "../tenancy/index.js";
import { notifyNotebook } from "../live/events.js";
import { settleStaleReplies } from "./settle.js";
import { messageModel, notebookModel, weekOf, type MessageDocument, type MessageStatus, type NotebookDocument } from "./model.js";

/** Who a notebook operation is for: notebooks belong to one person in one organisation. */
export interface Owner {
  readonly tenantId: string;
  readonly userId: string;
}

export interface Notebook {
  /** What the person asking may do with it (absent in lists of one's own notebooks). */
  readonly access?: NotebookAccess;
  readonly id: string;
  readonly title: string;
  readonly systemPrompt: string;
  readonly modelId: string;
  readonly createdAt: Date;
  readonly lastActivityAt: Date;
  /** The project it is in. */
  readonly projectId?: string;
}

export interface NotebookMessage {
  readonly id: string;
  readonly role: "user" | "assistant";
  readonly content: string;
  readonly modelId?: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly latencyMs?: number;
  readonly firstTokenMs?: number;
  readonly status: MessageStatus;
  readonly error?: string;
  readonly citations?: ReadonlyArray<{ n: number; fileId: string; fileName: string; page: number; chunkIndex: number; text: string }>;
  /** Who wrote it (a question) or asked for it (a reply): in a shared notebook, not always its owner. */
  readonly authorId?: string;
  readonly createdAt: Date;
}

export const toNotebook = (d: NotebookDocument): Notebook => ({
  id: String(d._id),
  title: d.title,
  systemPrompt: d.systemPrompt ?? "",
  modelId: d.modelId,
  createdAt: d.createdAt,
  lastActivityAt: d.lastActivityAt,
  ...(d.projectId ? { projectId: String(d.projectId) } : {}),
});

export const toMessage = (d: MessageDocument): NotebookMessage => ({
  id: String(d._id),
  role: d.role,
  content: d.content ?? "",
  modelId: d.modelId ?? undefined,
  inputTokens: d.inputTokens ?? 0,
  outputTokens: d.outputTokens ?? 0,
  latencyMs: d.latencyMs ?? undefined,
  firstTokenMs: d.firstTokenMs ?? undefined,
  status: d.status,
  error: d.error ?? undefined,
  ...(Array.isArray(d.citations) && d.citations.length ? { citations: d.citations as NonNullable<NotebookMessage["citations"]> } : {}),
  ...(d.userId ? { authorId: String(d.userId) } : {}),
  createdAt: d.createdAt,
});

/** The contract's schema: a one-line title, a system prompt (multi-line, no other control characters), a model. */
export const NotebookInput = NotebookRequest;

const isObjectId = (id: string) => /^[0-9a-f]{24}$/i.test(id);
const notFound = () => new NotFoundError("There is no such notebook in this organisation, or it is not yours. Open it from your notebook list.", "notebook.not_found");

/**
 * The notebook, for whoever may do `need` with it in its organisation: its owner, or a member it
 * was shared with (by name or through a group) to read or to edit. Anyone else learns nothing,
 * not even that it exists.
 */
export async function getNotebook(connection: Connection, who: Owner, notebookId: string, need: NotebookAccess = "owner", options: { projectFiles?: boolean } = {}): Promise<Notebook> {
  if (!isObjectId(notebookId)) throw notFound();
  const doc = await withTenant(who.tenantId, () => notebookModel(connection).findOne({ _id: notebookId }).lean());
  // A project's home is reached only for its files (through the project's routes, which check the project).
  if (!doc || (doc.home && !options.projectFiles)) throw notFound();
  const right = await rightOf(connection, who, { id: notebookId, ownerId: String(doc.userId) });
  if (!right) throw notFound();
  if (!atLeast(right, need)) {
    throw need === "edit"
      ? new ForbiddenError("This notebook was shared with you to read. Ask its owner to let you edit it.", "notebook.read_only")
      : new ForbiddenError("Only the notebook's owner can do this. Ask its owner.", "notebook.owner_only");
  }
  return { ...toNotebook(doc), access: right };
}

/** May this person read this notebook now? (For live updates: checked when they subscribe and as events go out.) */
export async function mayReadNotebook(connection: Connection, who: Owner, notebookId: string): Promise<boolean> {
  try {
    await getNotebook(connection, who, notebookId, "read");
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

/** What a notebook is called until it is named, by its owner or from its first exchange. */
export const DEFAULT_TITLE = "Untitled notebook";
/** The lease under which a notebook's title changes: a rename and the automatic title never cross. */
export const titleLease = (notebookId: string) => `notebook-title:${notebookId}`;

/** A notebook goes into a project only of someone in it (its owner or a member). */
async function assertInProject(connection: Connection, owner: Owner, projectId: string): Promise<void> {
  const row = await withTenant(owner.tenantId, () => projectMemberModel(connection).findOne({ projectId, userId: owner.userId }).lean());
  if (!row) throw new NotFoundError("There is no such project in this organisation, or you are not in it. Pick one of your projects, or ask its owner to add you.", "project.not_found");
}

export async function createNotebook(connection: Connection, owner: Owner, input: unknown, defaults: { modelId: string }, now: Date = new Date()): Promise<Notebook> {
  const data = parseInput(NotebookInput, input ?? {}, "notebook details");
  if (data.projectId) await assertInProject(connection, owner, data.projectId);
  const doc = await withTenant(owner.tenantId, () =>
    notebookModel(connection).create({
      userId: owner.userId,
      title: data.title ?? DEFAULT_TITLE,
      titledBy: data.title && data.title !== DEFAULT_TITLE ? "user" : null,
      systemPrompt: data.systemPrompt ?? "",
      modelId: data.modelId ?? defaults.modelId,
      lastActivityAt: now,
      ...(data.projectId ? { projectId: data.projectId } : {}),
    }),
  );
  const notebook = toNotebook(doc.toObject());
  await notifyNotebook(connection, owner, notebook.id, "notebook.changed", { title: notebook.title });
  return notebook;
}

export async function updateNotebook(connection: Connection, owner: Owner, notebookId: string, input: unknown): Promise<Notebook> {
  const data = parseInput(NotebookInput, input ?? {}, "notebook details");
  await getNotebook(connection, owner, notebookId);
  const { projectId, ...fields } = data;
  if (projectId) await assertInProject(connection, owner, projectId);
  const set: Record<string, unknown> = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  if (projectId) set.projectId = projectId;
  const unset = projectId === null ? { projectId: "" } : undefined;
  if (!Object.keys(set).length && !unset) return getNotebook(connection, owner, notebookId);
  const write = () => withTenant(owner.tenantId, () => notebookModel(connection).updateOne({ _id: notebookId, userId: owner.userId }, { ...(Object.keys(set).length ? { $set: set } : {}), ...(unset ? { $unset: unset } : {}) }));
  if (data.title === undefined) await write();
  else {
    // A name its owner gave: the automatic title never replaces it (both change it under one lease).
    set.titledBy = "user";
    await withLease(connection, titleLease(notebookId), write, { waitMs: 10_000, what: "This notebook's title" });
  }
  const notebook = await getNotebook(connection, owner, notebookId);
  await notifyNotebook(connection, owner, notebookId, "notebook.changed", { title: notebook.title });
  return notebook;
}

/** The messages of a notebook whose ownership the caller has checked. */
async function messagesOf(connection: Connection, owner: Owner, notebookId: string): Promise<NotebookMessage[]> {
  const docs = await withTenant(owner.tenantId, () => messageModel(connection).find({ notebookId }).sort({ createdAt: 1, _id: 1 }).lean());
  // A reply whose writer died (crash, outage) is settled here, never left "streaming".
  return (await settleStaleReplies(connection, owner.tenantId, docs)).map(toMessage);
}

export async function listMessages(connection: Connection, owner: Owner, notebookId: string): Promise<NotebookMessage[]> {
  await getNotebook(connection, owner, notebookId, "read");
  return messagesOf(connection, owner, notebookId);
}

/**
 * The notebook and its messages, with one ownership check. Both are read at once (one round trip
 * instead of two); the messages are used only once the notebook is found to be the caller's.
 */
export async function notebookWithMessages(connection: Connection, owner: Owner, notebookId: string, need: NotebookAccess = "read"): Promise<{ notebook: Notebook; messages: NotebookMessage[] }> {
  if (!isObjectId(notebookId)) throw notFound();
  const [notebook, docs] = await Promise.all([
    getNotebook(connection, owner, notebookId, need),
    withTenant(owner.tenantId, () => messageModel(connection).find({ notebookId }).sort({ createdAt: 1, _id: 1 }).lean()),
  ]);
  // A reply whose writer died (crash, outage) is settled here, never left "streaming".
  return { notebook, messages: (await settleStaleReplies(connection, owner.tenantId, docs)).map(toMessage) };
}

export interface NotebookPage {
  readonly notebooks: Notebook[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string;
  /** With a query on an engine without text search: how many messages were searched (newest weeks first). */
  readonly searchedMessages?: number;
}

/**
 * Without a text index (FerretDB), a search reads at most this many of the person's messages,
 * newest week first, over at most MESSAGE_SEARCH_WEEKS weeks, so its cost does not grow with
 * history. (FerretDB v1 pushes equality and a bare limit down to PostgreSQL, never a sort: a
 * "latest N" query would read every message of the person, hence weeks.)
 */
export const MESSAGE_SEARCH_WINDOW = 1_000;
export const MESSAGE_SEARCH_WEEKS = 13;
const TEXT_INDEX = "message_text";
const textIndexes = new WeakMap<Connection, Promise<boolean>>();

/** The text index on message content, created once per connection where the engine has them. */
function ensureTextIndex(connection: Connection): Promise<boolean> {
  let done = textIndexes.get(connection);
  if (!done) {
    done = messageModel(connection)
      .collection.createIndex({ content: "text" }, { name: TEXT_INDEX })
      .then(
        () => true,
        () => false,
      );
    textIndexes.set(connection, done);
  }
  return done;
}

/**
 * The notebooks whose messages contain the query: through the text index where the engine has
 * one (words, as a phrase), else among the latest MESSAGE_SEARCH_WINDOW messages (substring).
 */
async function notebooksMentioning(connection: Connection, owner: Owner, query: string): Promise<{ ids: unknown[]; searched?: number }> {
  const messages = messageModel(connection);
  if ((await detectCapabilities(connection)).textSearch && (await ensureTextIndex(connection))) {
    const words = query.replace(/["\\]/g, " ").trim();
    // Only quotes and backslashes: no words for the index to match (titles are still searched).
    if (!words) return { ids: [] };
    const phrase = `"${words}"`;
    const found = await messages.find({ userId: owner.userId, $text: { $search: phrase } }).select({ notebookId: 1 }).limit(MESSAGE_SEARCH_WINDOW).lean();
    return { ids: [...new Set(found.map((m) => String(m.notebookId)))] };
  }
  const pattern = new RegExp(escapeRegex(query), "i");
  const ids = new Set<string>();
  let searched = 0;
  const thisWeek = weekOf(new Date());
  for (let week = thisWeek; week > thisWeek - MESSAGE_SEARCH_WEEKS && searched < MESSAGE_SEARCH_WINDOW; week--) {
    const batch = await messages
      .find({ userId: owner.userId, week })
      .limit(MESSAGE_SEARCH_WINDOW - searched)
      .select({ notebookId: 1, content: 1 })
      .lean();
    searched += batch.length;
    for (const m of batch) if (pattern.test(m.content ?? "")) ids.add(String(m.notebookId));
  }
  return { ids: [...ids], searched };
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString().split("|");
  const date = new Date(at ?? "");
  if (!id || !isObjectId(id) || Number.isNaN(date.getTime())) throw new InvalidInputError("The page cursor is not valid. Start again from the first page.", [{ name: "cursor", message: "unknown cursor" }]);
  return { at: date, id };
}

/**
 * The owner's notebooks, newest activity first, a page at a time (keyset pagination on
 * lastActivityAt and id, stable while notebooks are added). `query` matches titles and message
 * text, case-insensitively.
 */
export async function listNotebooks(connection: Connection, owner: Owner, options: { cursor?: string; limit?: number; query?: string } = {}): Promise<NotebookPage> {
  const limit = Math.min(Math.max(options.limit ?? 20, 1), 100);
  return withTenant(owner.tenantId, async () => {
    // A project's home holds its files: never listed.
    const filter: Record<string, unknown> = { userId: owner.userId, home: { $ne: true } };
    const query = options.query?.trim().slice(0, 200);
    let searched: number | undefined;
    if (query) {
      const inMessages = await notebooksMentioning(connection, owner, query);
      searched = inMessages.searched;
      filter.$or = [{ title: { $regex: escapeRegex(query), $options: "i" } }, { _id: { $in: inMessages.ids } }];
    }
    if (options.cursor) {
      const { at, id } = decodeCursor(options.cursor);
      filter.$and = [{ $or: [{ lastActivityAt: { $lt: at } }, { lastActivityAt: at, _id: { $lt: id } }] }];
    }
    const docs = await notebookModel(connection).find(filter).sort({ lastActivityAt: -1, _id: -1 }).limit(limit + 1).lean();
    const page = docs.slice(0, limit).map(toNotebook);
    const last = page.at(-1);
    return {
      notebooks: page,
      nextCursor: docs.length > limit && last ? Buffer.from(`${last.lastActivityAt.toISOString()}|${last.id}`).toString("base64url") : undefined,
      ...(searched !== undefined ? { searchedMessages: searched } : {}),
    };
  });
}

/** The notebook as Markdown (for people) or JSON (for programs). */
export async function exportNotebook(connection: Connection, owner: Owner, notebookId: string, format: "markdown" | "json"): Promise<{ filename: string; contentType: string; body: string }> {
  const { notebook, messages } = await notebookWithMessages(connection, owner, notebookId);
  const base = notebook.title.replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "notebook";
  if (format === "json") {
    return { filename: `${base}.json`, contentType: "application/json", body: JSON.stringify({ notebook, messages }, null, 2) };
  }
  const lines = [`# ${notebook.title}`, "", `Model: ${notebook.modelId} · exported ${new Date().toISOString()}`, ""];
  if (notebook.systemPrompt) lines.push("> System prompt: " + notebook.systemPrompt.replace(/\n/g, "\n> "), "");
  for (const m of messages) {
    lines.push(`## ${m.role === "user" ? "You" : `Assistant (${m.modelId ?? "model"})`}`, "", m.content || "_(no text)_", "");
    if (m.status !== "complete" && m.role === "assistant") lines.push(`_${m.status}${m.error ? `: ${m.error}` : ""}_`, "");
  }
  return { filename: `${base}.md`, contentType: "text/markdown", body: lines.join("\n") };
}
