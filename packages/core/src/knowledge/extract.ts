import { InvalidInputError } from "../errors/index.js";
import { checkDocx } from "./docx.js";
import { KNOWLEDGE_LIMITS, type KnowledgeLimits } from "./limits.js";

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
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

export function isKnowledgeType(type: string): type is KnowledgeType {
  return Object.hasOwn(KNOWLEDGE_TYPES, type);
}

function mismatch(type: KnowledgeType, why: string): InvalidInputError {
  return new InvalidInputError(`This file is not ${KNOWLEDGE_TYPES[type] === "HTML" ? "an" : "a"} ${KNOWLEDGE_TYPES[type]} file as declared: ${why}. Upload the original file (or save it again in that format).`, [], "knowledge.wrong_content");
}

/**
 * Text declared as Markdown, text or HTML: valid UTF-8 (a byte-order mark is dropped) and not
 * binary (no NUL bytes, at most 1% control characters other than tab, line and page breaks).
 */
function decodeText(bytes: Uint8Array, type: KnowledgeType): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw mismatch(type, "it is not UTF-8 text (it may be a binary file, or text in another encoding: save it as UTF-8)");
  }
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) throw mismatch(type, "it contains NUL bytes, so it is a binary file");
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) || c === 0x7f) controls++;
  }
  if (controls > Math.max(8, text.length / 100)) throw mismatch(type, "it is mostly control characters, so it is a binary file");
  return text;
}

/**
 * Checks the bytes against the declared type, before any parser sees them: a PDF starts with
 * `%PDF-` (within its first kilobyte), a DOCX is a zip package with word/document.xml, and text
 * is UTF-8 without binary content.
 */
export function checkContent(bytes: Uint8Array, type: KnowledgeType): void {
  switch (type) {
    case "application/pdf":
      if (!Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).includes("%PDF-")) throw mismatch(type, "it does not start with a PDF header (%PDF-)");
      return;
    case DOCX:
      if (!(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)) throw mismatch(type, "it is not a zip package, which every .docx is");
      return;
    case "text/html":
    case "text/markdown":
    case "text/plain":
      decodeText(bytes, type);
      return;
    default:
      throw new InvalidInputError(`Tandem cannot read files of type ${String(type)}. Upload PDF, DOCX, Markdown, text or HTML.`);
  }
}

function tooMuchText(limits: KnowledgeLimits): InvalidInputError {
  return new InvalidInputError(
    `This file holds more than ${limits.maxTextChars.toLocaleString("en")} characters of text (about ${Math.round(limits.maxTextChars / 2000).toLocaleString("en")} pages), more than Tandem reads from one file. Split it into smaller files, then upload them.`,
    [],
    "knowledge.too_large",
  );
}

async function pdfPages(bytes: Uint8Array, limits: KnowledgeLimits): Promise<string[]> {
  const { getDocumentProxy } = await import("unpdf");
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  if (pdf.numPages > limits.maxPages) {
    throw new InvalidInputError(`This PDF has ${pdf.numPages.toLocaleString("en")} pages; Tandem reads at most ${limits.maxPages.toLocaleString("en")} from one file. Split it into smaller files, then upload them.`, [], "knowledge.too_large");
  }
  const pages: string[] = [];
  let total = 0;
  // Page by page, so a file over the character limit stops as soon as it passes it.
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    const text = content.items.map((item) => ("str" in item ? item.str + (item.hasEOL ? "\n" : "") : "")).join("");
    total += text.length;
    if (total > limits.maxTextChars) throw tooMuchText(limits);
    pages.push(text);
  }
  return pages;
}

/**
 * The text of a file, page by page (one "page" for formats without pages), within `limits`.
 * Checks the content against the declared type first. Heavy: call it through
 * `extractInWorker` (worker.ts) from a server, never on its event loop.
 */
export async function extractText(bytes: Uint8Array, type: KnowledgeType, limits: KnowledgeLimits = KNOWLEDGE_LIMITS): Promise<string[]> {
  checkContent(bytes, type);
  let pages: string[];
  switch (type) {
    case "application/pdf":
      return pdfPages(bytes, limits);
    case DOCX: {
      await checkDocx(bytes, limits);
      const { default: mammoth } = await import("mammoth");
      pages = [(await mammoth.extractRawText({ buffer: Buffer.from(bytes) })).value];
      break;
    }
    case "text/html": {
      const { convert } = await import("html-to-text");
      pages = [convert(decodeText(bytes, type), { wordwrap: false, selectors: [{ selector: "a", options: { ignoreHref: true } }, { selector: "img", format: "skip" }] })];
      break;
    }
    case "text/markdown":
    case "text/plain":
      pages = [decodeText(bytes, type)];
      break;
    default:
      throw new InvalidInputError(`Tandem cannot read files of type ${String(type)}. Upload PDF, DOCX, Markdown, text or HTML.`);
  }
  if (pages.reduce((sum, p) => sum + p.length, 0) > limits.maxTextChars) throw tooMuchText(limits);
  return pages;
}

export interface Chunk {
  readonly index: number;
  /** 1-based page the chunk starts on (1 for formats without pages). */
  readonly page: number;
  readonly text: string;
}

/**
 * LangChain's recursive splitter (paragraphs, then lines, then words), with one change: where no
 * separator is left it cuts pieces of `chunkSize` directly instead of splitting into single
 * characters and merging them back one by one (same passages; megabytes without whitespace take
 * milliseconds instead of seconds). A cut never falls inside a surrogate pair. Loaded on first
 * use, so only the extraction worker pays for LangChain.
 */
let splitterClass: Promise<new (fields: { chunkSize: number; chunkOverlap: number }) => { splitText(text: string): Promise<string[]> }> | undefined;
function passageSplitter() {
  splitterClass ??= import("@langchain/textsplitters").then(
    ({ RecursiveCharacterTextSplitter }) =>
      class PassageSplitter extends RecursiveCharacterTextSplitter {
        protected override splitOnSeparator(text: string, separator: string): string[] {
          if (separator !== "") return super.splitOnSeparator(text, separator);
          const pieces: string[] = [];
          for (let start = 0; start < text.length; ) {
            let end = Math.min(start + this.chunkSize, text.length);
            const last = text.charCodeAt(end - 1);
            if (end < text.length && end - start > 1 && last >= 0xd800 && last <= 0xdbff) end--;
            pieces.push(text.slice(start, end));
            start = end;
          }
          return pieces;
        }
      },
  );
  return splitterClass;
}

/**
 * Splits pages into passages of at most `size` characters at paragraph, then line, then word
 * boundaries, and cuts text without any boundary hard, so a citation shows a readable passage and
 * no text is lost. Linear in the text's length. Whitespace is normalised: inside a passage every
 * run of whitespace becomes one space, and passages carry no leading or trailing whitespace;
 * the passages of a page, concatenated, hold every other character of it in order.
 */
export async function chunkPages(pages: readonly string[], size = 900): Promise<Chunk[]> {
  const splitter = new (await passageSplitter())({ chunkSize: size, chunkOverlap: 0 });
  const chunks: Chunk[] = [];
  for (const [pageIndex, pageText] of pages.entries()) {
    // Runs of whitespace shrink first (one space, or one paragraph break), so text made of
    // whitespace costs nothing to split. Each pattern matches a run once, in linear time.
    const normalised = pageText.replace(/\r\n?/g, "\n").replace(/[^\S\n]+/g, " ").replace(/\n[ \n]*\n/g, "\n\n");
    for (const piece of await splitter.splitText(normalised)) {
      const text = piece.replace(/\s+/g, " ").trim();
      if (text) chunks.push({ index: chunks.length, page: pageIndex + 1, text });
    }
  }
  return chunks;
}
