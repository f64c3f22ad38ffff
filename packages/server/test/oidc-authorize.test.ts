/**
 * The OpenID Connect parameters of an authorization request (OIDC Core §3.1.2.1, §3.1.2.6): prompt,
 * max_age, login_hint, id_token_hint, request objects, and the form_post response mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfOf, formAction, InjectBrowser } from './support/browser.js';
import {
  codeFlow,
  decodeJwt,
  type OidcApp,
  oidcQuery,
  redeemCode,
  registerOidcApp,
  signedIn,
  signInAgain,
  startOidcServer,
} from './support/oidc.js';
import { dialects, type TestServer } from './support/server.js';

const authorizeUrl = (query: Record<string, string>) => `/oauth/authorize?${new URLSearchParams(query)}`;
/** The parameters of a 303 to the app. */
const answer = (location: unknown) => new URL(String(location)).searchParams;

describe.each(dialects())('OpenID Connect authorization requests on %s', (dialect) => {
  let s: TestServer;
  let app: OidcApp;
  const email = 'ada@example.com';
  const password = 'correct horse battery';
  beforeAll(async () => {
    s = await startOidcServer(dialect);
    app = await registerOidcApp(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('prompt=none without a session: login_required by redirect, with state and iss, never a page', async () => {
    const { query } = oidcQuery(app, { prompt: 'none', state: 'keep-me' });
    const res = await new InjectBrowser(s.app).get(authorizeUrl(query));
    expect(res.statusCode).toBe(303);
    expect(String(res.headers['location'])).toMatch(/^https:\/\/rp\.example\/cb\?/);
    const back = answer(res.headers['location']);
    expect(back.get('error')).toBe('login_required');
    expect(back.get('state')).toBe('keep-me');
    expect(back.get('iss')).toBe('http://localhost:4000');
    expect(back.get('code')).toBeNull();
  });

  it('prompt=none with a session: a code when consented, consent_required when not, or for a public app', async () => {
    const browser = await signedIn(s, email, password);
    const fresh = await registerOidcApp(s, { name: 'Never allowed' });
    const { query } = oidcQuery(fresh, { prompt: 'none' });
    const refused = await browser.get(authorizeUrl(query));
    expect(answer(refused.headers['location']).get('error')).toBe('consent_required');
    await codeFlow(s, browser, fresh); // allowed on the consent page
    const silent = await browser.get(authorizeUrl(oidcQuery(fresh, { prompt: 'none' }).query));
    expect(answer(silent.headers['location']).get('code')).toMatch(/^[\w-]{43}$/);
    const spa = await registerOidcApp(s, { name: 'SPA', isPublic: true });
    await codeFlow(s, browser, spa);
    const publicSilent = await browser.get(authorizeUrl(oidcQuery(spa, { prompt: 'none' }).query));
    expect(answer(publicSilent.headers['location']).get('error')).toBe('consent_required');
  });

  it.each([
    ['none login', 'prompt=none cannot be combined'],
    ['bogus', 'prompt "bogus" is not supported'],
  ])('prompt=%s is invalid_request by redirect', async (prompt, description) => {
    const browser = await signedIn(s, email, password);
    const res = await browser.get(authorizeUrl(oidcQuery(app, { prompt }).query));
    const back = answer(res.headers['location']);
    expect(back.get('error')).toBe('invalid_request');
    expect(back.get('error_description')).toContain(description);
  });

  it('prompt=login: the sign-in page even with a session, and a password entered after the request', async () => {
    const browser = await signedIn(s, email, password);
    const first = decodeJwt((await codeFlow(s, browser, app)).id_token as string).payload;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { query, verifier } = oidcQuery(app, { prompt: 'login' });
    const res = await browser.get(authorizeUrl(query));
    expect(res.statusCode).toBe(303);
    const login = String(res.headers['location']);
    expect(login).toMatch(/^\/login\?return_to=/);
    // The sign-in page shows its form to the signed-in browser instead of sending it straight back.
    const page = await browser.get(login);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('type="password"');
    const signedInAgain = await signInAgain(browser, login, email, password);
    const back = await browser.get(String(signedInAgain.headers['location']));
    const code = answer(back.headers['location']).get('code') as string;
    const second = decodeJwt((await redeemCode(s, app, code, verifier)).id_token as string).payload;
    expect(second.auth_time as number).toBeGreaterThan(first.auth_time as number);
    // Back at the same URL later, the stamp is not a pass: a new sign-in is asked for again.
    expect((await browser.get(String(signedInAgain.headers['location']))).statusCode).toBe(303);
  });

  it('a forged stamp in the future or from long ago does not skip the sign-in page', async () => {
    const browser = await signedIn(s, email, password);
    const now = Math.floor(Date.now() / 1000);
    for (const stamp of [now + 3600, now - 3600]) {
      const { query } = oidcQuery(app, { prompt: 'login', lk_sign_in_after: String(stamp) });
      const res = await browser.get(authorizeUrl(query));
      expect(String(res.headers['location'])).toMatch(/^\/login\?/);
    }
  });

  it('max_age: a session older than it asks for the password again; a larger one does not; auth_time always present', async () => {
    const browser = await signedIn(s, email, password);
    await codeFlow(s, browser, app);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const old = await browser.get(authorizeUrl(oidcQuery(app, { max_age: '1' }).query));
    expect(String(old.headers['location'])).toMatch(/^\/login\?/);
    const recent = await codeFlow(s, browser, app, { max_age: '10000' });
    expect(decodeJwt(recent.id_token as string).payload.auth_time).toBeTypeOf('number');
    const none = await browser.get(authorizeUrl(oidcQuery(app, { max_age: '1', prompt: 'none' }).query));
    expect(answer(none.headers['location']).get('error')).toBe('login_required');
    const bad = await browser.get(authorizeUrl(oidcQuery(app, { max_age: '-5' }).query));
    expect(answer(bad.headers['location']).get('error')).toBe('invalid_request');
  });

  it('prompt=consent shows the consent page although the app was allowed', async () => {
    const browser = await signedIn(s, email, password);
    await codeFlow(s, browser, app);
    const again = await browser.get(authorizeUrl(oidcQuery(app).query));
    expect(again.statusCode).toBe(303);
    const asked = await browser.get(authorizeUrl(oidcQuery(app, { prompt: 'consent' }).query));
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('wants to access your account');
  });

  it('the consent page words offline_access: keep access when you are not using the app', async () => {
    const browser = await signedIn(s, email, password);
    const res = await browser.get(
      authorizeUrl(oidcQuery(app, { scope: 'openid offline_access', prompt: 'consent' }).query),
    );
    expect(res.body).toContain('Keep access when you are not using the app');
    expect(res.body).toContain('offline_access');
  });

  it('prompt=create sends the browser to the sign-up page, which leads back to the request', async () => {
    const browser = new InjectBrowser(s.app);
    const { query, verifier } = oidcQuery(app, { prompt: 'create' });
    const res = await browser.get(authorizeUrl(query));
    const signup = String(res.headers['location']);
    expect(signup).toMatch(/^\/signup\?return_to=%2Foauth%2Fauthorize/);
    const page = await browser.get(signup);
    expect(page.statusCode).toBe(200);
    const created = await browser.post(formAction(page.body), {
      csrf: csrfOf(page.body),
      email: 'new.user@example.com',
      password: 'a long enough passphrase',
      name: 'New User',
    });
    expect(created.statusCode).toBe(303);
    const back = String(created.headers['location']);
    expect(back).toMatch(/^\/oauth\/authorize\?/);
    const consent = await browser.get(back);
    expect(consent.statusCode).toBe(200);
    const allowed = await browser.post(formAction(consent.body), {
      csrf: csrfOf(consent.body),
      decision: 'allow',
    });
    const tokens = await redeemCode(
      s,
      app,
      answer(allowed.headers['location']).get('code') as string,
      verifier,
    );
    expect(tokens.id_token).toBeDefined();
  });

  it('prompt=create while sign-up is closed: invalid_request', async () => {
    const closed = await startOidcServer(dialect, { LATCHKEY_SIGNUP: 'false' });
    try {
      const rp = await registerOidcApp(closed);
      const res = await new InjectBrowser(closed.app).get(
        authorizeUrl(oidcQuery(rp, { prompt: 'create' }).query),
      );
      expect(answer(res.headers['location']).get('error')).toBe('invalid_request');
      const meta = (await closed.app.inject({ url: '/.well-known/openid-configuration' })).json();
      expect(meta.prompt_values_supported).not.toContain('create');
    } finally {
      await closed.close();
    }
  });

  it('login_hint fills in the email on the sign-in page', async () => {
    const browser = new InjectBrowser(s.app);
    const res = await browser.get(authorizeUrl(oidcQuery(app, { login_hint: 'hinted@example.com' }).query));
    const page = await browser.get(String(res.headers['location']));
    expect(page.body).toContain('value="hinted@example.com"');
    const odd = await browser.get(authorizeUrl(oidcQuery(app, { login_hint: '"><script>' }).query));
    expect((await browser.get(String(odd.headers['location']))).body).not.toContain('<script>');
  });

  it('id_token_hint with prompt=none: the hinted user gets a code; another user, login_required; a forged hint, invalid_request', async () => {
    const browser = await signedIn(s, email, password);
    const hint = (await codeFlow(s, browser, app)).id_token as string;
    const ok = await browser.get(authorizeUrl(oidcQuery(app, { prompt: 'none', id_token_hint: hint }).query));
    expect(answer(ok.headers['location']).get('code')).toBeTruthy();
    const other = await signedIn(s, 'someone.else@example.com');
    await codeFlow(s, other, app);
    const mismatch = await other.get(
      authorizeUrl(oidcQuery(app, { prompt: 'none', id_token_hint: hint }).query),
    );
    expect(answer(mismatch.headers['location']).get('error')).toBe('login_required');
    const forged = `${hint.slice(0, -4)}AAAA`;
    const bad = await browser.get(
      authorizeUrl(oidcQuery(app, { prompt: 'none', id_token_hint: forged }).query),
    );
    expect(answer(bad.headers['location']).get('error')).toBe('invalid_request');
    const otherApp = await registerOidcApp(s, { name: 'Other RP' });
    const foreign = await browser.get(
      authorizeUrl(oidcQuery(otherApp, { prompt: 'none', id_token_hint: hint }).query),
    );
    expect(answer(foreign.headers['location']).get('error_description')).toContain('another app');
  });

  it.each([
    ['request', 'eyJhbGciOiJub25lIn0.eyJzdGF0ZSI6IngifQ.', 'request_not_supported'],
    ['request_uri', 'https://rp.example/request.jwt', 'request_uri_not_supported'],
  ])('%s is refused with %s by redirect', async (name, value, error) => {
    const browser = await signedIn(s, email, password);
    const res = await browser.get(authorizeUrl(oidcQuery(app, { [name]: value }).query));
    expect(answer(res.headers['location']).get('error')).toBe(error);
  });

  it('an OpenID Connect request must name redirect_uri, even for an app with one: an error page, no redirect', async () => {
    const browser = await signedIn(s, email, password);
    const { redirect_uri: _, ...query } = oidcQuery(app).query;
    const res = await browser.get(authorizeUrl(query));
    expect(res.statusCode).toBe(400);
    expect(res.headers['location']).toBeUndefined();
    expect(res.body).toContain('missing_redirect_uri');
    // An OAuth request may still leave it out (RFC 6749 §3.1.2.3).
    const { redirect_uri: __, ...plain } = oidcQuery(app, { scope: 'data:read' }).query;
    expect((await browser.get(authorizeUrl(plain))).statusCode).not.toBe(400);
  });

  it('display, ui_locales, claims_locales, acr_values and unknown parameters are accepted', async () => {
    const tokens = await codeFlow(s, await signedIn(s, email, password), app, {
      display: 'popup',
      ui_locales: 'fr-CA fr en',
      claims_locales: 'de',
      acr_values: '1 2',
      made_up: 'x',
    });
    expect(tokens.id_token).toBeDefined();
  });

  it('response_mode=form_post: a page that posts code, state and iss to the redirect URI under the page CSP', async () => {
    const browser = await signedIn(s, email, password);
    const { query, verifier } = oidcQuery(app, { response_mode: 'form_post', state: 'a"b<c' });
    const res = await authorizeCodeFormPost(browser, query);
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain('form-action');
    expect(csp).toContain('https://rp.example');
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(res.body).toContain(`<script nonce="${nonce}">document.forms[0].submit();</script>`);
    expect(res.body).toContain('<form method="post" action="https://rp.example/cb">');
    expect(res.body).toContain('<button'); // without scripts, a button posts the form
    expect(res.body).toContain('name="state" value="a&quot;b&lt;c"');
    expect(res.body).toContain('name="iss" value="http://localhost:4000"');
    const code = /name="code" value="([\w-]{43})"/.exec(res.body)?.[1] as string;
    expect((await redeemCode(s, app, code, verifier)).id_token).toBeDefined();
    // Errors go back the same way; an unknown mode is refused in the query.
    const error = await browser.get(
      authorizeUrl(oidcQuery(app, { response_mode: 'form_post', prompt: 'bogus' }).query),
    );
    expect(error.body).toContain('name="error" value="invalid_request"');
    const unknown = await browser.get(authorizeUrl(oidcQuery(app, { response_mode: 'fragment' }).query));
    expect(answer(unknown.headers['location']).get('error')).toBe('invalid_request');
  });
});

/** Authorizes with form_post, allowing on the consent page if shown; the form-post page. */
async function authorizeCodeFormPost(browser: InjectBrowser, query: Record<string, string>) {
  const res = await browser.get(authorizeUrl(query));
  if (!res.body.includes('name="decision"')) return res;
  return browser.post(formAction(res.body), { csrf: csrfOf(res.body), decision: 'allow' });
}
