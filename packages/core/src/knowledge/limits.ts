/**
 * How much Tandem reads from one knowledge file, and with what. A file over a limit ends `failed`
 * with the reason; nothing over them reaches the API's own memory or event loop, because
 * extraction runs in a child process with its own heap limit, memory cap and deadline (worker.ts).
 */
export interface KnowledgeLimits {
  /** Pages of a PDF. */
  readonly maxPages: number;
  /** Characters of extracted text, all pages together (about 2,000 characters make a page). */
  readonly maxTextChars: number;
  /** Text parts (XML) of a DOCX once unpacked: mammoth's memory grows with them (~45x, ~180x for empty paragraphs). */
  readonly maxDocxTextBytes: number;
  /** Every part of a DOCX once unpacked, media included. */
  readonly maxDocxUnpackedBytes: number;
  readonly maxDocxEntries: number;
  /** Unpacked / packed size of one zip part; Word's XML packs about 5-15 times. */
  readonly maxCompressionRatio: number;
  /** Parts smaller than this are not held to the ratio (tiny XML can pack very well). */
  readonly minRatioCheckBytes: number;
  /** The extraction process is stopped after this long. The API's Lambda has 29 s, embedding included. */
  readonly timeoutMs: number;
  /** V8 old-generation heap of the extraction process (--max-old-space-size). */
  readonly workerHeapMb: number;
  /** The extraction process is stopped when its resident memory passes this (buffers live outside the heap). */
  readonly workerRssMb: number;
}

const MB = 1024 * 1024;

export const KNOWLEDGE_LIMITS: KnowledgeLimits = {
  maxPages: 2_000,
  maxTextChars: 2_000_000,
  maxDocxTextBytes: 8 * MB,
  maxDocxUnpackedBytes: 200 * MB,
  maxDocxEntries: 5_000,
  maxCompressionRatio: 100,
  minRatioCheckBytes: 1 * MB,
  timeoutMs: 20_000,
  // With the API's ~200 MB, within the 1,024 MB of its Lambda (which serves one request at a time).
  workerHeapMb: 512,
  workerRssMb: 768,
};

/**
 * In the jobs queue's consumer, the one function that reads files (2,048 MB, 15 minutes): a whole
 * upload of the largest size (25 MB of text is about 25 million characters), with more time and
 * memory for the extraction process. The API's inline path (no queue) keeps KNOWLEDGE_LIMITS.
 */
export const KNOWLEDGE_WORKER_LIMITS: KnowledgeLimits = {
  ...KNOWLEDGE_LIMITS,
  maxTextChars: 26_000_000,
  timeoutMs: 180_000,
  workerHeapMb: 1_024,
  workerRssMb: 1_536,
};
