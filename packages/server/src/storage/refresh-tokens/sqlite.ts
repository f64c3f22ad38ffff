/**
 * The SQLite rotation: one synchronous IMMEDIATE transaction of prepared statements (the hot path of a
 * refresh on SQLite; bench/README.md says where its time goes).
 */
import type SQLite from 'better-sqlite3';
import { sha256Hex } from '../../tokens/random.js';
import type { RefreshTokenFormat } from '../../tokens/refresh-token-format.js';
import { AUDIT_INSERT_SQL, auditValues } from '../audit.js';
import type { Db } from '../database.js';
import { compromiseEvents } from '../revocations.js';
import { decide, issued, NEXT_ID_SQL, type RefreshRow, type Rotation, type RotationOutcome } from './rows.js';

/**
 * Builds the rotation for a SQLite database (statements prepared once). Nothing can run on the
 * connection while synchronous code does; only a transaction Kysely left open across an await (a code
 * redemption, a purge batch) is in the way, and then the rotation waits for Kysely's connection like
 * any query (test/concurrency.test.ts).
 */
export function sqliteRotation(
  db: Db,
  sqlite: SQLite.Database,
  format: RefreshTokenFormat,
): (rotation: Rotation) => Promise<RotationOutcome> {
  const columns = `r.id, r.token_hash, r.client_id, r.expires_at, r.rotated_at,
    g.id as grant_id, g.user_id, g.scopes, g.revoked_at from refresh_tokens r join grants g on g.id = r.grant_id`;
  const byId = sqlite.prepare(`select ${columns} where r.id = ?`);
  const byLegacyHash = sqlite.prepare(`select ${columns} where r.token_hash = ? and r.legacy = 1`);
  const revoke = sqlite.prepare('update grants set revoked_at = ? where id = ? and revoked_at is null');
  // RFC 9700 §4.14.2: a reuse also forgets the consent, so the user is asked again (revocations.ts).
  const forgetConsent = sqlite.prepare('delete from consents where user_id = ? and client_id = ?');
  // Its audit events, in the same transaction (revocations.ts compromiseEvents).
  const recordAudit = sqlite.prepare(AUDIT_INSERT_SQL);
  // Whether the grant's head answers this token: its successor was never presented.
  const headAnswers = sqlite
    .prepare('select 1 from refresh_tokens where grant_id = ? and rotated_at is null and predecessor_id = ?')
    .pluck();
  const retire = sqlite.prepare('update refresh_tokens set rotated_at = ? where id = ?');
  const retireHead = sqlite.prepare(
    'update refresh_tokens set rotated_at = ? where grant_id = ? and rotated_at is null',
  );
  // The rightmost key of the table's B-tree: one descent through pages the insert then writes.
  const nextId = sqlite.prepare(`select ${NEXT_ID_SQL.sqlite}`).pluck();
  const insert = sqlite.prepare(`insert into refresh_tokens (id, token_hash, legacy, grant_id, client_id,
    created_at, expires_at, rotated_at, predecessor_id) values (?, ?, 0, ?, ?, ?, ?, null, ?)`);
  const run = sqlite.transaction((rotation: Rotation): RotationOutcome => {
    const { locator } = rotation;
    const row = (locator.id === undefined ? byLegacyHash.get(locator.hash) : byId.get(locator.id)) as
      | RefreshRow
      | undefined;
    // Completed in place: copying the driver's row object cost about 10 µs a rotation and 10 % of
    // refresh throughput (profiled: the rotation's own time 7.5 -> 11.9 µs, garbage collection +2.4 µs).
    if (row) row.successor_unused = row.rotated_at !== null && headAnswers.get(row.grant_id, row.id) === 1;
    const decision = decide(row, rotation);
    if (decision === 'replayed' && row) {
      const revoked = revoke.run(rotation.at, row.grant_id).changes > 0;
      const consentForgotten = forgetConsent.run(row.user_id, row.client_id).changes > 0;
      const grant = { grantId: row.grant_id, userId: row.user_id, clientId: row.client_id };
      for (const event of compromiseEvents(grant, 'refresh_token_reuse', { revoked, consentForgotten })) {
        recordAudit.run(...auditValues(event, rotation.at));
      }
    }
    if (decision !== 'rotate' || !row) return { failure: decision === 'rotate' ? 'unknown' : decision };
    // Retire the head: the presented token, or (a retry, the grace window) the head that replaced it.
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
      row.id,
    );
    return { grant: issued(row, newToken) };
  });
  return async (rotation) =>
    sqlite.inTransaction
      ? db.connection().execute(async () => run.immediate(rotation))
      : run.immediate(rotation);
}
