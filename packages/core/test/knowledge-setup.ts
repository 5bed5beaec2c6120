import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import type { Connection } from "mongoose";
import { inject } from "vitest";
import { createBedrockClient, LOCAL_EMBEDDING_MODEL, LOCAL_TEST_MODEL } from "../src/ai/index.js";
import { closeConnection, getConnection } from "../src/database/index.js";
import type { KnowledgeServices } from "../src/knowledge/index.js";
import { createNotebook, type Owner } from "../src/notebooks/index.js";

export interface KnowledgeSetup {
  readonly connection: Connection;
  readonly s3: S3Client;
  readonly services: KnowledgeServices;
  readonly notebookId: string;
  readonly standIn: BedrockStandIn;
  close(): Promise<void>;
}

/** A test file's own database and bucket (in moto), the Bedrock stand-in and a notebook of `owner`. */
export async function knowledgeSetup(database: string, bucket: string, owner: Owner, title: string): Promise<KnowledgeSetup> {
  const connection = await getConnection({ uri: `${inject("mongodbUri")}/${database}` });
  await connection.dropDatabase();
  const aws = inject("awsEnv");
  const s3 = new S3Client({ endpoint: aws.AWS_ENDPOINT_URL, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const standIn = await startBedrockStandIn({ tokenDelayMs: 0 });
  const services: KnowledgeServices = { s3, bucket, bedrock: createBedrockClient({ endpoint: standIn.url, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "x" } }), embeddingModel: LOCAL_EMBEDDING_MODEL };
  const notebookId = (await createNotebook(connection, owner, { title }, { modelId: LOCAL_TEST_MODEL.id })).id;
  return {
    connection,
    s3,
    services,
    notebookId,
    standIn,
    async close() {
      await standIn.close();
      await closeConnection();
    },
  };
}
