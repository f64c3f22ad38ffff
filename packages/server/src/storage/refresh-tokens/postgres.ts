/** The PostgreSQL rotation: one transaction of two round trips, the row locked while it is decided. */
import { sha256Hex } from '../../tokens/random.js';
import type { RefreshTokenFormat } from '../../tokens/refresh-token-format.js';
import type { Db } from '../database.js';
import { revokeCompromisedIn } from '../revocations.js';
import {
  decide,
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
  return (rotation) =>
    db.transaction().execute(async (trx): Promise<RotationOutcome> => {
      // FOR UPDATE locks the grant (serializing changes to it) and the token row, so a row changed
      // while we waited is re-read, not seen as it was before the wait. The next row's ID comes from
      // the sequence in the same round trip.
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
