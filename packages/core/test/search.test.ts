import { Types, type Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeConnection, detectCapabilities, getConnection } from "../src/database/index.js";
import { createNotebook, listNotebooks, MESSAGE_SEARCH_WEEKS, MESSAGE_SEARCH_WINDOW, messageModel } from "../src/notebooks/index.js";
import { withTenant } from "../src/tenancy/index.js";

/**
 * Notebook search (issue 9, item 4): through a text index where the engine has one; elsewhere
 * (FerretDB) bounded to MESSAGE_SEARCH_WINDOW of the person's messages, newest week first, over
 * MESSAGE_SEARCH_WEEKS weeks, saying how many it read.
 */
let connection: Connection;
const owner = { tenantId: new Types.ObjectId().toString(), userId: new Types.ObjectId().toString() };

beforeAll(async () => {
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-search-test` });
  await connection.dropDatabase();
});
afterAll(() => closeConnection());

const message = (notebookId: string, content: string, createdAt: Date, userId = owner.userId) => ({ notebookId, userId, role: "user", content, status: "complete", createdAt, updatedAt: createdAt });
const DAY = 24 * 3600_000;

describe("notebook search", () => {
  it("finds titles always, and messages through the text index or in a bounded number of the newest weeks' messages", async () => {
    const defaults = { modelId: "tandem.local-echo-v1" };
    const old = await createNotebook(connection, owner, { title: "Harbour walk" }, defaults);
    const busy = await createNotebook(connection, owner, { title: "Daily notes" }, defaults);
    const titled = await createNotebook(connection, owner, { title: "Lighthouse keepers" }, defaults);
    // Someone else's notebook in the same tenant, with the word: never found.
    await createNotebook(connection, { ...owner, userId: new Types.ObjectId().toString() }, { title: "Lighthouse of another person" }, defaults);
    await withTenant(owner.tenantId, async () => {
      await messageModel(connection).create(message(old.id, "The lighthouse on the point was built in 1858.", new Date(Date.now() - 10 * DAY)));
      // A week's history that fills the window before the search reaches the old message's week.
      for (let i = 0; i < MESSAGE_SEARCH_WINDOW; i += 500) {
        await messageModel(connection).insertMany(Array.from({ length: 500 }, (_, j) => message(busy.id, `Note ${i + j} about groceries and errands.`, new Date(Date.now() - 1000 * (i + j + 1)))));
      }
    });

    const { textSearch } = await detectCapabilities(connection);
    const lighthouse = await listNotebooks(connection, owner, { query: "lighthouse" });
    if (textSearch) {
      expect(lighthouse.notebooks.map((n) => n.id).sort()).toEqual([old.id, titled.id].sort());
      expect(lighthouse.searchedMessages).toBeUndefined();
    } else {
      // The old message is outside the window: the title still matches, and the answer says how far it looked.
      expect(lighthouse.notebooks.map((n) => n.id)).toEqual([titled.id]);
      expect(lighthouse.searchedMessages).toBe(MESSAGE_SEARCH_WINDOW);
    }
    // A quieter person: a message from weeks ago is found, one older than the weeks searched is not.
    const quiet = { ...owner, userId: new Types.ObjectId().toString() };
    const walrus = await createNotebook(connection, quiet, { title: "Zoo" }, defaults);
    const ancient = await createNotebook(connection, quiet, { title: "Archive" }, defaults);
    await withTenant(owner.tenantId, async () => {
      await messageModel(connection).create(message(walrus.id, "The walrus sleeps on the rocks.", new Date(Date.now() - 5 * 7 * DAY), quiet.userId));
      await messageModel(connection).create(message(ancient.id, "The walrus of old.", new Date(Date.now() - (MESSAGE_SEARCH_WEEKS + 2) * 7 * DAY), quiet.userId));
    });
    const found = await listNotebooks(connection, quiet, { query: "walrus" });
    expect(found.notebooks.map((n) => n.id).sort()).toEqual((textSearch ? [walrus.id, ancient.id] : [walrus.id]).sort());
    if (!textSearch) expect(found.searchedMessages).toBe(1);
    const groceries = await listNotebooks(connection, owner, { query: "GROCERIES" });
    expect(groceries.notebooks.map((n) => n.id)).toEqual([busy.id]);
    // A plain list says nothing about searching.
    expect((await listNotebooks(connection, owner)).searchedMessages).toBeUndefined();
  });
});
