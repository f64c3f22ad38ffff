/**
 * The consent page under attack: a decision other than allow or deny is a 400 page that leaves the
 * pending request usable; consent is remembered only for confidential clients, a public client getting
 * the consent page every time (RFC 8252 §8.6, RFC 6749 §10.2).
 */
import { describe, expect, it } from 'vitest';
import {
  countRows,
  expectErrorPage,
  signedInBrowser,
  snapshot,
  type ThreeLeggedApp,
} from './support/attacks.js';
import { authorizeUrl } from './support/authorize-attack-server.js';
import { csrfOf, formAction, locationParams, pkce, registerThreeLeggedApp } from './support/browser.js';
import { pageVisitors, usePageAttackServer } from './support/page-attack-server.js';
import { dialects } from './support/server.js';

describe.each(dialects())('page attacks on %s', (dialect) => {
  const f = usePageAttackServer(dialect);
  const { anonymous, consentPageOf } = pageVisitors(f);

  describe('L6: a consent decision other than allow or deny', () => {
    it.each([['maybe'], ['ALLOW'], ['']])(
      '%j: 400 page, the pending request stays usable',
      async (decision) => {
        const { signedIn, page } = await consentPageOf('Undecided', { state: 'undecided' });
        const before = await snapshot(f.s);
        const res = await signedIn.post(formAction(page.body), { csrf: csrfOf(page.body), decision });
        expectErrorPage(res, 400);
        expect(await snapshot(f.s)).toEqual(before);
        const ok = await signedIn.post(formAction(page.body), { csrf: csrfOf(page.body), decision: 'allow' });
        expect(ok.statusCode).toBe(303);
        expect(locationParams(ok).get('state')).toBe('undecided');
        expect(locationParams(ok).get('code')).toMatch(/^[\w-]{43}$/);
      },
    );
  });

  describe('L7: remembered consent (RFC 8252 §8.6, RFC 6749 §10.2)', () => {
    const query = (target: ThreeLeggedApp) =>
      authorizeUrl({
        response_type: 'code',
        client_id: target.client.id,
        redirect_uri: target.redirectUri,
        scope: 'data:read',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      });

    it('a public client gets the consent page every time', async () => {
      const signedIn = await signedInBrowser(f.s, anonymous(), f.userId);
      const first = await signedIn.get(query(f.publicApp));
      expect(first.statusCode).toBe(200);
      const allowed = await signedIn.post(formAction(first.body), {
        csrf: csrfOf(first.body),
        decision: 'allow',
      });
      expect(allowed.statusCode).toBe(303);
      const codes = await countRows(f.s, 'authorization_codes');
      const again = await signedIn.get(query(f.publicApp));
      expect(again.statusCode).toBe(200);
      expect(again.body).toContain('Allow');
      expect(again.headers['location']).toBeUndefined();
      expect(await countRows(f.s, 'authorization_codes')).toBe(codes);
    });

    it('a confidential client still reuses the remembered consent', async () => {
      const signedIn = await signedInBrowser(f.s, anonymous(), f.userId);
      const target = await registerThreeLeggedApp(f.s, { name: 'Remembered' });
      const first = await signedIn.get(query(target));
      await signedIn.post(formAction(first.body), { csrf: csrfOf(first.body), decision: 'allow' });
      const again = await signedIn.get(query(target));
      expect(again.statusCode).toBe(303);
      expect(locationParams(again).get('code')).toMatch(/^[\w-]{43}$/);
    });
  });
});
