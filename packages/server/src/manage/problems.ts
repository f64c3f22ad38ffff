/**
 * The management API's answers to failures: RFC 9457 problem details, one catalogue entry each (the
 * same shape as errors.ts; test/error-catalogue.test.ts checks both). `type` is a URN naming the entry's
 * code, `title` its fixed summary, `detail` what happened this time, for the developer reading it.
 * @see https://www.rfc-editor.org/rfc/rfc9457#section-3
 */
import type { CatalogueEntry } from '../errors.js';

/** Every problem the management API answers with. */
export const PROBLEMS = {
  MANAGE_UNAUTHENTICATED: {
    code: 'unauthenticated',
    status: 401,
    answer: 'problem',
    rule: 'RFC 6750 §3.1: no portal session and no bearer token, or one that is not valid',
    raisedIn: ['manage/caller.ts'],
    title: 'Sign in or send a bearer token with the manage scope',
  },
  MANAGE_INSUFFICIENT_SCOPE: {
    code: 'insufficient_scope',
    status: 403,
    answer: 'problem',
    rule: 'RFC 6750 §3.1: a valid token without the manage scope, or an app token that acts for no user',
    raisedIn: ['manage/caller.ts'],
    title: 'The token may not manage apps',
  },
  MANAGE_CSRF: {
    code: 'csrf_token_invalid',
    status: 403,
    answer: 'problem',
    rule: 'RFC 9700 §4.7: a session request that changes something without the X-CSRF-Token of its session, or from another origin',
    raisedIn: ['manage/caller.ts'],
    title: 'Missing or wrong X-CSRF-Token',
  },
  MANAGE_NOT_FOUND: {
    code: 'not_found',
    status: 404,
    answer: 'problem',
    rule: 'no such app, collaborator or route; also every app the caller may not see (manage/access.ts)',
    raisedIn: ['manage/app-actions.ts', 'manage/index.ts', 'manage/load-app.ts'],
    title: 'Not found',
  },
  MANAGE_FORBIDDEN: {
    code: 'forbidden',
    status: 403,
    answer: 'problem',
    rule: "an action the caller's role may not take (a collaborator deleting the app), or a restricted scope asked for by a non-admin",
    raisedIn: ['manage/app-actions.ts', 'manage/load-app.ts'],
    title: 'Not allowed for your role',
  },
  MANAGE_INVALID_BODY: {
    code: 'invalid_body',
    status: 400,
    answer: 'problem',
    rule: 'RFC 9110 §15.5.1: a body that is not a JSON object of the documented members, or a value they may not take',
    raisedIn: ['manage/app-actions.ts', 'manage/body.ts', 'manage/field-problems.ts', 'manage/index.ts'],
    title: 'The request body is not valid',
  },
  MANAGE_UNAVAILABLE: {
    code: 'temporarily_unavailable',
    status: 503,
    answer: 'problem',
    rule: 'RFC 9110 §15.6.4: the database cannot be reached (with Retry-After)',
    raisedIn: ['manage/index.ts'],
    title: 'Temporarily unavailable',
  },
  MANAGE_SERVER_ERROR: {
    code: 'server_error',
    status: 500,
    answer: 'problem',
    rule: 'a bug in the management API; logged',
    raisedIn: ['manage/index.ts'],
    title: 'Something went wrong',
  },
} as const satisfies Record<string, CatalogueEntry>;

/** The name of a problem. */
export type ProblemName = keyof typeof PROBLEMS;

/** The media type of a problem answer (RFC 9457 §3). */
export const PROBLEM_TYPE = 'application/problem+json';

/** A failure the management API answers as problem details. */
export class ManageProblem extends Error {
  override readonly name = 'ManageProblem';
  readonly status: number;

  constructor(
    readonly problem: ProblemName,
    readonly detail: string,
    /** Extension members (RFC 9457 §3.2), e.g. `field` and `errors`. */
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
    /** Overrides the entry's status only where it names a range (413 for a body too large). */
    status?: number,
  ) {
    super(detail);
    this.status = status ?? PROBLEMS[problem].status;
  }

  /**
   * The JSON body: `type`, `title`, `status`, `detail`, then the extensions. A problem about one member
   * (`field`) lists it in `errors` too, as one about several does (manage/field-problems.ts), so a
   * client reads every refusal from one place.
   */
  body(): Record<string, unknown> {
    const entry = PROBLEMS[this.problem];
    const errors = this.fieldErrors();
    return {
      type: `urn:latchkey:problem:${entry.code}`,
      title: entry.title,
      status: this.status,
      detail: this.detail,
      ...this.extensions,
      ...(errors.length > 0 && { errors }),
    };
  }

  /** The members refused, each with why: the `errors` extension, or the one `field`; `[]` for none. */
  fieldErrors(): { field: string; detail: string }[] {
    const { field, errors } = this.extensions;
    if (Array.isArray(errors))
      return errors.filter(
        (item): item is { field: string; detail: string } =>
          typeof item?.field === 'string' && typeof item?.detail === 'string',
      );
    return typeof field === 'string' ? [{ field, detail: this.detail }] : [];
  }
}

/** The problem of catalogue entry `name`, with `detail` for the developer (never a secret or token). */
export function problem(
  name: ProblemName,
  detail: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  status?: number,
): ManageProblem {
  return new ManageProblem(name, detail, extensions, headers, status);
}
