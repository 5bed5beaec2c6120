import { LRUCache } from "lru-cache";

/**
 * A short-lived, bounded, in-process cache of what every request checks: that a session is still
 * signed in, what an API key may do, a member's role in an organisation, and the organisation
 * itself (with its model policy). It saves those reads on most requests.
 *
 * How stale it may be:
 * - In this process, the writes that change access forget what they change before they return
 *   (sign-out, sign-out everywhere, a replayed refresh token, a password reset, a revoked key, a
 *   role change, a removal, a rename, a model policy), so the next request reads the database.
 * - Another process (another Lambda instance) keeps what it read for at most the TTL, 5 s by
 *   default (ACCESS_CACHE_TTL_MS): a session signed out, a key revoked or a member removed
 *   elsewhere loses access there within that time.
 * - Only positive answers are kept ("this session is active", "this person is a member"): a
 *   refusal is never cached, so a new member or a new session works at once.
 * - Keys name everything the answer depends on: a membership is kept per (organisation, person),
 *   never per person, so one organisation's membership cannot answer for another.
 * - A read that started before a change and finished after it is not kept (an epoch counter),
 *   so a change cannot be overwritten by the answer of a read that raced it.
 */
export const DEFAULT_ACCESS_CACHE_TTL_MS = 5_000;
/** Per kind of entry; an entry is a few hundred bytes, so at most a few MB in all. */
export const ACCESS_CACHE_MAX_ENTRIES = 10_000;

let ttlMs = DEFAULT_ACCESS_CACHE_TTL_MS;
// Bumped by every change: a read that began under an older epoch does not store its answer.
let epoch = 0;

export class Shelf<V extends object> {
  private readonly entries = new LRUCache<string, V>({ max: ACCESS_CACHE_MAX_ENTRIES, ttl: DEFAULT_ACCESS_CACHE_TTL_MS, updateAgeOnGet: false, allowStale: false });

  get(key: string): V | undefined {
    return ttlMs > 0 ? this.entries.get(key) : undefined;
  }

  // Reads under way, so that requests arriving together when an entry lapses make one read, not one each.
  private readonly reading = new Map<string, { readonly epoch: number; readonly value: Promise<V | undefined> }>();

  /**
   * The kept answer, or `read()`'s, which is kept when it is defined and nothing changed while it
   * ran. Callers asking for the same key meanwhile share that read (unless a change came between).
   */
  async remember(key: string, read: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    if (ttlMs === 0) return read();
    const under = this.reading.get(key);
    if (under && under.epoch === epoch) return under.value;
    const startedAt = epoch;
    const value = read();
    this.reading.set(key, { epoch: startedAt, value });
    try {
      const answer = await value;
      if (answer !== undefined && startedAt === epoch) this.entries.set(key, answer, { ttl: ttlMs });
      return answer;
    } finally {
      if (this.reading.get(key)?.value === value) this.reading.delete(key);
    }
  }

  forget(key: string): void {
    epoch++;
    this.entries.delete(key);
  }

  forgetWhere(matches: (value: V, key: string) => boolean): void {
    epoch++;
    const gone: string[] = [];
    for (const [key, value] of this.entries.entries()) if (matches(value, key)) gone.push(key);
    for (const key of gone) this.entries.delete(key);
  }

  clear(): void {
    epoch++;
    this.entries.clear();
    this.reading.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

const shelves: Shelf<object>[] = [];

/** A shelf of the access cache, cleared and configured with the others. */
export function shelf<V extends object>(): Shelf<V> {
  const created = new Shelf<V>();
  shelves.push(created as unknown as Shelf<object>);
  return created;
}

/** Sets how long answers are kept (0: not at all) and empties the cache. */
export function configureAccessCache(options: { ttlMs?: number } = {}): void {
  const next = options.ttlMs ?? DEFAULT_ACCESS_CACHE_TTL_MS;
  if (!Number.isFinite(next) || next < 0) throw new Error(`The access cache's TTL must be 0 or more milliseconds, not ${options.ttlMs}.`);
  ttlMs = next;
  clearAccessCache();
}

export function accessCacheTtlMs(): number {
  return ttlMs;
}

export function clearAccessCache(): void {
  for (const s of shelves) s.clear();
}
