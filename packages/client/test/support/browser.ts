// Test helper: drives oidc-provider's devInteractions login and consent forms, and its logout
// confirmation, over plain HTTP with a cookie jar.

/** A user agent with a cookie jar: one browser session at the provider. */
export class CookieBrowser {
  readonly #jar = new Map<string, string>();

  /** Fetches `url` without following redirects, sending and storing cookies. */
  async visit(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#jar.size > 0) {
      headers.set('cookie', [...this.#jar].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0]!;
      const at = pair.indexOf('=');
      const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) this.#jar.delete(name);
      else this.#jar.set(name, value);
    }
    return response;
  }

  /** Follows the authorization URL through login and consent; returns the redirect back to `redirectUri`. */
  async authorize(authorizationUrl: string, redirectUri: string, login = 'alice'): Promise<string> {
    let url = authorizationUrl;
    for (let step = 0; step < 12; step += 1) {
      const response = await this.visit(url);
      const location = response.headers.get('location');
      if (location) {
        url = new URL(location, url).href;
        if (url.startsWith(redirectUri)) return url;
        continue;
      }
      const html = await response.text();
      if (response.status !== 200)
        throw new Error(`unexpected HTTP ${response.status} at ${url}: ${html.slice(0, 300)}`);
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      if (!action || !prompt) throw new Error(`no interaction form at ${url}`);
      const fields: Record<string, string> =
        prompt === 'login' ? { prompt, login, password: 'any' } : { prompt };
      const submitted = await this.#post(new URL(action.replace(/&amp;/g, '&'), url).href, fields);
      const next = submitted.headers.get('location');
      if (!next) throw new Error(`interaction POST answered HTTP ${submitted.status}`);
      url = new URL(next, url).href;
      if (url.startsWith(redirectUri)) return url;
    }
    throw new Error('too many redirects');
  }

  /**
   * Opens an end-session URL, confirms "Yes, sign me out" on the provider's page, and returns the
   * redirect to `postLogoutRedirectUri`.
   */
  async logout(endSessionUrl: string, postLogoutRedirectUri: string): Promise<string> {
    const page = await this.visit(endSessionUrl);
    const html = await page.text();
    if (page.status !== 200)
      throw new Error(`unexpected HTTP ${page.status} at ${endSessionUrl}: ${html.slice(0, 300)}`);
    const action =
      /<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"|<form[^>]*action="([^"]+)"[^>]*id="op.logoutForm"/.exec(
        html,
      );
    if (!action) throw new Error('no logout form');
    const fields: Record<string, string> = { logout: 'yes' };
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
      fields[name!] = value!;
    }
    let url = new URL((action[1] ?? action[2])!.replace(/&amp;/g, '&'), endSessionUrl).href;
    let response = await this.#post(url, fields);
    for (let step = 0; step < 6; step += 1) {
      const location = response.headers.get('location');
      if (!location) throw new Error(`logout answered HTTP ${response.status} at ${url}`);
      url = new URL(location, url).href;
      if (url.startsWith(postLogoutRedirectUri)) return url;
      response = await this.visit(url);
    }
    throw new Error('too many redirects');
  }

  #post(url: string, fields: Record<string, string>): Promise<Response> {
    return this.visit(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

/** Follows the authorization URL in a fresh browser; returns the redirect back to `redirectUri`. */
export function authorize(authorizationUrl: string, redirectUri: string, login = 'alice'): Promise<string> {
  return new CookieBrowser().authorize(authorizationUrl, redirectUri, login);
}
