import { describe, expect, it } from 'vitest';
import type { Session } from '../storage/users.js';
import type { OpenIdRequest } from './authorize-params.js';
import { FRESH_SIGN_IN_PARAM, freshSignInStamp, showsConsent, signInStep, stampedQuery } from './prompt.js';

const NOW = 1_800_000_000;
const session = (authTime: number, id = 'usr_1'): Session => ({
  user: { id, email: 'a@example.com', createdAt: 0, isAdmin: false, emailVerified: false, updatedAt: 0 },
  sid: 'sid',
  authTime,
});
const request = (prompt: string[] = [], extra: Partial<OpenIdRequest> = {}): OpenIdRequest => ({
  openid: true,
  prompt: new Set(prompt) as OpenIdRequest['prompt'],
  ...extra,
});
const same = (id: string) => id;

describe('the sign-in step (OIDC Core §3.1.2.1, §3.1.2.3)', () => {
  it('without a session: the sign-in page, the sign-up page for create, login_required for none', () => {
    expect(signInStep(request(), undefined, undefined, NOW, same)).toEqual({ next: 'sign-in' });
    expect(signInStep(request(['create']), undefined, undefined, NOW, same)).toEqual({ next: 'sign-up' });
    expect(() => signInStep(request(['none']), undefined, undefined, NOW, same)).toThrow(
      expect.objectContaining({ error: 'login_required', recorded: false }),
    );
  });

  it('login, select_account, max_age exceeded, another user hinted: the sign-in page again, until a sign-in after the stamp', () => {
    const old = session(NOW - 100);
    for (const r of [
      request(['login']),
      request(['select_account']),
      request([], { maxAge: 10 }),
      request([], { idTokenHint: { sub: 'usr_2', aud: ['a'] } }),
    ]) {
      expect(signInStep(r, old, undefined, NOW, same)).toEqual({ next: 'sign-in' });
      expect(signInStep(r, old, NOW - 5, NOW, same)).toEqual({ next: 'sign-in' });
      expect(signInStep(r, session(NOW - 5), NOW - 5, NOW, same).next).toBe('continue');
    }
    expect(signInStep(request([], { maxAge: 100 }), old, undefined, NOW, same).next).toBe('continue');
    // max_age=0 after a sign-in in an earlier second than the request's answer: the stamp satisfies it.
    expect(signInStep(request([], { maxAge: 0 }), session(NOW - 1), NOW - 1, NOW, same).next).toBe(
      'continue',
    );
  });

  it('prompt=none: never a page', () => {
    expect(() =>
      signInStep(request(['none'], { maxAge: 10 }), session(NOW - 100), undefined, NOW, same),
    ).toThrow(expect.objectContaining({ error: 'login_required' }));
    const hint = { sub: 'usr_2', aud: ['a'] };
    expect(() =>
      signInStep(request(['none'], { idTokenHint: hint }), session(NOW), undefined, NOW, same),
    ).toThrow(expect.objectContaining({ error: 'login_required' }));
    expect(
      signInStep(request(['none'], { idTokenHint: hint }), session(NOW, 'usr_2'), undefined, NOW, same).next,
    ).toBe('continue');
  });

  it('consent: shown when not consented or asked for; consent_required under none', () => {
    expect(showsConsent(request(), true)).toBe(false);
    expect(showsConsent(request(), false)).toBe(true);
    expect(showsConsent(request(['consent']), true)).toBe(true);
    expect(showsConsent(request(['none']), true)).toBe(false);
    expect(() => showsConsent(request(['none']), false)).toThrow(
      expect.objectContaining({ error: 'consent_required' }),
    );
  });
});

describe('the fresh sign-in stamp', () => {
  it('is honoured only from the last ten minutes, never from the future', () => {
    expect(freshSignInStamp(String(NOW), NOW)).toBe(NOW);
    expect(freshSignInStamp(String(NOW - 600), NOW)).toBe(NOW - 600);
    expect(freshSignInStamp(String(NOW - 601), NOW)).toBeUndefined();
    expect(freshSignInStamp(String(NOW + 1), NOW)).toBeUndefined();
    expect(freshSignInStamp('12abc', NOW)).toBeUndefined();
    expect(freshSignInStamp(undefined, NOW)).toBeUndefined();
  });

  it('replaces an earlier stamp and keeps every other pair as sent', () => {
    const query = `client_id=a&scope=openid%20email&${FRESH_SIGN_IN_PARAM}=1&state=x+y`;
    expect(stampedQuery(query, NOW)).toBe(
      `client_id=a&scope=openid%20email&state=x+y&${FRESH_SIGN_IN_PARAM}=${NOW}`,
    );
  });
});
