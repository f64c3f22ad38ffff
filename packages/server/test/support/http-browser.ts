/** A cookie-keeping browser over real HTTP (fetch), for following links exactly as an email gives them. */

/** One answer: status, headers and body, redirects not followed. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** Keeps the cookies a server sets between requests; never follows redirects by itself. */
export class HttpBrowser {
  readonly cookies = new Map<string, string>();

  /** `base` resolves relative URLs (the server's issuer). */
  constructor(private readonly base: string) {}

  private async send(url: string, init: RequestInit): Promise<HttpAnswer> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(url, this.base), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
      signal: AbortSignal.timeout(15_000),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (/Max-Age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { status: res.status, headers: res.headers, body: await res.text() };
  }

  get(url: string): Promise<HttpAnswer> {
    return this.send(url, { method: 'GET' });
  }

  post(url: string, form: Record<string, string>): Promise<HttpAnswer> {
    return this.send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }
}

/** The value of a page's hidden field `name`. */
export function hiddenField(body: string, name: string): string {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(body);
  if (!match) throw new Error(`no hidden field ${name} on the page`);
  return match[1] as string;
}

/** The action of the page's first form. */
export function actionOf(body: string): string {
  const match = /<form(?: class="form")? method="post" action="([^"]+)"/.exec(body);
  if (!match) throw new Error('no form on the page');
  return match[1]!.replace(/&amp;/g, '&');
}
