import { convert } from "html-to-text";
import mammoth from "mammoth";
import { extractText as extractPdfText, getDocumentProxy } from "unpdf";
import { InvalidInputError } from "../errors/index.js";

/** What a knowledge file may be, by content type, and the largest one accepted. */
export const KNOWLEDGE_TYPES = {
  "application/pdf": "PDF",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
  "text/markdown": "Markdown",
  "text/plain": "text",
  "text/html": "HTML",
} as const;
export type KnowledgeType = keyof typeof KNOWLEDGE_TYPES;
export const MAX_KNOWLEDGE_FILE_BYTES = 25 * 1024 * 1024;

export function isKnowledgeType(type: string): type is KnowledgeType {
  return Object.hasOwn(KNOWLEDGE_TYPES, type);
}

/** The text of a file, page by page (one "page" for formats without pages). */
export async function extractText(bytes: Uint8Array, type: KnowledgeType): Promise<string[]> {
  switch (type) {
    case "application/pdf": {
      const pdf = await getDocumentProxy(new Uint8Array(bytes));
      const { text } = await extractPdfText(pdf, { mergePages: false });
      return text;
    }
    case "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
      const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
      return [value];
    }
    case "text/html":
      return [convert(Buffer.from(bytes).toString("utf8"), { wordwrap: false, selectors: [{ selector: "a", options: { ignoreHref: true } }, { selector: "img", format: "skip" }] })];
    case "text/markdown":
    case "text/plain":
      return [Buffer.from(bytes).toString("utf8")];
    default:
      throw new InvalidInputError(`Tandem cannot read files of type ${String(type)}. Upload PDF, DOCX, Markdown, text or HTML.`);
  }
}

export interface Chunk {
  readonly index: number;
  /** 1-based page the chunk starts on (1 for formats without pages). */
  readonly page: number;
  readonly text: string;
}

/**
 * Splits pages into passages of about `size` characters at paragraph, then sentence, then word
 * boundaries, so a citation shows a readable passage.
 */
export function chunkPages(pages: readonly string[], size = 900): Chunk[] {
  const chunks: Chunk[] = [];
  pages.forEach((pageText, pageIndex) => {
    const pieces = pageText
      .replace(/\r/g, "")
      .split(/\n\s*\n/)
      .flatMap((p) => (p.length <= size ? [p] : p.split(/(?<=[.!?])\s+/)))
      .flatMap((p) => (p.length <= size ? [p] : p.match(new RegExp(`.{1,${size}}(\\s|$)`, "gs")) ?? [p]))
      .map((p) => p.replace(/\s+/g, " ").trim())
      .filter(Boolean);
    let current = "";
    const flush = () => {
      if (current) chunks.push({ index: chunks.length, page: pageIndex + 1, text: current });
      current = "";
    };
    for (const piece of pieces) {
      if (current && current.length + piece.length + 1 > size) flush();
      current = current ? `${current} ${piece}` : piece;
    }
    flush();
  });
  return chunks;
}
