export { KNOWLEDGE_TYPES, MAX_KNOWLEDGE_FILE_BYTES, isKnowledgeType, checkContent, extractText, chunkPages, type Chunk, type KnowledgeType } from "./extract.js";
export { KNOWLEDGE_LIMITS, KNOWLEDGE_WORKER_LIMITS, type KnowledgeLimits } from "./limits.js";
export { extractInWorker, ExtractionFailure, type Extracted } from "./worker.js";
export { probeStorage, isStorageOutage, storageUnavailable, STORAGE_TIMEOUT_MS, type StorageProbe } from "./storage.js";
export {
  createUpload,
  completeUpload,
  processFile,
  listFiles,
  deleteFile,
  fileDownloadKey,
  embedTexts,
  packVector,
  unpackVector,
  expireStaleFiles,
  knowledgeFileModel,
  knowledgeChunkModel,
  UploadInput,
  STALE_UPLOAD_MS,
  STALE_PROCESSING_MS,
  UPLOAD_EXPIRED_MESSAGE,
  PROCESSING_INTERRUPTED_MESSAGE,
  type KnowledgeFile,
  type KnowledgeServices,
} from "./files.js";
export { retrievePassages, groundingPrompt, citedPassages, cosine, topK, type Passage } from "./retrieve.js";
export { vectorBlockModel, vectorBlocks, quantise, scanVectorBlocks, blockBounds, queryNorms, BLOCK_SIZE, type Bounded } from "./vectors.js";
