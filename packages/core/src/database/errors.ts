/** MongoDB, DocumentDB and FerretDB all report a unique-index violation as code 11000. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === 11000;
}
