/**
 * Repository for signing keys and their life cycle: next -> active -> retired -> dropped. Private keys
 * are stored sealed under the key-encryption key (keys/key-encryption.ts); rows from before migration
 * 007 are sealed by {@link SigningKeyRepository.rewrap}, which every start runs.
 */
import type { JsonWebKey } from 'node:crypto';
import { SqliteAdapter, sql } from 'kysely';
import type { Keyring } from '../keys/key-encryption.js';
import type { KeySet, KeySource } from '../keys/key-manager.js';
import {
  generateSigningKey,
  importSigningKey,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
  type SigningKey,
} from '../keys/signing-key.js';
import { unixNow } from './columns.js';
import type { Db } from './database.js';

/** What {@link SigningKeyRepository.rewrap} did, row by row. */
export interface RewrapCounts {
  /** Rows stored in clear (before migration 007) now sealed under the current KEK. */
  sealed: number;
  /** Rows sealed under a previous KEK now sealed under the current one. */
  rewrapped: number;
  /** Rows already sealed under the current KEK (or, for `clear-only`, under any KEK it opens). */
  unchanged: number;
}

/** A stored row's private key and the KEK that sealed it (null: clear). */
interface PrivateKeyColumns {
  kid: string;
  private_jwk: string;
  kek_id: string | null;
}

/**
 * Signing-key data access. Reading or writing a private key needs the {@link Keyring}; deleting keys
 * (the purge) does not.
 */
export class SigningKeyRepository implements KeySource {
  constructor(
    private readonly db: Db,
    private readonly keyring?: Keyring,
  ) {}

  private get keys(): Keyring {
    if (!this.keyring) throw new Error('the signing keys need the key-encryption key to be read or written');
    return this.keyring;
  }

  /** The private JWK of a row: opened under its KEK, or parsed from a clear row. */
  private privateJwk(row: PrivateKeyColumns): JsonWebKey {
    if (row.kek_id !== null) return this.keys.open(row.kid, row.kek_id, row.private_jwk);
    try {
      return JSON.parse(row.private_jwk) as JsonWebKey;
    } catch {
      // JSON.parse quotes the text it fails on: never let a key reach a message.
      throw new Error(`signing key ${row.kid}: the stored private key is not a JWK`);
    }
  }

  private async insert(alg: SigningAlgorithm, state: 'next' | 'active'): Promise<void> {
    const { key, privateJwk } = generateSigningKey(alg);
    const { kekId, sealed } = this.keys.seal(key.kid, privateJwk);
    await this.db
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        alg,
        state,
        private_jwk: sealed,
        kek_id: kekId,
        public_jwk: JSON.stringify(key.publicJwk),
        created_at: unixNow(),
        publish_until: null,
      })
      .execute();
  }

  /**
   * Seals private keys under the current KEK: rows in clear always, and with `all` the rows sealed
   * under a previous KEK too (`latchkey keys rewrap`); a start runs `clear-only`, so servers that do
   * not know the current KEK yet keep opening the rest during a KEK rotation. Every row is opened
   * before any is written: with a wrong KEK this throws KeyDecryptionError (keys/key-encryption.ts)
   * and changes nothing, so keys never end up sealed under two different KEKs. Idempotent; several
   * processes may run it at once (each row is replaced only if it is still as read).
   *
   * On SQLite the replaced bytes are zeroed (`secure_delete`) and the WAL emptied into the file
   * afterwards, so neither the file nor its WAL keeps the clear key (test/key-encryption-upgrade.test.ts reads
   * the bytes). PostgreSQL keeps the old row version until VACUUM, and its WAL archives and any backup
   * keep what they held: rotate the signing keys after sealing keys that were stored in clear.
   */
  async rewrap(scope: 'all' | 'clear-only'): Promise<RewrapCounts> {
    const keys = this.keys;
    const sqlite = this.db.getExecutor().adapter instanceof SqliteAdapter;
    const counts: RewrapCounts = { sealed: 0, rewrapped: 0, unchanged: 0 };
    await this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('signing_keys')
        .select(['kid', 'private_jwk', 'kek_id'])
        .orderBy('kid')
        .execute();
      const opened = rows.map((row) => ({ row, jwk: this.privateJwk(row) }));
      const stale = opened.filter(
        ({ row }) => row.kek_id === null || (scope === 'all' && row.kek_id !== keys.current.id),
      );
      counts.unchanged = rows.length - stale.length;
      if (stale.length === 0) return;
      const previous = sqlite
        ? await sql<{ secure_delete: number }>`pragma secure_delete`.execute(trx)
        : undefined;
      if (sqlite) await sql`pragma secure_delete = on`.execute(trx);
      try {
        for (const { row, jwk } of stale) {
          const { kekId, sealed } = keys.seal(row.kid, jwk);
          const result = await trx
            .updateTable('signing_keys')
            .set({ private_jwk: sealed, kek_id: kekId })
            .where('kid', '=', row.kid)
            .where((eb) => (row.kek_id === null ? eb('kek_id', 'is', null) : eb('kek_id', '=', row.kek_id)))
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) === 0) counts.unchanged++;
          else if (row.kek_id === null) counts.sealed++;
          else counts.rewrapped++;
        }
      } finally {
        if (previous) {
          const mode = Number(previous.rows[0]?.secure_delete ?? 0);
          await sql.raw(`pragma secure_delete = ${mode}`).execute(trx);
        }
      }
    });
    // The replaced pages were written to the WAL: copy them into the file and empty the WAL, so the
    // clear bytes of earlier frames go too. Best effort: a reader of another process may hold it back.
    if (sqlite && counts.sealed + counts.rewrapped > 0) {
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(this.db).catch(() => {});
    }
    return counts;
  }

  /**
   * On first start (and the first after migration 014): for each algorithm, an active key and a
   * pre-published next key. Idempotent.
   */
  async ensure(algs: readonly SigningAlgorithm[] = SIGNING_ALGORITHMS): Promise<void> {
    for (const alg of algs) {
      for (const state of ['active', 'next'] as const) {
        const live = () =>
          this.db
            .selectFrom('signing_keys')
            .select('kid')
            .where('alg', '=', alg)
            .where('state', '=', state)
            .executeTakeFirst();
        if (await live()) continue;
        try {
          await this.insert(alg, state);
        } catch (error) {
          // Another server inserted it first (unique index signing_keys_one_live): that key serves.
          if (!(await live())) throw error;
        }
      }
    }
  }

  /**
   * Rotates: the pre-published next key becomes active, the active key is retired and stays published
   * for `retireSeconds` (the longest access-token lifetime plus a margin), a new next key is published.
   */
  async rotate(
    alg: SigningAlgorithm,
    retireSeconds: number,
  ): Promise<{ activeKid: string; nextKid: string }> {
    // Opens every key first (a wrong KEK fails here, before a key is sealed under it) and seals clear ones.
    await this.rewrap('clear-only');
    await this.ensure();
    await this.db.transaction().execute(async (trx) => {
      const at = unixNow();
      await trx
        .updateTable('signing_keys')
        .set({ state: 'retired', publish_until: at + retireSeconds })
        .where('state', '=', 'active')
        .execute();
      await trx.updateTable('signing_keys').set({ state: 'active' }).where('state', '=', 'next').execute();
      const inTransaction = new SigningKeyRepository(trx, this.keyring);
      await inTransaction.deleteUnpublished(at);
      for (const each of SIGNING_ALGORITHMS) await inTransaction.insert(each, 'next');
    });
    const rows = await this.db
      .selectFrom('signing_keys')
      .select(['kid', 'state'])
      .where('alg', '=', alg)
      .execute();
    const kid = (state: string) => rows.find((r) => r.state === state)?.kid ?? '';
    return { activeKid: kid('active'), nextKid: kid('next') };
  }

  /**
   * Deletes retired keys past `publish_until`: every token they signed has expired, they are out of the
   * JWKS (RFC 7517 §5), and their private keys serve no purpose any more. Returns how many went.
   */
  async deleteUnpublished(at = unixNow()): Promise<number> {
    const result = await this.db
      .deleteFrom('signing_keys')
      .where('state', '=', 'retired')
      .where('publish_until', '<', at)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * What {@link SigningKeyRepository.load} depends on, without opening a private key: every row's ID,
   * state and KEK, and for retired keys whether they are still published now (one changes state when
   * its `publish_until` passes, with no write).
   */
  async fingerprint(): Promise<string> {
    const at = unixNow();
    const rows = await this.db
      .selectFrom('signing_keys')
      .select(['kid', 'state', 'kek_id', 'publish_until'])
      .orderBy('kid')
      .execute();
    return JSON.stringify(
      rows.map((row) => [
        row.kid,
        row.state,
        row.kek_id,
        row.state === 'retired' ? (row.publish_until ?? 0) >= at : null,
      ]),
    );
  }

  /** Loads the active key and every key that belongs in the JWKS. */
  async load(): Promise<KeySet> {
    const at = unixNow();
    const rows = await this.db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute();
    const published: SigningKey[] = [];
    const active: KeySet['active'] = {};
    for (const row of rows) {
      if (row.state === 'retired' && (row.publish_until ?? 0) < at) continue;
      const key = importSigningKey(row.kid, row.alg as SigningAlgorithm, this.privateJwk(row));
      if (row.state === 'active') active[key.alg] = key;
      published.push(key);
    }
    if (Object.keys(active).length === 0) {
      throw new Error('no active signing key; run `latchkey migrate` and start the server once');
    }
    return { active, published };
  }
}
