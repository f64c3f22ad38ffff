/**
 * A cookie-keeping browser over real HTTP (`fetch`, redirects read by hand) that walks an
 * authorization URL through the sign-in and consent pages to the app's redirect URI, for the interop
 * suites that drive a `latchkey start` process.
 */

/** Where a walk ended: the callback URL (query response mode), or the form a form_post page posts. */
export type Callback =
  | { mode: 'query'; url: string }
  | { mode: 'form_post'; action: string; values: Record<string, string> };

const unescapeHtml = (value: string) =>
  value
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1];
const actionOf = (html: string) => {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  return action === undefined ? undefined : unescapeHtml(action);
};

/** A browser with a cookie jar; `seen` lists the pages the last walk showed (`login`, `consent`). */
export class AuthorizingBrowser {
  readonly cookies = new Map<string, string>();
  readonly seen: string[] = [];

  constructor(private readonly user: { email: string; password: string }) {}

  /** One request, cookies sent and kept, redirects not followed. */
  async visit(url: string, form?: Record<string, string>): Promise<Response> {
    const headers = new Headers();
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    if (form) headers.set('content-type', 'application/x-www-form-urlencoded');
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form ? new URLSearchParams(form) : undefined,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (/max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  }

  /**
   * Follows `authorizationUrl` (signing in and allowing as needed) until the server answers the app at
   * `redirectUri`: a 303 there, or a form_post page whose form posts there. Never visits the app.
   */
  async authorize(authorizationUrl: string, redirectUri: string): Promise<Callback> {
    const target = new URL(redirectUri);
    const atTarget = (url: URL) => url.origin === target.origin && url.pathname === target.pathname;
    this.seen.length = 0;
    let url = authorizationUrl;
    let form: Record<string, string> | undefined;
    for (let step = 0; step < 10; step += 1) {
      const response = await this.visit(url, form);
      form = undefined;
      const location = response.headers.get('location');
      if (location) {
        await response.body?.cancel();
        const next = new URL(location, url);
        if (atTarget(next)) return { mode: 'query', url: next.href };
        url = next.href;
        continue;
      }
      const html = await response.text();
      if (response.status !== 200)
        throw new Error(`HTTP ${response.status} at ${url}: ${html.slice(0, 300)}`);
      const action = actionOf(html);
      if (!action) throw new Error(`no form at ${url}`);
      if (atTarget(new URL(action, url))) {
        this.seen.push('form_post');
        const values: Record<string, string> = {};
        for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
          values[unescapeHtml(m[1] as string)] = unescapeHtml(m[2] as string);
        return { mode: 'form_post', action, values };
      }
      const csrf = csrfOf(html);
      if (!csrf) throw new Error(`no anti-CSRF field at ${url}`);
      url = new URL(action, url).href;
      if (/name="password"/.test(html)) {
        this.seen.push('login');
        form = { csrf, email: this.user.email, password: this.user.password };
      } else if (/name="decision"/.test(html)) {
        this.seen.push('consent');
        form = { csrf, decision: 'allow' };
      } else {
        throw new Error(`unknown page at ${url}`);
      }
    }
    throw new Error('too many steps');
  }
}
