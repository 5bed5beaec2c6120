import { strToU8, zipSync } from "fflate";

/**
 * Hostile and heavy documents for the tests of knowledge extraction (issue 8, item 1): built in
 * memory, so no binary fixture sits in the repository.
 */
/** A minimal, valid DOCX around `body` (the inside of <w:body>), packed at the highest level. */
export function docxWith(body: string): Uint8Array {
  const types = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;
  const rels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`;
  const document = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`;
  return zipSync({ "[Content_Types].xml": strToU8(types), "_rels/.rels": strToU8(rels), "word/document.xml": strToU8(document) }, { level: 9 });
}

/** The reported attack: ~77 KB whose word/document.xml inflates to ~51 MB of empty paragraphs. */
export const zipBomb = (): Uint8Array => docxWith("<w:p/>".repeat(Math.ceil((51 * 1024 * 1024) / 6)));

/** The same, with word/document.xml's sizes in its local header and the central directory rewritten to 1 KB. */
export function lyingZipBomb(): Uint8Array {
  const bytes = zipBomb();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < bytes.length - 46; i++) {
    const sig = view.getUint32(i, true);
    // Only the big part: the others are small and honest.
    if (sig === 0x04034b50 && view.getUint32(i + 22, true) > 1_000_000) view.setUint32(i + 22, 1024, true); // local header: uncompressed size
    if (sig === 0x02014b50 && view.getUint32(i + 24, true) > 1_000_000) view.setUint32(i + 24, 1024, true); // central directory
  }
  return bytes;
}

/** Within every zip limit, but mammoth would build a tree of about a million paragraphs from it. */
export function heavyDocx(textMb: number): Uint8Array {
  // Random whitespace between empty paragraphs: it packs only about 5x, so no ratio check fires.
  const blanks = [" ", "\n", "\t", "\r\n"];
  const parts: string[] = [];
  let size = 0;
  while (size < textMb * 1024 * 1024) {
    const p = `<w:p/>${blanks[Math.floor(Math.random() * 4)]}${blanks[Math.floor(Math.random() * 4)]}`;
    parts.push(p);
    size += p.length;
  }
  return docxWith(parts.join(""));
}
