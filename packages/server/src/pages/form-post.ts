/**
 * The answer of an authorization request in OAuth 2.0 Form Post Response Mode: a form that posts the
 * response parameters to the app's redirect URI, submitted by a nonce'd inline script, or by its
 * button where scripts do not run.
 */
import { html, safeUrl } from './html.js';
import { page } from './layout.js';

/** Values of the form-post page. */
export interface FormPostView {
  nonce: string;
  /** The app's redirect URI (http or https). */
  action: string;
  /** The authorization response's parameters (`code`, `state`, `iss`, or `error`...). */
  values: Readonly<Record<string, string>>;
  /** The app's name, for the sentence people without scripts read. */
  appName: string;
}

/** Submits the page's form once loaded: nothing else, and nothing from anywhere (CSP nonce). */
export const FORM_POST_SCRIPT = 'document.forms[0].submit();';

/**
 * The page: `<form method="post">` with one hidden input per parameter, HTML-escaped, and a Continue
 * button (OAuth 2.0 Form Post Response Mode §2: "the User Agent SHOULD be instructed to submit the
 * form automatically"; the button is for browsers without scripts). Send it with
 * `sendPage(..., originOf(action), { script: true })` so CSP lets the form and its script through.
 */
export function formPostPage(v: FormPostView): string {
  const inputs = Object.entries(v.values).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  const body = html`<h1>Returning to <span class="app-name">${v.appName}</span></h1>
<form method="post" action="${safeUrl(v.action, 'action')}">
${inputs}
<p class="lead">If nothing happens, continue to the app.</p>
<button class="button button-primary button-block" type="submit">Continue</button>
</form>`;
  return page({ title: 'Returning to the app', body, nonce: v.nonce, script: FORM_POST_SCRIPT });
}
