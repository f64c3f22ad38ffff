/** The reasons Recent errors gives for a failed redemption or refresh, and what they never tell. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CodeRecord } from '../storage/codes.js';
import type { GrantFailure } from '../storage/errors.js';
import type { RefreshRow } from '../storage/refresh-tokens/rows.js';
import { decideRedemption } from './code-binding.js';
import { redemptionReason, refreshReason, widenedScopeReason } from './failure-reasons.js';

const VERIFIER = 'v'.repeat(43);
const record = (overrides: Partial<CodeRecord> = {}): CodeRecord => ({
  clientId: 'lk_a',
  userId: 'usr_1',
  redirectUri: 'https://app.example/cb',
  redirectUriGiven: true,
  scopes: ['data:read'],
  codeChallenge: createHash('sha256').update(VERIFIER).digest('base64url'),
  expiresAt: 2000,
  usedAt: undefined,
  ...overrides,
});
const request = { clientId: 'lk_a', redirectUri: 'https://app.example/cb', verifier: VERIFIER };
/** The reason of what decideRedemption decides. */
const why = (code: CodeRecord, asked = request) =>
  redemptionReason(decideRedemption(code, 1000, asked) as GrantFailure, code, asked);

describe('redemptionReason', () => {
  it('names the binding that failed', () => {
    expect(why(record(), { ...request, redirectUri: 'https://app.example/cb/' })).toBe(
      'redirect_uri does not match the authorization request: expected https://app.example/cb, got https://app.example/cb/',
    );
    expect(why(record(), { ...request, redirectUri: undefined })).toBe(
      'redirect_uri is missing: the authorization request named https://app.example/cb',
    );
    expect(why(record(), { ...request, verifier: 'w'.repeat(43) })).toBe(
      'code_verifier does not match the code_challenge',
    );
    expect(why(record(), { ...request, verifier: undefined })).toBe(
      'code_verifier is missing: the authorization request sent a code_challenge',
    );
    expect(why(record({ codeChallenge: undefined }))).toMatch(/PKCE downgrade/);
    expect(why(record({ expiresAt: 999 }))).toMatch(/^the authorization code expired/);
    expect(why(record({ usedAt: 990 }))).toMatch(
      /^the authorization code was already used \(replay detected/,
    );
  });

  it('tells another app nothing about a code: the same words as for a code that does not exist', () => {
    const unknown = redemptionReason('unknown', undefined, request);
    const other = { ...request, clientId: 'lk_b', redirectUri: 'https://b.example/cb' };
    expect(why(record(), other)).toBe(unknown);
    // A replay by another app, and an expired code of another app, alike.
    expect(why(record({ usedAt: 990 }), other)).toBe(unknown);
    expect(why(record({ expiresAt: 999 }), other)).toBe(unknown);
    expect(unknown).not.toContain('app.example');
  });
});

describe('refreshReason', () => {
  const row: RefreshRow = {
    id: 1,
    token_hash: 'h',
    client_id: 'lk_a',
    expires_at: 2000,
    rotated_at: null,
    grant_id: 'gr_1',
    user_id: 'usr_1',
    scopes: 'data:read',
    revoked_at: null,
    successor_unused: false,
  };
  it('says why, to the app the token belongs to only', () => {
    expect(refreshReason('replayed', row, 'lk_a')).toBe(
      'refresh token was already used (reuse detected; the grant was revoked)',
    );
    expect(refreshReason('revoked', row, 'lk_a')).toMatch(/^the grant was revoked/);
    expect(refreshReason('expired', row, 'lk_a')).toMatch(/^the refresh token expired/);
    const unknown = refreshReason('unknown', undefined, 'lk_b');
    for (const failure of ['wrong_client', 'replayed', 'revoked', 'expired'] as const)
      expect(refreshReason(failure, row, 'lk_b')).toBe(unknown);
  });
  it('names the scopes beyond the grant', () => {
    expect(widenedScopeReason(['data:read', 'data:write'], row)).toBe(
      'scope wider than the grant: data:write (granted: data:read)',
    );
  });
});
