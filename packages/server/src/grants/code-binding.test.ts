/**
 * The code redemption rules as a pure function: each verdict, and their order; and the reason Recent
 * errors gives for each (grants/failure-reasons.ts), which tells another app nothing about a code.
 */

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CodeRecord } from '../storage/codes.js';
import type { GrantFailure } from '../storage/errors.js';
import { decideRedemption, type RedemptionRequest } from './code-binding.js';
import { redemptionReason } from './failure-reasons.js';

const AT = 1_000_000;
const VERIFIER = 'v'.repeat(43);
/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)). */
const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const record = (overrides: Partial<CodeRecord> = {}): CodeRecord => ({
  clientId: 'lk_a',
  userId: 'usr_1',
  redirectUri: 'https://app.example/cb',
  redirectUriGiven: true,
  scopes: ['data:read'],
  codeChallenge: pkceChallenge(VERIFIER),
  expiresAt: AT + 60,
  usedAt: undefined,
  ...overrides,
});
const request = { clientId: 'lk_a', redirectUri: 'https://app.example/cb', verifier: VERIFIER };

describe('decideRedemption', () => {
  it('redeems a fresh code presented with its binding', () => {
    expect(decideRedemption(record(), AT, request)).toBe('redeem');
  });
  it('a used code is a replay, whoever presents it and whatever else is wrong', () => {
    expect(decideRedemption(record({ usedAt: AT - 1 }), AT, request)).toBe('replayed');
    expect(decideRedemption(record({ usedAt: AT - 1 }), AT, { ...request, clientId: 'lk_b' })).toBe(
      'replayed',
    );
  });
  it('refuses another client, an expired code', () => {
    expect(decideRedemption(record(), AT, { ...request, clientId: 'lk_b' })).toBe('wrong_client');
    expect(decideRedemption(record({ expiresAt: AT - 1 }), AT, request)).toBe('expired');
  });
  it('requires the exact redirect_uri, and allows leaving it out only if the request did', () => {
    expect(decideRedemption(record(), AT, { ...request, redirectUri: 'https://app.example/cb/' })).toBe(
      'check_failed',
    );
    expect(decideRedemption(record(), AT, { ...request, redirectUri: undefined })).toBe('check_failed');
    expect(
      decideRedemption(record({ redirectUriGiven: false }), AT, { ...request, redirectUri: undefined }),
    ).toBe('redeem');
  });
  it('requires the S256 verifier, and refuses a verifier for a code without a challenge (downgrade)', () => {
    expect(decideRedemption(record(), AT, { ...request, verifier: 'w'.repeat(43) })).toBe('check_failed');
    expect(decideRedemption(record(), AT, { ...request, verifier: undefined })).toBe('check_failed');
    expect(decideRedemption(record({ codeChallenge: undefined }), AT, request)).toBe('check_failed');
    expect(
      decideRedemption(record({ codeChallenge: undefined }), AT, { ...request, verifier: undefined }),
    ).toBe('redeem');
  });
});

describe('redemptionReason', () => {
  /** The reason of what decideRedemption decides. */
  const why = (code: CodeRecord, asked: RedemptionRequest = request) =>
    redemptionReason(decideRedemption(code, AT, asked) as GrantFailure, code, asked);

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
    expect(why(record({ expiresAt: AT - 1 }))).toMatch(/^the authorization code expired/);
    expect(why(record({ usedAt: AT - 1 }))).toMatch(
      /^the authorization code was already used \(replay detected/,
    );
  });

  it('tells another app nothing about a code: the same words as for a code that does not exist', () => {
    const unknown = redemptionReason('unknown', undefined, request);
    const other = { ...request, clientId: 'lk_b', redirectUri: 'https://b.example/cb' };
    expect(why(record(), other)).toBe(unknown);
    // A replay by another app, and an expired code of another app, alike.
    expect(why(record({ usedAt: AT - 1 }), other)).toBe(unknown);
    expect(why(record({ expiresAt: AT - 1 }), other)).toBe(unknown);
    expect(unknown).not.toContain('app.example');
  });
});
