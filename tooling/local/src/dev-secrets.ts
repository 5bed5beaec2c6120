import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { TANDEM_DIR } from "./paths.js";

/**
 * Signing secrets for `pnpm dev`, made once per checkout and kept in the git-ignored .tandem
 * folder, so sessions survive restarts and no shared default secret exists anywhere.
 */
export function devSecrets(): { SESSION_SECRET: string; JWT_SECRET: string } {
  const file = path.join(TANDEM_DIR, "dev-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as { SESSION_SECRET: string; JWT_SECRET: string };
  const secrets = { SESSION_SECRET: randomBytes(48).toString("base64"), JWT_SECRET: randomBytes(48).toString("base64") };
  mkdirSync(TANDEM_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
