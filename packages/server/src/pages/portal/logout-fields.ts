/**
 * The logout fields of an app form: Post-logout redirect URIs (one per line; RP-Initiated Logout
 * 1.0) and Back-channel logout URI (Back-Channel Logout 1.0), both optional and for apps that sign
 * users in. The server checks them (logout/registration.ts).
 */
import { html, type SafeHtml } from '../html.js';
import type { FieldErrors, FormField } from './fields.js';
import { textArea, textField } from './fields.js';

/** What the logout fields hold: as typed. */
export interface LogoutFormValues {
  /** The Post-logout redirect URIs textarea, one per line. */
  postLogoutRedirectUris: string;
  backchannelLogoutUri: string;
}

/** The longest back-channel logout URI the form lets a browser type (the server checks it too). */
const MAX_URI = 2000;

/** Post-logout redirect URIs and Back-channel logout URI. */
export function logoutFields(values: LogoutFormValues, errors: FieldErrors, focus?: FormField): SafeHtml {
  return html`${textArea({
    id: 'post-logout-redirect-uris',
    name: 'post_logout_redirect_uris',
    label: 'Post-logout redirect URIs',
    value: values.postLogoutRedirectUris,
    error: errors.post_logout_redirect_uris,
    hint: html`Where your app may send users back to after they sign out (<code>post_logout_redirect_uri</code>). One per line, matched exactly, like redirect URIs.`,
    optional: true,
    rows: 2,
    mono: true,
    autofocus: focus === 'post_logout_redirect_uris',
  })}
${textField({
  id: 'backchannel-logout-uri',
  name: 'backchannel_logout_uri',
  label: 'Back-channel logout URI',
  type: 'url',
  value: values.backchannelLogoutUri,
  error: errors.backchannel_logout_uri,
  hint: html`Your server’s endpoint that Latchkey posts a signed <code>logout_token</code> to when a user signs out. Starts with https:// (http:// only for 127.0.0.1 or localhost).`,
  optional: true,
  maxlength: MAX_URI,
  autofocus: focus === 'backchannel_logout_uri',
  attributes: html` inputmode="url" spellcheck="false" autocapitalize="none" placeholder="https://"`,
})}`;
}
