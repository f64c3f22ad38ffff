/**
 * Repository for the three-legged life cycle: consents, pending authorization requests, codes, grants,
 * refresh tokens and revoked access tokens. Every change that must be atomic is one transaction.
 */
import { type ExpressionBuilder, sql, type Transaction } from 'kysely';
import { hashesEqual, hasIssuedShape, randomToken, sha256Hex } from '../tokens/random.js';
import { RefreshTokenFormat, SELECTOR_KEY_NAME } from '../tokens/refresh-token-format.js';
import { isPossibleClientId } from './clients.js';
import { type Db, nativeHandle } from './database.js';
import type { Database } from './schema.js';

const now = () => Math.floor(Date.now() / 1000);
const split = (scopes: string) => scopes.split(' ').filter(Boolean);

/** A validated authorization request, as stored while the user decides. */
export interface PendingRequest {
  clientId: string;
  userId: string;
  redirectUri: string;
  /** Whether the request named redirect_uri (RFC 6749 §4.1.3: then the token request must too). */
  redirectUriGiven: boolean;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | undefined;
}

/** A code as stored (looked up by its hash). */
export interface CodeRecord {
  clientId: string;
  userId: string;
  redirectUri: string;
  redirectUriGiven: boolean;
  scopes: string[];
  codeChallenge: string | undefined;
  expiresAt: number;
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
}

/** Why a redemption or refresh failed: each is `invalid_grant` on the wire. */
export type GrantFailure =
  | 'unknown'
  | 'expired'
  | 'wrong_client'
  | 'replayed'
  | 'revoked'
  | 'check_failed'
  | 'scope_widened';

/** A failed redemption or refresh. */
export class GrantError extends Error {
  override readonly name = 'GrantError';
  constructor(readonly reason: GrantFailure) {
    super(reason);
  }
}

type Outcome = { failure: GrantFailure } | { grant: IssuedGrant };

/** Where a presented refresh token's row is: `id` from its selector, or (legacy tokens) its hash only. */
interface Locator {
  id: number | undefined;
  /** SHA-256 of the presented token: must equal the row's `token_hash`. */
  hash: string;
}

/**
 * The condition that finds a located token's row: by ID, or a legacy token by its hash (through the
 * partial index on `legacy = 1`). The SQLite rotation's prepared statements say the same in SQL.
 */
function whereLocated(locator: Locator) {
  return (eb: ExpressionBuilder<Database, 'refresh_tokens'>) =>
    locator.id === undefined
      ? eb.and([eb('refresh_tokens.token_hash', '=', locator.hash), eb('refresh_tokens.legacy', '=', 1)])
      : eb('refresh_tokens.id', '=', locator.id);
}

/** A refresh token and its grant, as rotation reads them. */
interface RefreshRow {
  id: number;
  token_hash: string;
  client_id: string;
  expires_at: number;
  rotated_at: number | null;
  grant_id: string;
  user_id: string;
  scopes: string;
  revoked_at: number | null;
}

/** One refresh request, with the token that will replace the presented one. */
interface Rotation {
  locator: Locator;
  clientId: string;
  at: number;
  graceSeconds: number;
  refreshTtl: number;
  requestedScopes: readonly string[] | undefined;
}

/**
 * The rules of a refresh, apart from storage (RFC 6749 §6, RFC 9700 §4.14.2): `rotate`, `replayed`
 * (the grant must be revoked) or why it fails.
 */
function decideRefresh(row: RefreshRow | undefined, r: Rotation): GrantFailure | 'rotate' {
  // The selector only names a row; the token is the one issued for it only if the hash matches.
  if (!row || !hashesEqual(row.token_hash, r.locator.hash)) return 'unknown';
  if (row.client_id !== r.clientId) return 'wrong_client';
  if (row.revoked_at !== null) return 'revoked';
  if (Number(row.expires_at) < r.at) return 'expired';
  // A refresh MUST NOT widen the scope; refused before anything changes.
  if (r.requestedScopes?.some((scope) => !split(row.scopes).includes(scope))) return 'scope_widened';
  // Reuse of a rotated token outside the grace window revokes the grant. `at` was read before the
  // lock was taken, so a rotation that won the race may carry a later second: that is no time at all
  // (with grace 0 a replay all the same), never a negative age that would pass as within the window.
  if (row.rotated_at !== null && Math.max(0, r.at - Number(row.rotated_at)) >= r.graceSeconds) {
    return 'replayed';
  }
  return 'rotate';
}

function issued(row: RefreshRow, refreshToken: string): IssuedGrant {
  return { grantId: row.grant_id, userId: row.user_id, scopes: split(row.scopes), refreshToken };
}

/** The SQLite rotation, and whether a transaction (one Kysely began and awaits inside) is open. */
interface SqliteRotation {
  rotate(rotation: Rotation): Outcome;
  inTransaction(): boolean;
}

/** A user's live grant to an app, for the Connected apps page. */
export interface ConnectedApp {
  clientId: string;
  name: string;
  scopes: string[];
  grantedAt: number;
}

/** Grant data access. */
export class GrantRepository {
  constructor(private readonly db: Db) {}

  // ---- consent -------------------------------------------------------------------------------

  /** Scopes the user has already allowed this app. */
  async consentedScopes(userId: string, clientId: string): Promise<string[]> {
    const row = await this.db
      .selectFrom('consents')
      .select('scopes')
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return row ? split(row.scopes) : [];
  }

  /**
   * Remembers that the user allowed these scopes (added to what was allowed before). Concurrent saves
   * for one user and app neither fail nor lose scopes: the insert yields to a row another request
   * inserted first (`on conflict do nothing`), and an update applies only to the scopes it read
   * (compare-and-set), so a request that lost a race re-reads and merges again.
   */
  async saveConsent(userId: string, clientId: string, scopes: string[]): Promise<void> {
    // Every round, at least one of the racing requests succeeds, so this ends.
    for (;;) {
      const row = await this.db
        .selectFrom('consents')
        .select('scopes')
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      const all = [...new Set([...(row ? split(row.scopes) : []), ...scopes])].join(' ');
      if (row === undefined) {
        const inserted = await this.db
          .insertInto('consents')
          .values({ user_id: userId, client_id: clientId, scopes: all, created_at: now() })
          .onConflict((oc) => oc.columns(['user_id', 'client_id']).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return;
        continue;
      }
      if (all === row.scopes) return;
      const updated = await this.db
        .updateTable('consents')
        .set({ scopes: all })
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .where('scopes', '=', row.scopes)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) return;
    }
  }

  // ---- pending authorization requests ---------------------------------------------------------

  /** Stores a validated request until the user decides; returns its single-use handle. */
  async savePendingRequest(request: PendingRequest, ttlSeconds: number): Promise<string> {
    const handle = randomToken(32);
    await this.db
      .insertInto('authorization_requests')
      .values({
        id_hash: sha256Hex(handle),
        client_id: request.clientId,
        user_id: request.userId,
        redirect_uri: request.redirectUri,
        redirect_uri_given: request.redirectUriGiven ? 1 : 0,
        scopes: request.scopes.join(' '),
        state: request.state ?? null,
        code_challenge: request.codeChallenge ?? null,
        expires_at: now() + ttlSeconds,
      })
      .execute();
    return handle;
  }

  /** Takes (reads and deletes) a pending request of this user; `undefined` if unknown, expired or someone else's. */
  async takePendingRequest(handle: string, userId: string): Promise<PendingRequest | undefined> {
    // A handle we cannot have issued is not looked up (review finding M4).
    if (!hasIssuedShape('token', handle)) return undefined;
    const hash = sha256Hex(handle);
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('authorization_requests')
        .selectAll()
        .where('id_hash', '=', hash)
        .executeTakeFirst();
      if (!row || row.user_id !== userId) return undefined;
      const deleted = await trx
        .deleteFrom('authorization_requests')
        .where('id_hash', '=', hash)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) !== 1 || Number(row.expires_at) < now()) return undefined;
      return {
        clientId: row.client_id,
        userId: row.user_id,
        redirectUri: row.redirect_uri,
        redirectUriGiven: row.redirect_uri_given === 1,
        scopes: split(row.scopes),
        state: row.state ?? undefined,
        codeChallenge: row.code_challenge ?? undefined,
      };
    });
  }

  // ---- authorization codes --------------------------------------------------------------------

  /** Issues a 256-bit code, stored as its hash, bound to everything the token request must repeat. */
  async createCode(request: PendingRequest, ttlSeconds: number): Promise<string> {
    const code = randomToken(32);
    await this.db
      .insertInto('authorization_codes')
      .values({
        code_hash: sha256Hex(code),
        client_id: request.clientId,
        user_id: request.userId,
        redirect_uri: request.redirectUri,
        redirect_uri_given: request.redirectUriGiven ? 1 : 0,
        scopes: request.scopes.join(' '),
        code_challenge: request.codeChallenge ?? null,
        expires_at: now() + ttlSeconds,
        used_at: null,
        grant_id: null,
      })
      .execute();
    return code;
  }

  /**
   * Redeems a code in one transaction: `check` validates the binding (client, redirect URI, PKCE); the
   * code is consumed by a conditional update, so of N parallel redemptions exactly one wins. A replay
   * revokes the grant the code produced, with every token issued from it (RFC 6749 §4.1.2).
   * `refreshTtl` undefined: the app may not refresh, so no refresh token is stored at all (RFC 6749
   * §5.1: the refresh token is OPTIONAL; one that is never handed out is only a row to leak).
   */
  async redeemCode(
    code: string,
    clientId: string,
    refreshTtl: number | undefined,
    check: (record: CodeRecord) => boolean,
  ): Promise<IssuedGrant> {
    // RFC 6749 §5.2: a code that cannot be one we issued is invalid_grant, without a look-up (M4).
    if (!hasIssuedShape('token', code)) throw new GrantError('unknown');
    const hash = sha256Hex(code);
    const format = this.format ?? (await this.refreshFormat());
    const outcome = await this.db.transaction().execute(async (trx): Promise<Outcome> => {
      const row = await trx
        .selectFrom('authorization_codes')
        .selectAll()
        .where('code_hash', '=', hash)
        .executeTakeFirst();
      if (!row) return { failure: 'unknown' };
      const at = now();
      if (row.used_at !== null) {
        if (row.grant_id) await this.revokeGrantIn(trx, row.grant_id, at);
        return { failure: 'replayed' };
      }
      if (row.client_id !== clientId) return { failure: 'wrong_client' };
      if (Number(row.expires_at) < at) return { failure: 'expired' };
      const record: CodeRecord = {
        clientId: row.client_id,
        userId: row.user_id,
        redirectUri: row.redirect_uri,
        redirectUriGiven: row.redirect_uri_given === 1,
        scopes: split(row.scopes),
        codeChallenge: row.code_challenge ?? undefined,
        expiresAt: Number(row.expires_at),
      };
      if (!check(record)) return { failure: 'check_failed' };
      const grantId = `gr_${randomToken(16)}`;
      const consumed = await trx
        .updateTable('authorization_codes')
        .set({ used_at: at, grant_id: grantId })
        .where('code_hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(consumed.numUpdatedRows) !== 1) return { failure: 'replayed' };
      await trx
        .insertInto('grants')
        .values({
          id: grantId,
          user_id: row.user_id,
          client_id: clientId,
          scopes: row.scopes,
          created_at: at,
          revoked_at: null,
        })
        .execute();
      const refreshToken =
        refreshTtl === undefined
          ? undefined
          : await this.insertRefreshToken(trx, format, grantId, clientId, at, refreshTtl);
      return { grant: { grantId, userId: row.user_id, scopes: record.scopes, refreshToken } };
    });
    if ('failure' in outcome) {
      if (outcome.failure === 'replayed') await this.revokeReplayedCode(hash);
      throw new GrantError(outcome.failure);
    }
    return outcome.grant;
  }

  /** A replay that lost the race: once the winner has committed, its grant is revoked too. */
  private async revokeReplayedCode(hash: string): Promise<void> {
    const row = await this.db
      .selectFrom('authorization_codes')
      .select('grant_id')
      .where('code_hash', '=', hash)
      .executeTakeFirst();
    if (row?.grant_id) await this.revokeGrant(row.grant_id);
  }

  // ---- refresh tokens -------------------------------------------------------------------------

  private format: RefreshTokenFormat | undefined;

  /** The refresh token format of this database (its selector key, migration 006, read once). */
  private async refreshFormat(): Promise<RefreshTokenFormat> {
    if (this.format) return this.format;
    const row = await this.db
      .selectFrom('instance_secrets')
      .select('value')
      .where('name', '=', SELECTOR_KEY_NAME)
      .executeTakeFirstOrThrow();
    this.format = new RefreshTokenFormat(Buffer.from(row.value, 'hex'));
    return this.format;
  }

  /**
   * How a presented refresh token is found: by the row ID its selector names, by its hash if it was
   * issued before migration 006 (a bare 256-bit token), or not at all when it cannot be ours (M4).
   */
  private locate(format: RefreshTokenFormat, token: string): Locator | undefined {
    const id = format.rowId(token);
    if (id !== undefined) return { id, hash: sha256Hex(token) };
    return hasIssuedShape('token', token) ? { id: undefined, hash: sha256Hex(token) } : undefined;
  }

  /**
   * The ID the next refresh token row gets. Taken before the insert because the token, and so the
   * hash stored in the row, contains it. SQLite: the caller holds the write lock (IMMEDIATE, or a
   * transaction that already wrote), so no other writer can take the same ID; PostgreSQL: the sequence.
   */
  private async nextRefreshTokenId(trx: Transaction<Database>): Promise<number> {
    const next =
      nativeHandle(this.db)?.dialect === 'postgres'
        ? sql<{ id: number }>`select nextval(pg_get_serial_sequence('refresh_tokens', 'id')) as id`
        : sql<{ id: number }>`select coalesce(max(id), 0) + 1 as id from refresh_tokens`;
    const { rows } = await next.execute(trx);
    return Number(rows[0]?.id);
  }

  private async insertRefreshToken(
    trx: Transaction<Database>,
    format: RefreshTokenFormat,
    grantId: string,
    clientId: string,
    at: number,
    ttl: number,
  ): Promise<string> {
    const id = await this.nextRefreshTokenId(trx);
    const token = format.issue(id);
    await trx
      .insertInto('refresh_tokens')
      .values({
        id,
        token_hash: sha256Hex(token),
        legacy: 0,
        grant_id: grantId,
        client_id: clientId,
        created_at: at,
        expires_at: at + ttl,
        rotated_at: null,
      })
      .execute();
    return token;
  }

  /**
   * Rotates a refresh token (RFC 9700 §4.14.2): the presented token must be the head of its chain; the
   * response carries a new head. A rotated token presented again within `graceSeconds` by the same
   * client also succeeds and moves the head (one chain stays valid); later, it revokes the whole grant.
   */
  async rotateRefreshToken(
    token: string,
    clientId: string,
    graceSeconds: number,
    refreshTtl: number,
    requestedScopes?: readonly string[],
  ): Promise<IssuedGrant> {
    const format = this.format ?? (await this.refreshFormat());
    // RFC 6749 §5.2: a refresh token that cannot be one we issued is invalid_grant, without a look-up (M4).
    const locator = this.locate(format, token);
    if (!locator) throw new GrantError('unknown');
    const rotation: Rotation = {
      locator,
      clientId,
      at: now(),
      graceSeconds,
      refreshTtl,
      requestedScopes,
    };
    const sqlite = this.sqliteRotation(format);
    const outcome = sqlite
      ? // SQLite: one synchronous IMMEDIATE transaction of prepared statements. Nothing can run on the
        // connection while synchronous code does; only a transaction Kysely left open across an await
        // (a code redemption, a purge batch) is in the way, and then the rotation waits for
        // Kysely's connection like any query.
        sqlite.inTransaction()
        ? await this.db.connection().execute(async () => sqlite.rotate(rotation))
        : sqlite.rotate(rotation)
      : await this.db.transaction().execute(async (trx): Promise<Outcome> => {
          // PostgreSQL: FOR UPDATE locks the grant (serializing changes to it) and the token row, so
          // a row changed while we waited is re-read, not seen as it was before the wait. The next
          // row's ID comes from the sequence in the same round trip.
          const row = await trx
            .selectFrom('refresh_tokens')
            .innerJoin('grants', 'grants.id', 'refresh_tokens.grant_id')
            .select([
              'refresh_tokens.id',
              'refresh_tokens.token_hash',
              'refresh_tokens.client_id',
              'refresh_tokens.expires_at',
              'refresh_tokens.rotated_at',
              'grants.id as grant_id',
              'grants.user_id',
              'grants.scopes',
              'grants.revoked_at',
              sql<number>`nextval(pg_get_serial_sequence('refresh_tokens', 'id'))`.as('next_id'),
            ])
            .where(whereLocated(locator))
            .forUpdate()
            .executeTakeFirst();
          const decision = decideRefresh(row, rotation);
          if (decision === 'replayed' && row) await this.revokeGrantIn(trx, row.grant_id, rotation.at);
          if (decision !== 'rotate' || !row) return { failure: decision === 'rotate' ? 'unknown' : decision };
          const newToken = format.issue(Number(row.next_id));
          // Retire the head (the presented token, or in the grace window the head that replaced it)
          // and insert the new one in one round trip.
          await trx
            .with('retired', (db) =>
              db
                .updateTable('refresh_tokens')
                .set({ rotated_at: rotation.at })
                .where((eb) =>
                  row.rotated_at === null
                    ? eb('id', '=', row.id)
                    : eb.and([eb('grant_id', '=', row.grant_id), eb('rotated_at', 'is', null)]),
                ),
            )
            .insertInto('refresh_tokens')
            .values({
              id: Number(row.next_id),
              token_hash: sha256Hex(newToken),
              legacy: 0,
              grant_id: row.grant_id,
              client_id: clientId,
              created_at: rotation.at,
              expires_at: rotation.at + refreshTtl,
              rotated_at: null,
            })
            .execute();
          return { grant: issued(row, newToken) };
        });
    if ('failure' in outcome) throw new GrantError(outcome.failure);
    return outcome.grant;
  }

  private sqliteRotationFn: SqliteRotation | null | undefined;

  /** The SQLite rotation as prepared statements in one transaction (built once), or null on PostgreSQL. */
  private sqliteRotation(format: RefreshTokenFormat): SqliteRotation | null {
    if (this.sqliteRotationFn !== undefined) return this.sqliteRotationFn;
    const native = nativeHandle(this.db);
    if (native?.dialect !== 'sqlite') {
      this.sqliteRotationFn = null;
      return null;
    }
    const sqlite = native.sqlite;
    const columns = `r.id, r.token_hash, r.client_id, r.expires_at, r.rotated_at, g.id as grant_id,
      g.user_id, g.scopes, g.revoked_at from refresh_tokens r join grants g on g.id = r.grant_id`;
    const byId = sqlite.prepare(`select ${columns} where r.id = ?`);
    const byLegacyHash = sqlite.prepare(`select ${columns} where r.token_hash = ? and r.legacy = 1`);
    const revoke = sqlite.prepare('update grants set revoked_at = ? where id = ? and revoked_at is null');
    const retire = sqlite.prepare('update refresh_tokens set rotated_at = ? where id = ?');
    const retireHead = sqlite.prepare(
      'update refresh_tokens set rotated_at = ? where grant_id = ? and rotated_at is null',
    );
    // The rightmost key of the table's B-tree: one descent through pages the insert then writes.
    const nextId = sqlite.prepare('select coalesce(max(id), 0) + 1 from refresh_tokens').pluck();
    const insert = sqlite.prepare(`insert into refresh_tokens (id, token_hash, legacy, grant_id, client_id,
      created_at, expires_at, rotated_at) values (?, ?, 0, ?, ?, ?, ?, null)`);
    const run = sqlite.transaction((rotation: Rotation): Outcome => {
      const { locator } = rotation;
      const row = (locator.id === undefined ? byLegacyHash.get(locator.hash) : byId.get(locator.id)) as
        | RefreshRow
        | undefined;
      const decision = decideRefresh(row, rotation);
      if (decision === 'replayed' && row) revoke.run(rotation.at, row.grant_id);
      if (decision !== 'rotate' || !row) return { failure: decision === 'rotate' ? 'unknown' : decision };
      if (row.rotated_at === null) retire.run(rotation.at, row.id);
      else retireHead.run(rotation.at, row.grant_id);
      const id = nextId.get() as number;
      const newToken = format.issue(id);
      insert.run(
        id,
        sha256Hex(newToken),
        row.grant_id,
        rotation.clientId,
        rotation.at,
        rotation.at + rotation.refreshTtl,
      );
      return { grant: issued(row, newToken) };
    });
    this.sqliteRotationFn = {
      rotate: (rotation) => run.immediate(rotation),
      inTransaction: () => sqlite.inTransaction,
    };
    return this.sqliteRotationFn;
  }

  // ---- revocation and introspection -----------------------------------------------------------

  private async revokeGrantIn(trx: Transaction<Database> | Db, grantId: string, at: number): Promise<void> {
    await trx
      .updateTable('grants')
      .set({ revoked_at: at })
      .where('id', '=', grantId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Revokes a grant: its refresh tokens stop working, its access tokens introspect inactive. */
  async revokeGrant(grantId: string): Promise<void> {
    await this.revokeGrantIn(this.db, grantId, now());
  }

  /** A refresh token's grant and state; callers check `clientId` (RFC 7009 §2.1: only the owner revokes). */
  async findRefreshToken(token: string): Promise<
    | {
        grantId: string;
        clientId: string;
        userId: string;
        scopes: string[];
        active: boolean;
        expiresAt: number;
      }
    | undefined
  > {
    // Not ours (RFC 7009 §2.2, RFC 7662 §2.2: answered like any unknown token), so not looked up (M4).
    const locator = this.locate(this.format ?? (await this.refreshFormat()), token);
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
    const active = row.revoked_at === null && row.rotated_at === null && Number(row.expires_at) > now();
    return {
      grantId: row.grant_id,
      clientId: row.client_id,
      userId: row.user_id,
      scopes: split(row.scopes),
      active,
      expiresAt: Number(row.expires_at),
    };
  }

  /** Whether a grant exists and is not revoked (an ID we cannot have issued is not looked up: inactive). */
  async grantActive(grantId: string): Promise<boolean> {
    if (!hasIssuedShape('grantId', grantId)) return false;
    const row = await this.db
      .selectFrom('grants')
      .select('revoked_at')
      .where('id', '=', grantId)
      .executeTakeFirst();
    return row !== undefined && row.revoked_at === null;
  }

  /**
   * Revokes one access token by `jti` until it would have expired anyway (RFC 7009 §2.1). Revoking a
   * token twice, or from parallel requests, is not an error: the second insert does nothing. Rows past
   * `expires_at` are deleted by the purge (storage/purge.ts).
   */
  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    // A jti we cannot have issued already counts as revoked (see accessTokenRevoked).
    if (!hasIssuedShape('jti', jti)) return;
    await this.db
      .insertInto('revoked_tokens')
      .values({ jti, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
  }

  /**
   * Whether an access token was revoked. A `jti` we cannot have issued is not looked up and counts as
   * revoked: introspection fails closed (RFC 7662 §2.2: inactive) rather than open.
   */
  async accessTokenRevoked(jti: string): Promise<boolean> {
    if (!hasIssuedShape('jti', jti)) return true;
    return (
      (await this.db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst()) !==
      undefined
    );
  }

  // ---- connected apps -------------------------------------------------------------------------

  /** Apps with a live grant from this user (one entry per app). */
  async connectedApps(userId: string): Promise<ConnectedApp[]> {
    const rows = await this.db
      .selectFrom('grants')
      .innerJoin('clients', 'clients.id', 'grants.client_id')
      .select(['grants.client_id', 'clients.name', 'grants.scopes', 'grants.created_at'])
      .where('grants.user_id', '=', userId)
      .where('grants.revoked_at', 'is', null)
      .orderBy('grants.created_at', 'desc')
      .execute();
    const apps = new Map<string, ConnectedApp>();
    for (const row of rows) {
      const app = apps.get(row.client_id);
      if (app) app.scopes = [...new Set([...app.scopes, ...split(row.scopes)])];
      else
        apps.set(row.client_id, {
          clientId: row.client_id,
          name: row.name,
          scopes: split(row.scopes),
          grantedAt: Number(row.created_at),
        });
    }
    return [...apps.values()];
  }

  /** Revokes every grant of this user to this app and forgets the consent. */
  async disconnect(userId: string, clientId: string): Promise<void> {
    // An app ID that cannot exist has nothing to disconnect (PostgreSQL refuses a NUL in text).
    if (!isPossibleClientId(clientId)) return;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('grants')
        .set({ revoked_at: now() })
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .where('revoked_at', 'is', null)
        .execute();
      await trx
        .deleteFrom('consents')
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .execute();
    });
  }
}
