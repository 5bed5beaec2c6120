import { startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import { Types, type Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createBedrockClient, LOCAL_TEST_MODEL, modelCatalog } from "../src/ai/index.js";
import { closeConnection, getConnection } from "../src/database/index.js";
import { deleteNotebookAndData } from "../src/deletion/index.js";
import { createNotebook, sendMessage, usageEventModel } from "../src/notebooks/index.js";
import { withTenant } from "../src/tenancy/index.js";

/** A notebook deleted while its reply streams: a clear "not found", and the model's work still metered. */
let connection: Connection;
let standIn: BedrockStandIn;
const owner = { tenantId: new Types.ObjectId().toString(), userId: new Types.ObjectId().toString() };

beforeAll(async () => {
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-chat-deleted-test` });
  await connection.dropDatabase();
  standIn = await startBedrockStandIn({ tokenDelayMs: 20 });
});
afterAll(async () => {
  await standIn.close();
  await closeConnection();
});

describe("a reply whose notebook is deleted meanwhile", () => {
  it("ends with notebook.not_found (not a crash), and its tokens are metered once", async () => {
    const notebook = await createNotebook(connection, owner, { title: "Doomed" }, { modelId: LOCAL_TEST_MODEL.id });
    let deleted: Promise<unknown> | undefined;
    const reply = sendMessage(connection, owner, notebook.id, { text: "Tell me a long story about the sea." }, {
      bedrock: createBedrockClient({ endpoint: standIn.url, credentials: { accessKeyId: "a", secretAccessKey: "b" } }),
      catalog: modelCatalog([LOCAL_TEST_MODEL]),
      policy: { allowedModelIds: [] },
    }, {
      onDelta: () => {
        deleted ??= deleteNotebookAndData(connection, owner, notebook.id, undefined);
      },
    });
    await expect(reply).rejects.toMatchObject({ code: "notebook.not_found", message: expect.stringContaining("deleted while the reply") });
    await deleted;
    const usage = await withTenant(owner.tenantId, () => usageEventModel(connection).find({ notebookId: notebook.id }).lean());
    expect(usage).toHaveLength(1);
    expect(usage[0]!.outputTokens).toBeGreaterThan(0);
  });
});
