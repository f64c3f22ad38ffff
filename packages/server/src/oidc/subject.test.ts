import { describe, expect, it } from 'vitest';
import { sectorOf, sectorOfUri, subjectFor } from './subject.js';

const key = Buffer.alloc(32, 1);
const app = (id: string, redirectUris: string[], subjectType: 'public' | 'pairwise' = 'pairwise') => ({
  id,
  redirectUris,
  subjectType,
});

describe('subjectFor (OIDC Core §8)', () => {
  it('public: the user ID itself, for every app', () => {
    expect(subjectFor(app('a', ['https://a.example/cb'], 'public'), 'usr_1', key)).toBe('usr_1');
  });

  it('pairwise: opaque, stable, the same for apps of one sector, different across sectors and users', () => {
    const north = subjectFor(app('a', ['https://north.example/cb']), 'usr_1', key);
    expect(north).toMatch(/^[\w-]{43}$/);
    expect(north).not.toContain('usr_1');
    expect(subjectFor(app('a', ['https://north.example/cb']), 'usr_1', key)).toBe(north);
    // Another app of the same sector (host) gets the same sub (§8.1: the sector, not the client).
    expect(subjectFor(app('b', ['https://north.example/other']), 'usr_1', key)).toBe(north);
    expect(subjectFor(app('a', ['https://south.example/cb']), 'usr_1', key)).not.toBe(north);
    expect(subjectFor(app('a', ['https://north.example/cb']), 'usr_2', key)).not.toBe(north);
    // Another database (another key): other subs.
    expect(subjectFor(app('a', ['https://north.example/cb']), 'usr_1', Buffer.alloc(32, 2))).not.toBe(north);
  });

  it('the sector is the host with its port, or a native app’s private-use scheme; none without redirect URIs', () => {
    expect(sectorOfUri('https://a.example:8443/cb')).toBe('a.example:8443');
    expect(sectorOfUri('com.example.app:/oauth')).toBe('com.example.app');
    expect(sectorOf({ redirectUris: [] })).toBeUndefined();
    // Two native apps of different schemes are different sectors (not both the empty host).
    const one = subjectFor(app('a', ['com.one.app:/cb']), 'usr_1', key);
    expect(subjectFor(app('b', ['com.two.app:/cb']), 'usr_1', key)).not.toBe(one);
    // An app without redirect URIs is its own sector.
    expect(subjectFor(app('x', []), 'usr_1', key)).not.toBe(subjectFor(app('y', []), 'usr_1', key));
  });
});
