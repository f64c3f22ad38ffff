import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ClientCache } from './client-cache.js';
import type { ClientWithSecrets } from './client-records.js';

const app = (id: string): ClientWithSecrets => ({
  id,
  name: id,
  isPublic: false,
  resourceServer: false,
  subjectType: 'public',
  postLogoutRedirectUris: [],
  redirectUris: [],
  grantTypes: ['client_credentials'],
  scopes: ['data:read'],
  createdAt: 0,
  secretHashes: ['h'],
});

describe('ClientCache', () => {
  it('evicts the least recently used entry, so an app in use stays however many others pass', () => {
    const cache = new ClientCache(new SQLite(':memory:'), 3);
    const forever = Number.POSITIVE_INFINITY;
    cache.set(app('hot'), forever);
    for (const other of ['b', 'c', 'd', 'e', 'f']) {
      expect(cache.get('hot', 0)?.id).toBe('hot');
      cache.set(app(other), forever);
    }
    // First in, but used between every other app: still there. FIFO would have dropped it third.
    expect(cache.get('hot', 0)?.id).toBe('hot');
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('f', 0)?.id).toBe('f');
    expect(cache.stats()).toEqual({ hits: 7, misses: 1, evictions: 3, size: 3 });
  });

  it('counts a lookup past an entry’s expiry as a miss', () => {
    const cache = new ClientCache(new SQLite(':memory:'), 10);
    cache.set(app('a'), 1000);
    expect(cache.get('a', 999)?.id).toBe('a');
    expect(cache.get('a', 1000)).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
  });
});
