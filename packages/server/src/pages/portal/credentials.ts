/**
 * An app's credentials as the portal shows them once: the client ID, the secret with a plain warning
 * that it will not be shown again, and how to use them (a `curl` for a two-legged token, or the
 * authorization URL of a three-legged app).
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1 (the secret is returned once)
 */
import type { AppTypeName } from '../../oauth/app-types.js';
import { html, type SafeHtml } from '../html.js';
import { copyable } from './layout.js';

/** What the credentials part shows. */
export interface CredentialsView {
  clientId: string;
  /** The secret, on the one page that shows it; absent for an app without one. */
  clientSecret?: string;
  type: AppTypeName;
  /** The app's scopes, for the example request. */
  scopes: readonly string[];
  /** The first redirect URI, for the example authorization URL. */
  redirectUri?: string;
  /** The token and authorization endpoints (from the issuer). */
  tokenEndpoint: string;
  authorizationEndpoint: string;
}

/** A word as one POSIX shell argument. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The `curl` that fetches a two-legged token (RFC 6749 §4.4, client_secret_basic of §2.3.1). */
export function clientCredentialsCurl(v: CredentialsView & { clientSecret: string }): string {
  return [
    `curl ${shellQuote(v.tokenEndpoint)} \\`,
    `  -u ${shellQuote(`${v.clientId}:${v.clientSecret}`)} \\`,
    '  -d grant_type=client_credentials \\',
    `  --data-urlencode ${shellQuote(`scope=${v.scopes.join(' ')}`)}`,
  ].join('\n');
}

/** The shape of an authorization request (RFC 6749 §4.1.1 with PKCE, RFC 7636 §4.3), placeholders in capitals. */
export function authorizeUrlShape(v: CredentialsView): string {
  const enc = encodeURIComponent;
  return [
    `${v.authorizationEndpoint}?response_type=code`,
    `&client_id=${enc(v.clientId)}`,
    `&redirect_uri=${enc(v.redirectUri ?? 'YOUR_REDIRECT_URI')}`,
    `&scope=${enc(v.scopes.join(' '))}`,
    '&state=RANDOM_STATE',
    '&code_challenge=BASE64URL_SHA256_OF_VERIFIER',
    '&code_challenge_method=S256',
  ].join('');
}

/** The client ID and, when given, the secret with its warning. */
export function credentialList(v: CredentialsView): SafeHtml {
  return html`<dl class="credentials">
<div><dt>Client ID</dt><dd>${copyable(v.clientId, { id: 'client-id', what: 'client ID' })}</dd></div>
${
  v.clientSecret === undefined
    ? ''
    : html`<div><dt>Client secret</dt><dd>${copyable(v.clientSecret, { id: 'client-secret', what: 'client secret', secret: true })}</dd></div>`
}
</dl>
${
  v.clientSecret === undefined
    ? ''
    : html`<p class="warning" id="secret-warning"><span><strong>Copy the secret now: it will not be shown again.</strong> Latchkey keeps only a hash of it. Store it where your server reads its configuration, never in a browser or a mobile app. If you lose it, rotate the secret on the app’s page.</span></p>`
}`;
}

/** How to use the credentials: the two-legged `curl`, or the authorization URL of a three-legged app. */
export function tryIt(v: CredentialsView): SafeHtml {
  if (v.type === 'service' && v.clientSecret !== undefined)
    return html`<section class="section" aria-labelledby="try-it"><h2 id="try-it">Get a token</h2>
<p class="section-lead">Paste this into a terminal: it asks for a two-legged token (client credentials) with this app’s scopes.</p>
${copyable(clientCredentialsCurl({ ...v, clientSecret: v.clientSecret }), { id: 'curl', what: 'curl command', block: true })}
</section>`;
  if (v.type === 'service') return html``;
  return html`<section class="section" aria-labelledby="try-it"><h2 id="try-it">Sign a user in</h2>
<p class="section-lead">Send the user’s browser to this URL (with your own <code>state</code> and PKCE challenge); they come back to your redirect URI with a code to exchange at <code>${v.tokenEndpoint}</code>${v.type === 'native' ? ' with the PKCE verifier, and no secret' : ''}.</p>
${copyable(authorizeUrlShape(v), { id: 'authorize-url', what: 'authorization URL', block: true })}
</section>`;
}
