/** Repository for signing keys and their life cycle: next -> active -> retired -> dropped. */
import type { JsonWebKey } from 'node:crypto';
import type { KeySet, KeySource } from '../keys/key-manager.js';
import {
  generateSigningKey,
  importSigningKey,
  type SigningAlgorithm,
  type SigningKey,
} from '../keys/signing-key.js';
import { unixNow } from './columns.js';
import type { Db } from './database.js';

/** Signing-key data access. */
export class SigningKeyRepository implements KeySource {
  constructor(private readonly db: Db) {}

  private async insert(alg: SigningAlgorithm, state: 'next' | 'active'): Promise<void> {
    const { key, privateJwk } = generateSigningKey(alg);
    await this.db
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        alg,
        state,
        private_jwk: JSON.stringify(privateJwk),
        public_jwk: JSON.stringify(key.publicJwk),
        created_at: unixNow(),
        publish_until: null,
      })
      .execute();
  }

  /** On first start: an active key and a pre-published next key. Idempotent. */
  async ensure(alg: SigningAlgorithm): Promise<void> {
    for (const state of ['active', 'next'] as const) {
      const row = await this.db
        .selectFrom('signing_keys')
        .select('kid')
        .where('state', '=', state)
        .executeTakeFirst();
      if (row) continue;
      try {
        await this.insert(alg, state);
      } catch (error) {
        // Another server inserted it first (unique index signing_keys_one_live): that key serves.
        const again = await this.db
          .selectFrom('signing_keys')
          .select('kid')
          .where('state', '=', state)
          .executeTakeFirst();
        if (!again) throw error;
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
    await this.ensure(alg);
    await this.db.transaction().execute(async (trx) => {
      const at = unixNow();
      await trx
        .updateTable('signing_keys')
        .set({ state: 'retired', publish_until: at + retireSeconds })
        .where('state', '=', 'active')
        .execute();
      await trx.updateTable('signing_keys').set({ state: 'active' }).where('state', '=', 'next').execute();
      const inTransaction = new SigningKeyRepository(trx);
      await inTransaction.deleteUnpublished(at);
      await inTransaction.insert(alg, 'next');
    });
    const rows = await this.db.selectFrom('signing_keys').select(['kid', 'state']).execute();
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

  /** Loads the active key and every key that belongs in the JWKS. */
  async load(): Promise<KeySet> {
    const at = unixNow();
    const rows = await this.db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute();
    const published: SigningKey[] = [];
    let active: SigningKey | undefined;
    for (const row of rows) {
      if (row.state === 'retired' && (row.publish_until ?? 0) < at) continue;
      const key = importSigningKey(
        row.kid,
        row.alg as SigningAlgorithm,
        JSON.parse(row.private_jwk) as JsonWebKey,
      );
      if (row.state === 'active') active = key;
      published.push(key);
    }
    if (!active) throw new Error('no active signing key; run `latchkey migrate` and start the server once');
    return { active, published };
  }
}
