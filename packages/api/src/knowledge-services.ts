import { UnavailableError } from "@tandem/core/errors";
import type { KnowledgeServices } from "@tandem/core/knowledge";
import type { AppDeps } from "./deps.js";

/**
 * What reading knowledge files needs (the bucket, Bedrock, the embedding model), or why it is
 * not set up. With `queued`, completing an upload only queues its reading (the API's requests);
 * without, the caller reads it itself (the jobs queue's consumer).
 */
export function knowledgeServices(deps: Pick<AppDeps, "ai" | "storage" | "jobs">, options: { queued: boolean }): KnowledgeServices {
  const embeddingModel = deps.ai.catalog.embeddingModel();
  if (!deps.storage.knowledgeBucket) throw new UnavailableError("Knowledge files are not set up on this Tandem (KNOWLEDGE_FILES_BUCKET is missing). Ask the operator.", "knowledge.unconfigured");
  if (!embeddingModel) throw new UnavailableError("Knowledge files need an embedding model in the model catalog (BEDROCK_MODELS). Ask the operator.", "knowledge.no_embedding_model");
  return { s3: deps.storage.s3, bucket: deps.storage.knowledgeBucket, bedrock: deps.ai.bedrock, embeddingModel, catalog: deps.ai.catalog, ...(options.queued ? { queue: deps.jobs } : {}) };
}
