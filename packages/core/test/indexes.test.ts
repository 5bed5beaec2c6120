import type { Connection, Model } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { claimModel, closeConnection, getConnection, leaseModel } from "../src/database/index.js";
import { apiKeyModel, identityModel, loginFailureModel, oneTimeTokenModel, refreshTokenModel, userModel } from "../src/identity/index.js";
import { generatedImageModel } from "../src/images/index.js";
import { knowledgeChunkModel, knowledgeFileModel } from "../src/knowledge/index.js";
import { messageModel, notebookModel, usageEventModel } from "../src/notebooks/index.js";
import { inviteModel, membershipModel, tenantModel } from "../src/tenants/index.js";
import { groupMemberModel, groupModel } from "../src/groups/index.js";

/**
 * Every index a model declares exists on the engine the suite runs (FerretDB on PostgreSQL by
 * default; MongoDB or DocumentDB with MONGODB_URI): one rejected option would silently leave a
 * whole collection without its indexes, its uniqueness rules included.
 */
let connection: Connection;

beforeAll(async () => {
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-indexes-test` });
  await connection.dropDatabase();
});
afterAll(() => closeConnection());

describe("declared indexes", () => {
  it("are all created, with their keys and uniqueness, on this engine", async () => {
    const models: Array<Model<never>> = [
      userModel(connection),
      identityModel(connection),
      oneTimeTokenModel(connection),
      refreshTokenModel(connection),
      loginFailureModel(connection),
      apiKeyModel(connection),
      tenantModel(connection),
      membershipModel(connection),
      inviteModel(connection),
      notebookModel(connection),
      messageModel(connection),
      usageEventModel(connection),
      knowledgeFileModel(connection),
      knowledgeChunkModel(connection),
      generatedImageModel(connection),
      groupModel(connection),
      groupMemberModel(connection),
      leaseModel(connection),
      claimModel(connection, "one_time_token_uses"),
    ] as never;
    let checked = 0;
    for (const model of models) {
      await model.init();
      const existing = (await model.collection.listIndexes().toArray()) as Array<{ name: string; key: Record<string, number>; unique?: boolean }>;
      for (const [keys, options] of model.schema.indexes() as Array<[Record<string, number>, { name?: string; unique?: boolean }]>) {
        const found = existing.find((i) => JSON.stringify(i.key) === JSON.stringify(keys));
        expect(found, `${model.collection.collectionName}: index ${JSON.stringify(keys)} is missing`).toBeDefined();
        if (options.name) expect(found!.name).toBe(options.name);
        expect(Boolean(found!.unique), `${model.collection.collectionName}: ${found!.name} uniqueness`).toBe(Boolean(options.unique));
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(25);
  });
});
