import { Types, type Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeConnection, detectCapabilities, getConnection } from "../src/database/index.js";
import { createNotebook, listNotebooks, MESSAGE_SEARCH_WINDOW, messageModel } from "../src/notebooks/index.js";
import { withTenant } from "../src/tenancy/index.js";

/**
 * Notebook search (issue 9, item 4): through a text index where the engine has one; elsewhere
 * (FerretDB) bounded to the person's latest MESSAGE_SEARCH_WINDOW messages, saying so.
 */
let connection: Connection;
const owner = { tenantId: new Types.ObjectId().toString(), userId: new Types.ObjectId().toString() };

beforeAll(async () => {
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-search-test` });
  await connection.dropDatabase();
});
afterAll(() => closeConnection());

const message = (notebookId: string, content: string, createdAt: Date) => ({ notebookId, userId: owner.userId, role: "user", content, status: "complete", createdAt, updatedAt: createdAt });

describe("notebook search", () => {
  it("finds titles always, and messages through the text index or among the latest messages", async () => {
    const defaults = { modelId: "tandem.local-echo-v1" };
    const old = await createNotebook(connection, owner, { title: "Harbour walk" }, defaults);
    const busy = await createNotebook(connection, owner, { title: "Daily notes" }, defaults);
    const titled = await createNotebook(connection, owner, { title: "Lighthouse keepers" }, defaults);
    // Someone else's notebook in the same tenant, with the word: never found.
    await createNotebook(connection, { ...owner, userId: new Types.ObjectId().toString() }, { title: "Lighthouse of another person" }, defaults);
    const start = Date.now() - 10 * 24 * 3600_000;
    await withTenant(owner.tenantId, async () => {
      await messageModel(connection).create(message(old.id, "The lighthouse on the point was built in 1858.", new Date(start)));
      // Newer history that pushes the old message out of the window.
      for (let i = 0; i < MESSAGE_SEARCH_WINDOW; i += 500) {
        await messageModel(connection).insertMany(Array.from({ length: 500 }, (_, j) => message(busy.id, `Note ${i + j} about groceries and errands.`, new Date(start + 1000 * (i + j + 1)))));
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
    const groceries = await listNotebooks(connection, owner, { query: "GROCERIES" });
    expect(groceries.notebooks.map((n) => n.id)).toEqual([busy.id]);
    // A plain list says nothing about searching.
    expect((await listNotebooks(connection, owner)).searchedMessages).toBeUndefined();
  });
});
