import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import type { Connection } from "mongoose";
import type { ModelEntry } from "../ai/index.js";
import type { Owner } from "../notebooks/notebooks.js";
import { withTenant } from "../tenancy/index.js";
import { embedTexts, knowledgeChunkModel, knowledgeFileModel } from "./files.js";

export interface Passage {
  /** 1-based number the model cites as [n]. */
  readonly n: number;
  readonly fileId: string;
  readonly fileName: string;
  readonly page: number;
  readonly chunkIndex: number;
  readonly text: string;
  readonly score: number;
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * The passages of a notebook's ready files closest to the question. Similarity is computed in
 * the application over the stored vectors, so retrieval works the same on MongoDB, DocumentDB
 * and FerretDB (none of FerretDB v1's operators can rank vectors); fine for a notebook's files.
 */
export async function retrievePassages(connection: Connection, owner: Owner, notebookId: string, question: string, services: { bedrock: BedrockRuntimeClient; embeddingModel: ModelEntry }, k = 4): Promise<Passage[]> {
  return withTenant(owner.tenantId, async () => {
    const files = await knowledgeFileModel(connection).find({ notebookId, status: "ready" }).select({ name: 1 }).lean();
    if (files.length === 0) return [];
    const [query] = await embedTexts(services.bedrock, services.embeddingModel, [question]);
    const chunks = await knowledgeChunkModel(connection).find({ notebookId, fileId: { $in: files.map((f) => f._id) } }).lean();
    const names = new Map(files.map((f) => [String(f._id), f.name]));
    return chunks
      .map((c) => ({ c, score: cosine(query!, c.embedding) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k)
      .filter((r) => r.score > 0)
      .map(({ c, score }, i) => ({ n: i + 1, fileId: String(c.fileId), fileName: names.get(String(c.fileId)) ?? "file", page: c.page, chunkIndex: c.index, text: c.text, score }));
  });
}

/** The system prompt's grounding section: numbered passages and how to cite them. */
export function groundingPrompt(passages: readonly Passage[]): string {
  if (passages.length === 0) return "";
  return [
    "Answer from these passages of the user's files when they are relevant, and cite each passage you use as [n].",
    ...passages.map((p) => `[${p.n}] (${p.fileName}, page ${p.page}): ${p.text}`),
  ].join("\n\n");
}

/** The passages a reply cites, in order of first mention. */
export function citedPassages(reply: string, passages: readonly Passage[]): Passage[] {
  const cited: Passage[] = [];
  for (const match of reply.matchAll(/\[(\d+)\]/g)) {
    const passage = passages.find((p) => p.n === Number(match[1]));
    if (passage && !cited.includes(passage)) cited.push(passage);
  }
  return cited;
}
