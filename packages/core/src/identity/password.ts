import type * as Argon2 from "@node-rs/argon2";
import type { Algorithm } from "@node-rs/argon2";
import { Password } from "@tandem/client/contract";

/**
 * argon2id with OWASP's recommended minimum (19 MiB memory, 2 passes, 1 lane): about 50 ms on
 * one core, slow enough to make offline guessing expensive and cheap enough for a 1 GB Lambda
 * under a login burst. Stored as a PHC string, so parameters can rise later: verifyPassword
 * reads them from the hash and needsRehash says when to upgrade.
 */
// 2 is Algorithm.Argon2id, a const enum that isolated modules cannot read as a value.
const PARAMS = { algorithm: 2 as Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// The contract's rule (10-256 characters); the upper bound keeps a megabyte "password" from being an expensive request.
export { Password };

// Loaded on first use (its native binary costs ~30 ms at start-up): only sign-up, sign-in and
// password changes need it, and a function that serves neither never loads it.
let argon2: Promise<typeof Argon2> | undefined;
const loadArgon2 = () => (argon2 ??= import("@node-rs/argon2"));

export async function hashPassword(password: string): Promise<string> {
  return (await loadArgon2()).hash(password, PARAMS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const { verify } = await loadArgon2();
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

export function needsRehash(stored: string): boolean {
  return !stored.startsWith(`$argon2id$v=19$m=${PARAMS.memoryCost},t=${PARAMS.timeCost},p=${PARAMS.parallelism}$`);
}

// Verifying against this when no account matches takes as long as a real check, so response
// times do not reveal which emails have accounts.
let decoy: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  decoy ??= hashPassword("tandem-decoy-password");
  await verifyPassword(await decoy, password);
}
