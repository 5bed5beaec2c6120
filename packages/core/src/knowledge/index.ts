export { KNOWLEDGE_TYPES, MAX_KNOWLEDGE_FILE_BYTES, isKnowledgeType, extractText, chunkPages, type Chunk, type KnowledgeType } from "./extract.js";
export {
  createUpload,
  completeUpload,
  listFiles,
  deleteFile,
  fileDownloadKey,
  embedTexts,
  knowledgeFileModel,
  knowledgeChunkModel,
  UploadInput,
  type KnowledgeFile,
  type KnowledgeServices,
} from "./files.js";
export { retrievePassages, groundingPrompt, citedPassages, type Passage } from "./retrieve.js";
