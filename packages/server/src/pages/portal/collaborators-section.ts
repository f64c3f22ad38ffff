/**
 * The Collaborators section of the app page: the owner, the collaborators (added by email, removed with
 * a button each) for the owner or an admin; the same list, read-only, for a collaborator.
 */
import { html, type SafeHtml, safeUrl } from '../html.js';
import { csrfField } from '../parts.js';
import { day } from './dates.js';
import { textField } from './fields.js';

/** A collaborator. */
export interface CollaboratorView {
  email: string;
  addedAt: Date;
  /** Where their Remove form posts; absent when the user may not remove them. */
  removeAction?: string;
}

/** What the section needs. */
export interface CollaboratorsView {
  ownerEmail: string | null;
  collaborators: readonly CollaboratorView[];
  /** Whether the user may add and remove collaborators. */
  manage: boolean;
  csrf: string;
  addAction: string;
  /** The email typed into a refused Add form, and why it was refused. */
  email?: string;
  error?: string;
}

/** One collaborator, with a Remove button described by their email. */
function collaboratorRow(person: CollaboratorView, index: number, csrf: string): SafeHtml {
  const id = `collaborator-${index}`;
  return html`<li><div><p class="row-title" id="${id}">${person.email}</p><p class="row-meta">Collaborator since ${day(person.addedAt)}</p></div>${
    person.removeAction
      ? html`<form method="post" action="${safeUrl(person.removeAction, 'removeAction')}">${csrfField(csrf)}<button class="button button-danger button-small" type="submit" aria-describedby="${id}">Remove</button></form>`
      : ''
  }</li>`;
}

/** The section. */
export function collaboratorsSection(v: CollaboratorsView): SafeHtml {
  const owner = html`<li><div><p class="row-title">${v.ownerEmail ?? 'No owner'}</p><p class="row-meta">${
    v.ownerEmail
      ? 'Owner: manages the app and who collaborates'
      : 'Created from the command line; an admin can give it to someone'
  }</p></div><span class="badge">Owner</span></li>`;
  return html`<section class="section" aria-labelledby="collaborators"><h2 id="collaborators">Collaborators</h2>
<p class="section-lead">Collaborators can see the app, change its redirect URIs and rotate its secret. They cannot change its other settings, delete it or add people.</p>
<ul class="rows">${owner}${v.collaborators.map((person, i) => collaboratorRow(person, i, v.csrf))}</ul>
${
  v.manage
    ? html`<form class="form" method="post" action="${safeUrl(v.addAction, 'addAction')}" novalidate>
${csrfField(v.csrf)}
${textField({
  id: 'email',
  name: 'email',
  label: 'Add a collaborator by email',
  type: 'email',
  value: v.email ?? '',
  error: v.error,
  hint: 'They need an account here first.',
  required: true,
  maxlength: 320,
  autofocus: v.error !== undefined,
  attributes: html` autocomplete="off" spellcheck="false" autocapitalize="none"`,
  beside: html`<button class="button button-secondary" type="submit">Add collaborator</button>`,
})}
</form>`
    : ''
}
</section>`;
}
