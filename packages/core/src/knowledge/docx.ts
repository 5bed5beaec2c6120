import type { Readable } from "node:stream";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { InvalidInputError } from "../errors/index.js";
import type { KnowledgeLimits } from "./limits.js";

const MB = 1024 * 1024;
const mb = (bytes: number) => `${Math.round((bytes / MB) * 10) / 10} MB`;

/** The parts Word keeps its text and structure in (mammoth reads these); media is left packed. */
const isTextPart = (name: string) => /\.(xml|rels)$/i.test(name);

function notADocx(detail: string): InvalidInputError {
  return new InvalidInputError(`This file is not a readable Word document (${detail}). Open it in Word, save it as .docx again, then upload it.`, [], "knowledge.not_docx");
}

function tooBig(what: string): InvalidInputError {
  return new InvalidInputError(`${what} Split it into smaller documents (or save it as PDF), then upload them.`, [], "knowledge.too_large");
}

const open = (bytes: Uint8Array) =>
  new Promise<ZipFile>((resolve, reject) => {
    // validateEntrySizes: yauzl stops a stream that inflates to more than its entry declares.
    yauzl.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (error, zip) => (error ? reject(error) : resolve(zip)));
  });

async function entriesOf(zip: ZipFile, maxEntries: number): Promise<Entry[]> {
  if (zip.entryCount > maxEntries) throw tooBig(`This DOCX holds ${zip.entryCount} parts; Tandem reads documents of at most ${maxEntries}.`);
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on("entry", (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once("end", () => resolve(entries));
    zip.once("error", reject);
    zip.readEntry();
  });
}

/** Inflates one entry, counting bytes as they come, and stops as soon as `budget` is exceeded. */
async function inflatedSize(zip: ZipFile, entry: Entry, budget: number): Promise<number> {
  const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (error, s) => (error ? reject(error) : resolve(s))));
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > budget) {
      stream.destroy();
      break;
    }
  }
  return size;
}

/**
 * Checks a DOCX before anything inflates it whole: the zip's central directory (declared sizes,
 * compression ratios, the main document part), then the text parts' real inflated sizes, read as
 * a stream and abandoned at the limit. A zip bomb is refused here with the reason; only a file
 * that passes reaches mammoth.
 */
export async function checkDocx(bytes: Uint8Array, limits: KnowledgeLimits): Promise<void> {
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)) throw notADocx("it is not a zip package, which every .docx is");
  let zip: ZipFile;
  try {
    zip = await open(bytes);
  } catch (error) {
    throw notADocx(`its zip structure is damaged: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    let entries: Entry[];
    try {
      entries = await entriesOf(zip, limits.maxDocxEntries);
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
      throw notADocx(`its zip structure is damaged: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!entries.some((e) => e.fileName === "word/document.xml")) throw notADocx("it has no word/document.xml");

    // 1. What the central directory declares, before inflating anything.
    const declaredTotal = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
    if (declaredTotal > limits.maxDocxUnpackedBytes) throw tooBig(`This DOCX expands to ${mb(declaredTotal)} when unpacked; Tandem reads documents of at most ${mb(limits.maxDocxUnpackedBytes)}.`);
    const textParts = entries.filter((e) => isTextPart(e.fileName));
    const declaredText = textParts.reduce((sum, e) => sum + e.uncompressedSize, 0);
    if (declaredText > limits.maxDocxTextBytes) {
      const largest = textParts.reduce((a, b) => (b.uncompressedSize > a.uncompressedSize ? b : a));
      throw tooBig(`This DOCX expands to more than ${mb(limits.maxDocxTextBytes)} of text when unpacked (${largest.fileName} alone is ${mb(largest.uncompressedSize)}), more than Tandem reads from one document.`);
    }
    for (const e of entries) {
      if (e.uncompressedSize >= limits.minRatioCheckBytes && e.uncompressedSize > limits.maxCompressionRatio * Math.max(e.compressedSize, 1)) {
        throw tooBig(`This DOCX looks like a zip bomb: ${e.fileName} expands ${Math.round(e.uncompressedSize / Math.max(e.compressedSize, 1))} times (to ${mb(e.uncompressedSize)}), while documents expand at most about ${limits.maxCompressionRatio} times.`);
      }
    }

    // 2. What the text parts really inflate to (a lying directory is caught here, never in mammoth).
    let actual = 0;
    for (const e of textParts) {
      const remaining = limits.maxDocxTextBytes - actual;
      let size: number;
      try {
        size = await inflatedSize(zip, e, remaining);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // yauzl stops a part that inflates to more than its declared size: the directory lied.
        if (/too many bytes/i.test(message)) throw tooBig(`This DOCX looks like a zip bomb: ${e.fileName} expands to more than the size its zip directory declares.`);
        throw notADocx(`${e.fileName} cannot be unpacked: ${message}`);
      }
      actual += size;
      if (actual > limits.maxDocxTextBytes) throw tooBig(`This DOCX expands to more than ${mb(limits.maxDocxTextBytes)} of text when unpacked, more than Tandem reads from one document.`);
      if (size >= limits.minRatioCheckBytes && size > limits.maxCompressionRatio * Math.max(e.compressedSize, 1)) {
        throw tooBig(`This DOCX looks like a zip bomb: ${e.fileName} expands more than ${limits.maxCompressionRatio} times.`);
      }
    }
  } finally {
    zip.close();
  }
}
