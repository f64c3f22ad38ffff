/**
 * The PostgreSQL rotation. A head presented on the rule's terms (the common case) rotates in one
 * statement, one round trip in autocommit; any other token, or a head that fails its terms, is decided
 * by the rule in a transaction that locks the row while it is read (bench/README.md: the figures).
 */
import { sql } from 'kysely';
import { sha256Hex } from '../../tokens/random.js';
import type { RefreshTokenFormat } from '../../tokens/refresh-token-format.js';
import { splitScopes } from '../columns.js';
import { type Db, nativeHandle } from '../database.js';
import { revokeCompromisedIn } from '../revocations.js';
import { SequenceIdPool } from './id-pool.js';
import {
  decide,
  type HeadTerms,
  type IssuedGrant,
  issued,
  nextIdExpression,
  type Rotation,
  type RotationOutcome,
  whereLocated,
} from './rows.js';

/** Builds the rotation for a PostgreSQL database. */
export function postgresRotation(
  db: Db,
  format: RefreshTokenFormat,
): (rotation: Rotation) => Promise<RotationOutcome> {
  const ids = new SequenceIdPool(db);
  const native = nativeHandle(db);
  const timeoutMs = native?.dialect === 'postgres' ? native.timeoutMs : undefined;
  const decided = lockingRotation(db, format);
  return async (rotation) => {
    const { locator, headTerms } = rotation;
    if (locator.id === undefined || !headTerms) return decided(rotation);
    const id = await ids.take();
    // Past the deadline the caller has answered 503 and the client will retry: a statement that reached
    // a hung server must not rotate when the server resumes (LATCHKEY_REFRESH_RETRY_WINDOW=0 would take
    // the retry for a replay). A transaction is rolled back when its connection ends; one statement in
    // autocommit is not, so it carries the deadline itself, on the database's clock.
    const deadline = timeoutMs === undefined ? null : (Date.now() + timeoutMs) / 1000;
    const grant = await rotateHead(db, format, { ...rotation, deadline }, locator.id, headTerms, id);
    if (grant) return { grant };
    ids.giveBack(id);
    return decided(rotation);
  };
}

/**
 * Rotates the token `presentedId` in one statement if it is its grant's head and the rule's terms hold;
 * `undefined` (nothing written) otherwise. The grant's row is locked first, as the locking rotation
 * locks it, so the two serialize on a grant: a head rotated here is seen rotated by a retry of its
 * predecessor, never rotated from twice (READ COMMITTED rechecks the token row after the wait).
 */
async function rotateHead(
  db: Db,
  format: RefreshTokenFormat,
  rotation: Rotation & { deadline: number | null },
  presentedId: number,
  terms: HeadTerms,
  nextId: number,
): Promise<IssuedGrant | undefined> {
  const newToken = format.issue(nextId);
  const { at } = rotation;
  // The hash compared by SQL: an equality on SHA-256 of a 256-bit secret tells a timing observer
  // nothing usable, as with every hash look-up (RFC 6819 §5.1.4.1.3).
  const { rows } = await sql<{ grant_id: string; user_id: string; scopes: string }>`
    with grant_row as materialized (
      select id, user_id, scopes from grants
      where id = (select grant_id from refresh_tokens where id = ${presentedId}) and revoked_at is null
      for update
    ), retired as (
      update refresh_tokens r set rotated_at = ${at}
      from grant_row g
      where r.id = ${presentedId} and r.grant_id = g.id and r.rotated_at is null
        and r.token_hash = ${rotation.locator.hash} and r.client_id = ${terms.clientId}
        and r.expires_at >= ${at} and string_to_array(g.scopes, ' ') @> ${[...terms.scopes]}::text[]
        and (${rotation.deadline}::float8 is null or clock_timestamp() < to_timestamp(${rotation.deadline}::float8))
      returning r.id, r.grant_id, g.user_id, g.scopes
    ), inserted as (
      insert into refresh_tokens (id, token_hash, legacy, grant_id, client_id, created_at, expires_at,
        rotated_at, predecessor_id)
      select ${nextId}, ${sha256Hex(newToken)}, 0, grant_id, ${rotation.clientId}, ${at},
        ${at + rotation.refreshTtl}, null, id from retired
    )
    select grant_id, user_id, scopes from retired`.execute(db);
  const row = rows[0];
  return (
    row && {
      grantId: row.grant_id,
      userId: row.user_id,
      scopes: splitScopes(row.scopes),
      refreshToken: newToken,
    }
  );
}

/** The rotation that reads the row under lock and lets the rule decide: every case a head's terms do not cover. */
function lockingRotation(
  db: Db,
  format: RefreshTokenFormat,
): (rotation: Rotation) => Promise<RotationOutcome> {
  return (rotation) =>
    db.transaction().execute(async (trx): Promise<RotationOutcome> => {
      // The grant's row first, as the one-statement rotation locks it (rotateHead): two orders of the
      // same two locks would deadlock parallel refreshes of one grant. Then FOR UPDATE on the joined
      // rows, so a row changed while we waited is re-read, not seen as it was before the wait. The
      // next row's ID comes from the sequence in the same round trip.
      await trx
        .selectFrom('grants')
        .select('id')
        .where('id', '=', (eb) =>
          eb
            .selectFrom('refresh_tokens')
            .select('refresh_tokens.grant_id')
            .where(whereLocated(rotation.locator)),
        )
        .forUpdate()
        .execute();
      const stored = await trx
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
          nextIdExpression('postgres').as('next_id'),
        ])
        .where(whereLocated(rotation.locator))
        .forUpdate()
        .executeTakeFirst();
      // A rotated token: was its successor ever presented? Read by a statement of its own, so it sees
      // every rotation of this grant that committed while we waited for the grant's lock.
      const successorUnused =
        stored?.rotated_at != null
          ? (await trx
              .selectFrom('refresh_tokens')
              .select('id')
              .where('grant_id', '=', stored.grant_id)
              .where('rotated_at', 'is', null)
              .where('predecessor_id', '=', stored.id)
              .executeTakeFirst()) !== undefined
          : false;
      const row = stored && { ...stored, successor_unused: successorUnused };
      const decision = decide(row, rotation);
      if (decision === 'replayed' && row) {
        const grant = { grantId: row.grant_id, userId: row.user_id, clientId: row.client_id };
        await revokeCompromisedIn(trx, grant, rotation.at, 'refresh_token_reuse');
      }
      if (decision !== 'rotate' || !row) return { failure: decision === 'rotate' ? 'unknown' : decision };
      const newToken = format.issue(Number(row.next_id));
      const nextId = Number(row.next_id);
      // Retire the head (the presented token, or on a retry or in the grace window the head that
      // replaced it) and insert the new one, answering the presented token, in one round trip.
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
          id: nextId,
          token_hash: sha256Hex(newToken),
          legacy: 0,
          grant_id: row.grant_id,
          client_id: rotation.clientId,
          created_at: rotation.at,
          expires_at: rotation.at + rotation.refreshTtl,
          rotated_at: null,
          predecessor_id: row.id,
        })
        .execute();
      return { grant: issued(row, newToken) };
    });
}
