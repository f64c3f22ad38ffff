/**
 * What the refresh-token repository and both dialects' rotations share: the row a rotation reads, where
 * a presented token's row is, the one way to take the next row ID, and the outcome of a rotation.
 */
import { type ExpressionBuilder, sql } from 'kysely';
import { hashesEqual } from '../../tokens/random.js';
import { splitScopes } from '../columns.js';
import type { Dialect } from '../database.js';
import type { GrantFailure } from '../errors.js';
import type { Database } from '../schema.js';

/** A refresh token and its grant, as a rotation reads them and a refresh decision sees them. */
export interface RefreshRow {
  id: number;
  token_hash: string;
  client_id: string;
  expires_at: number;
  rotated_at: number | null;
  grant_id: string;
  user_id: string;
  scopes: string;
  revoked_at: number | null;
  /**
   * For a rotated token: whether the token issued in answer to its latest presentation was never
   * presented itself, i.e. the grant's head answers this token (read in the rotation's transaction,
   * after the grant's lock was taken).
   */
  successor_unused: boolean;
}

/** What a refresh decision answers: rotate, or why not (`replayed`: the grant must be revoked). */
export type RefreshDecision = 'rotate' | GrantFailure;

/**
 * The rules of a refresh, which the grant owns (grants/refresh-decision.ts) and storage applies inside
 * its transaction to the row as locked, at the time storage took.
 */
export type RefreshRule = (row: RefreshRow, at: number) => RefreshDecision;

/** Where a presented refresh token's row is: `id` from its selector, or (legacy tokens) its hash only. */
export interface Locator {
  id: number | undefined;
  /** SHA-256 of the presented token: must equal the row's `token_hash`. */
  hash: string;
}

/**
 * The terms on which the grant's rule rotates a token that is still its grant's head (never rotated),
 * stated as data so storage can apply them in one statement without reading the row first: the token
 * is `clientId`'s, its grant not revoked, the token not expired at the request's time, and every scope
 * in `scopes` granted. A head is rotated on these terms exactly when the rule would rotate it
 * (grants/refresh-decision.test.ts holds the two to agree); any other token goes to the rule.
 */
export interface HeadTerms {
  clientId: string;
  /** The scopes the request names (none: an empty list); each must be among the grant's. */
  scopes: readonly string[];
}

/** One refresh request, as storage carries it out. */
export interface Rotation {
  locator: Locator;
  clientId: string;
  /** Epoch seconds of the request: `rotated_at` of the old head, `created_at` of the new one. */
  at: number;
  refreshTtl: number;
  rule: RefreshRule;
  /** The rule's terms for a head, when it states them (a storage may then rotate a head in one step). */
  headTerms?: HeadTerms;
}

/**
 * What a successful redemption or refresh yields: the grant and a fresh refresh token (none when the
 * code was redeemed for an app that may not refresh).
 */
export interface IssuedGrant {
  grantId: string;
  userId: string;
  scopes: string[];
  refreshToken: string | undefined;
  /** A redemption's code: the request's `nonce` (OIDC Core §3.1.3.6), absent at a refresh (§12.2). */
  nonce?: string;
  /** A redemption's code: the session's `sid` and `auth_time` (OIDC Core §2). */
  sid?: string;
  authTime?: number;
}

/** A rotation's result: the issued grant or why it failed. */
export type RotationOutcome = { failure: GrantFailure } | { grant: IssuedGrant };

/**
 * Applies the rule to a located row. The selector only names a row; the token is the one issued for it
 * only if the hash of the whole token matches (compared in constant time), else it is unknown.
 */
export function decide(row: RefreshRow | undefined, rotation: Rotation): RefreshDecision {
  if (!row || !hashesEqual(row.token_hash, rotation.locator.hash)) return 'unknown';
  return rotation.rule(row, rotation.at);
}

/**
 * The condition that finds a located token's row: by ID, or a legacy token by its hash (through the
 * partial index on `legacy = 1`). The SQLite rotation's prepared statements say the same in SQL.
 */
export function whereLocated(locator: Locator) {
  return (eb: ExpressionBuilder<Database, 'refresh_tokens'>) =>
    locator.id === undefined
      ? eb.and([eb('refresh_tokens.token_hash', '=', locator.hash), eb('refresh_tokens.legacy', '=', 1)])
      : eb('refresh_tokens.id', '=', locator.id);
}

/**
 * The one way to take the ID of the next refresh-token row, as an SQL expression. It is taken before
 * the insert because the token, and so the hash stored in the row, contains it. SQLite: the rightmost
 * key of the table's B-tree, read by a writer that holds the write lock (IMMEDIATE, or a transaction
 * that already wrote), so no other writer can take the same ID; PostgreSQL: the table's sequence.
 */
export const NEXT_ID_SQL: Readonly<Record<Dialect, string>> = {
  sqlite: '(select coalesce(max(id), 0) + 1 from refresh_tokens)',
  postgres: "nextval(pg_get_serial_sequence('refresh_tokens', 'id'))",
};

/** {@link NEXT_ID_SQL} as a Kysely expression. */
export const nextIdExpression = (dialect: Dialect) => sql<number>`${sql.raw(NEXT_ID_SQL[dialect])}`;

/** What a rotation of `row` issues: its grant, with the new head of the chain. */
export function issued(row: RefreshRow, refreshToken: string): IssuedGrant {
  return { grantId: row.grant_id, userId: row.user_id, scopes: splitScopes(row.scopes), refreshToken };
}
