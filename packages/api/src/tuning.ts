import type { Source } from "@tandem/core/config";
import { DEFAULT_ACCESS_CACHE_TTL_MS } from "@tandem/core/tenancy";

/**
 * Two knobs of the API's database use, read from the environment (not secrets, not stage
 * variables: the defaults fit both places the API runs).
 *
 * MONGODB_MAX_POOL_SIZE: connections the API may hold open to the database. A Lambda instance
 * serves one request at a time, and a request makes at most two reads at once, so 2 there keeps a
 * burst of instances within DocumentDB's connection limit (per instance class); the local server
 * (`pnpm dev`, tests, benchmarks) serves many requests at once and gets 10.
 *
 * ACCESS_CACHE_TTL_MS: how long a process keeps "this session is signed in", "this key is valid",
 * "this person is a member with this role" and the organisation's model policy (5,000 by default,
 * 0 turns the cache off, at most 60,000). A change made through the same process applies at once;
 * one made through another process (another Lambda instance) applies there within this time.
 */
export const LAMBDA_POOL_SIZE = 2;
export const SERVER_POOL_SIZE = 10;
export const MAX_ACCESS_CACHE_TTL_MS = 60_000;

function wholeNumber(source: Source, name: string, min: number, max: number): number | undefined {
  const raw = source[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${raw}".`);
  return value;
}

/** The database pool: MONGODB_MAX_POOL_SIZE, or 2 on Lambda and 10 elsewhere. */
export function poolSizeFrom(source: Source): number {
  return wholeNumber(source, "MONGODB_MAX_POOL_SIZE", 1, 500) ?? (source.AWS_LAMBDA_FUNCTION_NAME ? LAMBDA_POOL_SIZE : SERVER_POOL_SIZE);
}

/** How long access answers are kept: ACCESS_CACHE_TTL_MS, or 5 s. */
export function accessCacheTtlFrom(source: Source): number {
  return wholeNumber(source, "ACCESS_CACHE_TTL_MS", 0, MAX_ACCESS_CACHE_TTL_MS) ?? DEFAULT_ACCESS_CACHE_TTL_MS;
}
