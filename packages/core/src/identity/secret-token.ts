import { createHash, randomBytes } from "node:crypto";

/** 256 random bits, URL-safe: the links and refresh tokens Tandem hands out. */
export function newSecretToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Only this digest is stored, so a database leak reveals no usable token. */
export function digestToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
