/**
 * A management action's refusal (manage/problems.ts) as a page shows it: each refusal it lists
 * (`errors`, manage/field-problems.ts) beside the field it names, or at the top of the form; an app
 * the user has no role for is the same 404 page as an app that does not exist (manage/access.ts), and
 * an action their role may not take a 403.
 */
import { pageError } from '../../http/page-errors.js';
import { ManageProblem } from '../../manage/problems.js';
import { type FieldErrors, type FormField, sentence } from '../../pages/portal/fields.js';
import { PORTAL_PATH } from './paths.js';

/** The way on from the portal's error pages. */
const BACK = { href: PORTAL_PATH, label: 'Back to My apps' };

/** A refusal to show on the form: one field's. */
export interface FormRefusal {
  field: FormField;
  message: string;
  /** The page's status: the problem's (400, or 403 for a scope only an admin may give). */
  status: number;
}

/** The refusals of a form: each field's message, shown beside it. */
export interface FormRefusals {
  errors: FieldErrors;
  /** The page's status: the problem's. */
  status: number;
}

/** The form fields of the management API's members (`grant_types` follow from the App type). */
const FIELDS: Readonly<Record<string, FormField>> = {
  name: 'name',
  description: 'description',
  homepage_url: 'homepage_url',
  redirect_uris: 'redirect_uris',
  post_logout_redirect_uris: 'post_logout_redirect_uris',
  backchannel_logout_uri: 'backchannel_logout_uri',
  type: 'type',
  grant_types: 'type',
  scope: 'scope',
  email: 'email',
  grace_seconds: 'grace_seconds',
};

/**
 * A choice the form offers, refused: the API's words name its JSON member, which a page does not
 * show, so the page says what to do instead.
 */
const CHOICES: Partial<Record<FormField, string>> = {
  type: 'Choose one of the app types.',
  grace_seconds: 'Choose one of the grace periods in the list.',
};

/** The page error of a problem no form shows: 404 (no app, or no role) or 403 (not for this role). */
function pageOf(error: ManageProblem): Error {
  if (error.status === 404) return pageError('APP_NOT_FOUND', { back: BACK });
  if (error.status === 403) return pageError('APP_FORBIDDEN', { back: BACK });
  return error;
}

/**
 * What a form shows of a refusal: every field's message, each beside its field (two refusals of one
 * field, such as two redirect URIs, one after the other); one that names no field of the form at the
 * top. Throws the 404 or 403 page (or anything that is not a management problem) instead.
 */
export function formRefusals(error: unknown): FormRefusals {
  if (!(error instanceof ManageProblem)) throw error;
  const refusals = error.fieldErrors().map(({ field, detail }) => ({ field: FIELDS[field], detail }));
  if (error.status !== 400 && !refusals.some(({ field }) => field !== undefined)) throw pageOf(error);
  const errors: FieldErrors = {};
  for (const { field = 'form', detail } of refusals.length > 0 ? refusals : [{ detail: error.detail }]) {
    const message = CHOICES[field] ?? sentence(detail);
    const before = errors[field];
    errors[field] = before === undefined || before === message ? message : `${before} ${message}`;
  }
  return { errors, status: error.status };
}

/** What a one-field form shows of a refusal: its first message ({@link formRefusals}). */
export function formRefusal(error: unknown): FormRefusal {
  const { errors, status } = formRefusals(error);
  const [field, message] = Object.entries(errors)[0] as [FormField, string];
  return { field, message, status };
}

/** Runs a management step for a page: a refusal becomes the 404 or 403 page. */
export async function orPageError<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw error instanceof ManageProblem ? pageOf(error) : error;
  }
}
