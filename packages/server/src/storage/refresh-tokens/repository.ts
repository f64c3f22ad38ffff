/**
 * Refresh tokens (RFC 6749 §6, RFC 9700 §4.14.2): issued with a new grant, rotated on every use, found
 * for revocation and introspection. The rules of a refresh are the grant's (grants/refresh-decision.ts);
 * this repository locates the row, applies them inside its transaction and writes the outcome.
 */
import { sql, type Transaction } from 'kysely';
import { hashesEqual, hasIssuedShape, sha256Hex } from '../../tokens/random.js';
import { RefreshTokenFormat, SELECTOR_KEY_NAME } from '../../tokens/refresh-token-format.js';
import { splitScopes, unixNow } from '../columns.js';
import { type Db, nativeHandle } from '../database.js';
import { GrantError } from '../errors.js';
import type { Database } from '../schema.js';
import { postgresRotation } from './postgres.js';
import {
  type HeadTerms,
  type IssuedGrant,
  type Locator,
  nextIdExpression,
  type RefreshRule,
  type Rotation,
  type RotationOutcome,
  whereLocated,
} from './rows.js';
import { sqliteRotation } from './sqlite.js';

/** A refresh token's grant and state, for revocation and introspection. */
export interface RefreshTokenInfo {
  grantId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  /** Not rotated, not revoked, not expired. */
  active: boolean;
  expiresAt: number;
}

/** What a refresh asks of storage. */
export interface RefreshRequest {
  clientId: string;
  /** Lifetime of the new token (s). */
  refreshTtl: number;
  /** The grant's rules, applied to the row inside the transaction. */
  rule: RefreshRule;
  /** The rule's terms for a head (rows.ts), so a head may be rotated in one statement. */
  headTerms?: HeadTerms;
}

/** Refresh-token data access (`refresh_tokens`, read with its `grants` row). */
export class RefreshTokenRepository {
  private formatCache: RefreshTokenFormat | undefined;
  private rotation: ((rotation: Rotation) => Promise<RotationOutcome>) | undefined;

  constructor(private readonly db: Db) {}

  /** The refresh token format of this database (its selector key, migration 006, read once). */
  async format(): Promise<RefreshTokenFormat> {
    if (this.formatCache) return this.formatCache;
    const row = await this.db
      .selectFrom('instance_secrets')
      .select('value')
      .where('name', '=', SELECTOR_KEY_NAME)
      .executeTakeFirstOrThrow();
    this.formatCache = new RefreshTokenFormat(Buffer.from(row.value, 'hex'));
    return this.formatCache;
  }

  /**
   * How a presented refresh token is found: by the row ID its selector names, by its hash if it was
   * issued before migration 006 (a bare 256-bit token), or not at all when it cannot be ours
   * (RFC 6749 §5.2: invalid_grant without a look-up; test/storage-attacks.test.ts).
   */
  private locate(format: RefreshTokenFormat, token: string): Locator | undefined {
    const id = format.rowId(token);
    if (id !== undefined) return { id, hash: sha256Hex(token) };
    return hasIssuedShape('token', token) ? { id: undefined, hash: sha256Hex(token) } : undefined;
  }

  /**
   * Issues the first refresh token of a new grant, inside the transaction that created the grant, in
   * the {@link format} read before that transaction began.
   */
  async issueIn(
    trx: Transaction<Database>,
    format: RefreshTokenFormat,
    grant: { grantId: string; clientId: string; at: number; ttl: number },
  ): Promise<string> {
    const dialect = nativeHandle(this.db)?.dialect ?? 'sqlite';
    const { rows } = await sql<{ id: number }>`select ${nextIdExpression(dialect)} as id`.execute(trx);
    const id = Number(rows[0]?.id);
    const token = format.issue(id);
    await trx
      .insertInto('refresh_tokens')
      .values({
        id,
        token_hash: sha256Hex(token),
        legacy: 0,
        grant_id: grant.grantId,
        client_id: grant.clientId,
        created_at: grant.at,
        expires_at: grant.at + grant.ttl,
        rotated_at: null,
      })
      .execute();
    return token;
  }

  /**
   * Rotates a refresh token (RFC 9700 §4.14.2): the presented token must be the head of its chain, and
   * the answer carries a new head. Whether it may rotate is the `rule`'s call; a `replayed` verdict
   * revokes the whole grant in the same transaction. A rotated token presented again within the grace
   * window moves the head (one chain stays valid).
   */
  async rotate(token: string, request: RefreshRequest): Promise<IssuedGrant> {
    const format = this.formatCache ?? (await this.format());
    const locator = this.locate(format, token);
    if (!locator) throw new GrantError('unknown');
    const rotate = this.rotation ?? this.buildRotation(format);
    const outcome = await rotate({ locator, at: unixNow(), ...request });
    if ('failure' in outcome) throw new GrantError(outcome.failure);
    return outcome.grant;
  }

  /** The dialect's rotation, built once: prepared statements on SQLite, a locking transaction on PostgreSQL. */
  private buildRotation(format: RefreshTokenFormat) {
    const native = nativeHandle(this.db);
    this.rotation =
      native?.dialect === 'sqlite'
        ? sqliteRotation(this.db, native.sqlite, format)
        : postgresRotation(this.db, format);
    return this.rotation;
  }

  /** A refresh token's grant and state; callers check `clientId` (RFC 7009 §2.1: only the owner revokes). */
  async find(token: string): Promise<RefreshTokenInfo | undefined> {
    // Not ours (RFC 7009 §2.2, RFC 7662 §2.2: answered like any unknown token), so not looked up.
    const locator = this.locate(this.formatCache ?? (await this.format()), token);
    if (!locator) return undefined;
    const row = await this.db
      .selectFrom('refresh_tokens')
      .innerJoin('grants', 'grants.id', 'refresh_tokens.grant_id')
      .select([
        'grants.id as grant_id',
        'refresh_tokens.token_hash',
        'refresh_tokens.client_id',
        'grants.user_id',
        'grants.scopes',
        'grants.revoked_at',
        'refresh_tokens.rotated_at',
        'refresh_tokens.expires_at',
      ])
      .where(whereLocated(locator))
      .executeTakeFirst();
    if (!row || !hashesEqual(row.token_hash, locator.hash)) return undefined;
    const active = row.revoked_at === null && row.rotated_at === null && Number(row.expires_at) > unixNow();
    return {
      grantId: row.grant_id,
      clientId: row.client_id,
      userId: row.user_id,
      scopes: splitScopes(row.scopes),
      active,
      expiresAt: Number(row.expires_at),
    };
  }
}
