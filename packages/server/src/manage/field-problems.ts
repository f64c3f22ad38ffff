/**
 * Every member of a request checked before any is refused: the refusals of one request, gathered as
 * its members are read and checked, answered as one RFC 9457 problem whose `errors` extension member
 * lists `{ field, detail }` for each (RFC 9457 §3: one problem type, its occurrences as an extension).
 * The portal's pages show each beside its field.
 */
import { AppRegistrationError } from '../oauth/app-registration.js';
import { type ProblemName, problem } from './problems.js';

/** A member of a request refused, and why (for the developer). */
export interface FieldProblem {
  field: string;
  detail: string;
}

/** A refusal with the catalogue entry it belongs to. */
interface Refusal extends FieldProblem {
  name: ProblemName;
}

/**
 * The refusals of one request. A member's first refusal is the one that says what to fix: a later
 * check of a member already refused (the registration rules after "name must be a string", say) adds
 * nothing. One check may refuse a member several times (each redirect URI it refuses).
 */
export class FieldProblems {
  private readonly list: Refusal[] = [];

  /** Whether `field` was refused. */
  has(field: string): boolean {
    return this.list.some((refusal) => refusal.field === field);
  }

  /** Records a refusal of `field`, unless it was refused already. */
  add(field: string, detail: string, name: ProblemName = 'MANAGE_INVALID_BODY'): void {
    if (!this.has(field)) this.list.push({ field, detail, name });
  }

  /**
   * Runs a check that throws an {@link AppRegistrationError} listing its refusals (the registration
   * rules, oauth/app-registration.ts) and records those of members not refused yet; returns what the
   * check returns, or `undefined` if it refused.
   */
  check<T>(step: () => T): T | undefined {
    try {
      return step();
    } catch (error) {
      if (!(error instanceof AppRegistrationError)) throw error;
      const refused = new Set(this.list.map((refusal) => refusal.field));
      for (const { field, detail } of error.problems)
        if (!refused.has(field)) this.list.push({ field, detail, name: 'MANAGE_INVALID_BODY' });
      return undefined;
    }
  }

  /**
   * Throws the one problem that lists every refusal, if there is any: its entry is theirs when they
   * share one (a scope only an admin may give: 403), else the invalid body (400) that lists them all;
   * `detail` joins them, `field` names the first (as a problem about one member does), `errors` has each.
   */
  throwIfAny(): void {
    const [first] = this.list;
    if (first === undefined) return;
    const name = this.list.every((refusal) => refusal.name === first.name)
      ? first.name
      : 'MANAGE_INVALID_BODY';
    throw problem(name, this.list.map((refusal) => refusal.detail).join('; '), {
      field: first.field,
      errors: this.list.map(({ field, detail }) => ({ field, detail })),
    });
  }
}
