/**
 * Registrations looked up for client authentication, kept in memory. On SQLite an entry is dropped
 * when any other connection (the CLI, a second server process) commits to the database, which
 * `PRAGMA data_version` reports at the cost of one lock check (RFC-free: see
 * https://www.sqlite.org/pragma.html#pragma_data_version). PostgreSQL has no such cheap signal: there
 * an entry is read again after {@link POSTGRES_CLIENT_CACHE_MAX_AGE_MS}, so a secret rotation or an
 * app deletion by another server or the CLI reaches every server within that (test/multi-instance.test.ts).
 * No entry outlives the expiry of a secret in it. Writes through this process drop their entry themselves.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { ClientWithSecrets } from './client-records.js';
import type { Db } from './database.js';

interface Entry {
  client: ClientWithSecrets;
  /** Epoch ms after which a secret in it has expired. */
  until: number;
}

/** How the cache has served, since the process started. */
export interface ClientCacheStats {
  hits: number;
  misses: number;
  /** Entries dropped to stay within the bound (least recently used first). */
  evictions: number;
  size: number;
}

/** Default bound of the cache (LATCHKEY_CLIENT_CACHE_SIZE). */
export const DEFAULT_CLIENT_CACHE_SIZE = 10_000;

/**
 * PostgreSQL: how long a registration is used before it is read again (ms). Client authentication then
 * costs no database round trip for an app in use (the throttle's read after the secret is compared is
 * the one), and a change made elsewhere is seen within 2 s, well inside the 5 s every server must meet.
 */
export const POSTGRES_CLIENT_CACHE_MAX_AGE_MS = 2_000;

/**
 * A bounded map of client ID → registration, valid while the database has not changed elsewhere
 * (SQLite) or for a bounded age (PostgreSQL), least recently used first out: an app that authenticates
 * often stays however many others come and go.
 */
export class ClientCache {
  private readonly entries = new Map<string, Entry>();
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private readonly dataVersion: Statement | undefined;
  private version: unknown;
  private checked = false;
  private readonly uncheck = () => {
    this.checked = false;
  };

  /**
   * @param sqlite SQLite: the connection every query of this process goes through; `undefined`
   *   (PostgreSQL): entries are kept at most `maxAgeMs`
   * @param maxEntries memory bound; the least recently used entry goes first
   * @param maxAgeMs longest an entry is used (PostgreSQL; SQLite's are dropped on any change elsewhere)
   */
  constructor(
    sqlite: Database | undefined,
    private readonly maxEntries = DEFAULT_CLIENT_CACHE_SIZE,
    private readonly maxAgeMs = Number.POSITIVE_INFINITY,
  ) {
    this.dataVersion = sqlite?.prepare('pragma data_version').pluck();
    this.version = this.dataVersion?.get();
  }

  /**
   * The registration if nothing changed it since it was read, else `undefined`. The version is read
   * once per event-loop turn: another process's commit can only reach this one through I/O, that is
   * in a later turn, and one check (about 6 µs under load, the cost of the query it saves) then covers
   * every request the turn handles.
   */
  get(id: string, nowMs: number): ClientWithSecrets | undefined {
    if (this.dataVersion && !this.checked) {
      this.checked = true;
      setImmediate(this.uncheck);
      const version = this.dataVersion.get();
      if (version !== this.version) {
        this.version = version;
        this.entries.clear();
        this.misses++;
        return undefined;
      }
    }
    const entry = this.entries.get(id);
    if (entry && entry.until > nowMs) {
      this.hits++;
      // Most recently used last: Map keeps insertion order, so re-inserting moves it to the end.
      this.entries.delete(id);
      this.entries.set(id, entry);
      return entry.client;
    }
    this.misses++;
    return undefined;
  }

  /** Hits, misses and evictions so far, and the current size. */
  stats(): ClientCacheStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, size: this.entries.size };
  }

  /**
   * Keeps a registration read just now (at `nowMs`), until its first secret expires (`until`, epoch
   * ms) or its maximum age passes, whichever is first.
   */
  set(client: ClientWithSecrets, until: number, nowMs = Date.now()): void {
    until = Math.min(until, nowMs + this.maxAgeMs);
    this.entries.delete(client.id);
    if (this.entries.size >= this.maxEntries) {
      const leastRecent = this.entries.keys().next();
      if (!leastRecent.done) {
        this.entries.delete(leastRecent.value);
        this.evictions++;
      }
    }
    this.entries.set(client.id, { client, until });
  }

  /** Drops one registration (written through this process). */
  delete(id: string): void {
    this.entries.delete(id);
  }
}

const caches = new WeakMap<Db, ClientCache>();

/**
 * The cache shared by every repository over this database handle (the first caller's bound applies):
 * invalidated by `data_version` on SQLite (`sqlite` given), by age on PostgreSQL.
 */
export function clientCacheFor(
  db: Db,
  sqlite: Database | undefined,
  maxEntries = DEFAULT_CLIENT_CACHE_SIZE,
): ClientCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = sqlite
      ? new ClientCache(sqlite, maxEntries)
      : new ClientCache(undefined, maxEntries, POSTGRES_CLIENT_CACHE_MAX_AGE_MS);
    caches.set(db, cache);
  }
  return cache;
}
