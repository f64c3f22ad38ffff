/**
 * The refresh rules as a pure function: each verdict, and their order; and the reason Recent errors
 * gives for each (grants/failure-reasons.ts), told only to the app the token belongs to.
 */
import { describe, expect, it } from 'vitest';
import type { RefreshRow } from '../storage/refresh-tokens/rows.js';
import { refreshReason, widenedScopeReason } from './failure-reasons.js';
import { decideRefresh, headTerms } from './refresh-decision.js';

const AT = 1_000_000;
const row = (overrides: Partial<RefreshRow> = {}): RefreshRow => ({
  id: 1,
  token_hash: 'h',
  client_id: 'lk_a',
  expires_at: AT + 60,
  rotated_at: null,
  grant_id: 'gr_1',
  user_id: 'usr_1',
  scopes: 'data:read',
  revoked_at: null,
  successor_unused: false,
  ...overrides,
});
const facts = { clientId: 'lk_a', graceSeconds: 0, retryWindowSeconds: 0, requestedScopes: undefined };

describe('decideRefresh', () => {
  it('rotates the head of a live chain, with the same or a narrower scope', () => {
    expect(decideRefresh(row(), AT, facts)).toBe('rotate');
    expect(
      decideRefresh(row({ scopes: 'data:read data:write' }), AT, {
        ...facts,
        requestedScopes: ['data:read'],
      }),
    ).toBe('rotate');
  });
  it('refuses another client, a revoked grant, an expired token', () => {
    expect(decideRefresh(row(), AT, { ...facts, clientId: 'lk_b' })).toBe('wrong_client');
    expect(decideRefresh(row({ revoked_at: AT - 1 }), AT, facts)).toBe('revoked');
    expect(decideRefresh(row({ expires_at: AT - 1 }), AT, facts)).toBe('expired');
  });
  it('a rotated token is a replay outside the grace window, and rotates again within it', () => {
    expect(decideRefresh(row({ rotated_at: AT }), AT, facts)).toBe('replayed');
    expect(decideRefresh(row({ rotated_at: AT - 5 }), AT, { ...facts, graceSeconds: 10 })).toBe('rotate');
    expect(decideRefresh(row({ rotated_at: AT - 10 }), AT, { ...facts, graceSeconds: 10 })).toBe('replayed');
  });
  it('a rotation that won the race with a later second is no time at all, never within the window', () => {
    expect(decideRefresh(row({ rotated_at: AT + 1 }), AT, facts)).toBe('replayed');
  });
  it('refuses a wider scope, but a replay is a replay whatever scope it asks for', () => {
    expect(decideRefresh(row(), AT, { ...facts, requestedScopes: ['data:write'] })).toBe('scope_widened');
    expect(
      decideRefresh(row({ rotated_at: AT - 1 }), AT, { ...facts, requestedScopes: ['data:write'] }),
    ).toBe('replayed');
  });
  it('a retry after a lost answer: rotates again while the successor was never used, within the window', () => {
    const retried = { ...facts, retryWindowSeconds: 30 };
    const lost = row({ rotated_at: AT - 10, successor_unused: true });
    expect(decideRefresh(lost, AT, retried)).toBe('rotate');
    // The successor was used: a reuse, whatever the window.
    expect(decideRefresh({ ...lost, successor_unused: false }, AT, retried)).toBe('replayed');
    // Past the window, or with the window off: a reuse.
    expect(decideRefresh(row({ rotated_at: AT - 30, successor_unused: true }), AT, retried)).toBe('replayed');
    expect(decideRefresh(lost, AT, facts)).toBe('replayed');
    // Another client, a wider scope: refused as before.
    expect(decideRefresh(lost, AT, { ...retried, clientId: 'lk_b' })).toBe('wrong_client');
    expect(decideRefresh(lost, AT, { ...retried, requestedScopes: ['data:write'] })).toBe('scope_widened');
  });
});

describe('headTerms', () => {
  /** The terms as PostgreSQL's one-statement rotation applies them (storage/refresh-tokens/postgres.ts). */
  const termsHold = (r: RefreshRow, terms: ReturnType<typeof headTerms>) =>
    r.rotated_at === null &&
    r.client_id === terms.clientId &&
    r.revoked_at === null &&
    r.expires_at >= AT &&
    terms.scopes.every((scope) => r.scopes.split(' ').includes(scope));

  it('a head rotates on its terms exactly when the rule rotates it', () => {
    const rows = [
      row(),
      row({ client_id: 'lk_b' }),
      row({ revoked_at: AT }),
      row({ expires_at: AT }),
      row({ expires_at: AT - 1 }),
      row({ scopes: 'data:read data:write' }),
      row({ scopes: '' }),
    ];
    const requests = [undefined, [], ['data:read'], ['data:write'], ['data:read', 'data:write']];
    for (const r of rows) {
      for (const requestedScopes of requests) {
        for (const retryWindowSeconds of [0, 30]) {
          const request = { ...facts, retryWindowSeconds, graceSeconds: 5, requestedScopes };
          const rotates = decideRefresh(r, AT, request) === 'rotate';
          expect([r, requestedScopes, termsHold(r, headTerms(request))]).toEqual([
            r,
            requestedScopes,
            rotates,
          ]);
        }
      }
    }
  });
});

describe('refreshReason', () => {
  it('says why, to the app the token belongs to only', () => {
    expect(refreshReason('replayed', row(), 'lk_a')).toBe(
      'refresh token was already used (reuse detected; the grant was revoked)',
    );
    expect(refreshReason('revoked', row(), 'lk_a')).toMatch(/^the grant was revoked/);
    expect(refreshReason('expired', row(), 'lk_a')).toMatch(/^the refresh token expired/);
    const unknown = refreshReason('unknown', undefined, 'lk_b');
    for (const failure of ['wrong_client', 'replayed', 'revoked', 'expired'] as const)
      expect(refreshReason(failure, row(), 'lk_b')).toBe(unknown);
  });
  it('names the scopes beyond the grant', () => {
    expect(widenedScopeReason(['data:read', 'data:write'], row())).toBe(
      'scope wider than the grant: data:write (granted: data:read)',
    );
  });
});
