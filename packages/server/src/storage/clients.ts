/** Repository for applications (clients) and their hashed secrets. */
import type { Statement } from 'better-sqlite3';
import type { Updateable } from 'kysely';
import type { SigningAlgorithm } from '../keys/signing-key.js';
import { randomToken, sha256Hex } from '../tokens/random.js';
import { type ClientCache, type ClientCacheStats, clientCacheFor } from './client-cache.js';
import type { Client, ClientWithSecrets, SubjectType } from './client-records.js';
import { type ClientRow, toClient } from './client-rows.js';
import { unixNow } from './columns.js';
import { type Db, nativeHandle } from './database.js';
import type { ClientTable } from './schema.js';

export type { Client, ClientWithSecrets } from './client-records.js';

/** What a secret rotation did. */
export interface SecretRotation {
  /** The new secret (shown once, stored only as its hash). */
  secret: string;
  /** When the secrets that worked until now stop (`undefined`: at once, no grace). */
  previousUntil: number | undefined;
  /** The ends (epoch seconds) an earlier rotation's grace had, for each secret this one cut short. */
  cutShort: number[];
}

/** What an update may change; absent members stay as they are (`null` removes a description or homepage). */
export interface ClientChanges {
  name?: string;
  redirectUris?: string[];
  scopes?: string[];
  description?: string | null;
  homepageUrl?: string | null;
  idTokenSignedResponseAlg?: SigningAlgorithm | null;
  subjectType?: SubjectType;
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string | null;
}

/** A secret as the portal lists it: never its value, which was shown once. */
export interface SecretInfo {
  id: string;
  createdAt: number;
  /** `undefined`: valid until the next rotation. */
  expiresAt: number | undefined;
}

/** A secret a rotation retired, as Recent errors tells a developer who still sends it. */
export interface RetiredSecret {
  /** When it stopped working (epoch seconds). */
  expiredAt: number;
  /** When the rotation that retired it made the next secret (epoch seconds), if that one is still kept. */
  rotatedAt: number | undefined;
}

/**
 * How long a secret is kept after it stopped working (s): only so that Recent errors can tell a developer
 * who still sends it that it was rotated (a hash of 256 random bits; the look-up of every token request
 * selects only the secrets that work). The purge deletes it after that.
 */
export const RETIRED_SECRET_KEPT = 30 * 86400;

/** What `createClient` needs. */
export interface NewClient {
  name: string;
  isPublic: boolean;
  /** Default `false`. */
  resourceServer?: boolean;
  redirectUris: string[];
  grantTypes: string[];
  scopes: string[];
  /** Written only when given, so a database before migration 012 takes the rest. */
  description?: string;
  homepageUrl?: string;
  /** OpenID Connect registration (migration 014); written only when given. */
  idTokenSignedResponseAlg?: SigningAlgorithm;
  subjectType?: SubjectType;
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string;
}

/** Client IDs are printable ASCII of at most 255 characters (the column's width). */
const CLIENT_ID_SHAPE = /^[\x21-\x7e]{1,255}$/;

/**
 * Whether a presented client ID could exist. Anything else (NUL, unicode, 10 KB) is answered "no such
 * app" without a query, so it never reaches the database (PostgreSQL refuses a NUL in text).
 */
export function isPossibleClientId(id: string): boolean {
  return CLIENT_ID_SHAPE.test(id);
}

/** The hot-path lookup: a client and its currently valid secret hashes ($1 id, $2 now). */
const FIND_WITH_SECRETS_SQL = `select c.id, c.name, c.is_public, c.redirect_uris, c.grant_types, c.scopes, c.created_at,
  c.is_resource_server, c.id_token_signed_response_alg, c.subject_type, s.secret_hash, s.expires_at as secret_expires_at from clients c
  left join client_secrets s on s.client_id = c.id and (s.expires_at is null or s.expires_at > $2)
  where c.id = $1`;

type SecretRow = ClientRow & { secret_hash: string | null; secret_expires_at: number | string | null };

/** Client data access. */
export class ClientRepository {
  private findStatement: Statement | undefined;
  /**
   * Registrations kept while no other connection has written (SQLite) or for a bounded age
   * (PostgreSQL): storage/client-cache.ts.
   */
  private readonly cache: ClientCache | undefined;

  /**
   * @param cacheSize registrations kept in memory at most (LATCHKEY_CLIENT_CACHE_SIZE), least
   *   recently used first out
   */
  constructor(
    private readonly db: Db,
    cacheSize?: number,
  ) {
    const native = nativeHandle(db);
    this.cache =
      native === undefined
        ? undefined
        : clientCacheFor(db, native.dialect === 'sqlite' ? native.sqlite : undefined, cacheSize);
  }

  /** How the in-memory registration cache has served, or `undefined` (a transaction's repository). */
  cacheStats(): ClientCacheStats | undefined {
    return this.cache?.stats();
  }

  /**
   * Registers a client. Confidential clients get a 256-bit secret, returned once and stored only as
   * its SHA-256 hash.
   */
  async create(input: NewClient): Promise<{ client: Client; clientSecret?: string }> {
    const client: Client = {
      id: `lk_${randomToken(16)}`,
      createdAt: unixNow(),
      ...input,
      resourceServer: input.resourceServer ?? false,
      subjectType: input.subjectType ?? 'public',
      postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
    };
    const clientSecret = input.isPublic ? undefined : randomToken(32);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('clients')
        .values({
          id: client.id,
          name: client.name,
          is_public: client.isPublic ? 1 : 0,
          is_resource_server: client.resourceServer ? 1 : 0,
          redirect_uris: JSON.stringify(client.redirectUris),
          grant_types: JSON.stringify(client.grantTypes),
          scopes: client.scopes.join(' '),
          created_at: client.createdAt,
          ...(client.description !== undefined && { description: client.description }),
          ...(client.homepageUrl !== undefined && { homepage_url: client.homepageUrl }),
          ...(input.idTokenSignedResponseAlg !== undefined && {
            id_token_signed_response_alg: input.idTokenSignedResponseAlg,
          }),
          ...(input.subjectType !== undefined && { subject_type: input.subjectType }),
          ...(input.postLogoutRedirectUris !== undefined && {
            post_logout_redirect_uris: JSON.stringify(input.postLogoutRedirectUris),
          }),
          ...(input.backchannelLogoutUri !== undefined && {
            backchannel_logout_uri: input.backchannelLogoutUri,
          }),
        })
        .execute();
      if (clientSecret !== undefined) {
        await trx
          .insertInto('client_secrets')
          .values({
            id: randomToken(12),
            client_id: client.id,
            secret_hash: sha256Hex(clientSecret),
            created_at: client.createdAt,
            expires_at: null,
          })
          .execute();
      }
    });
    return clientSecret === undefined ? { client } : { client, clientSecret };
  }

  /** Finds a client by ID. */
  async find(id: string): Promise<Client | undefined> {
    if (!isPossibleClientId(id)) return undefined;
    const row = await this.db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toClient(row);
  }

  /**
   * Finds a client with the hashes of its secrets valid at this moment. This runs on every token
   * request, so it is one prepared statement (SQLite: prepared once; PostgreSQL: a named statement)
   * rather than a query built per call; usually no query at all but a cache hit (storage/client-cache.ts:
   * on SQLite until any write elsewhere, on PostgreSQL for at most 2 s). Unknown IDs are never cached.
   */
  async findWithSecrets(id: string): Promise<ClientWithSecrets | undefined> {
    if (!isPossibleClientId(id)) return undefined;
    const nowMs = Date.now();
    const { cache } = this;
    const hit = cache?.get(id, nowMs);
    if (hit) return hit;
    const rows = await this.clientRows(id, Math.floor(nowMs / 1000));
    const first = rows[0];
    if (first === undefined) return undefined;
    const secretHashes = rows.flatMap((row) => (row.secret_hash ? [row.secret_hash] : []));
    const client: ClientWithSecrets = { ...toClient(first), secretHashes };
    if (cache) {
      let until = Number.POSITIVE_INFINITY;
      for (const row of rows) {
        if (row.secret_expires_at !== null) until = Math.min(until, Number(row.secret_expires_at) * 1000);
      }
      cache.set(client, until, nowMs);
    }
    return client;
  }

  private clientRows(id: string, at: number): Promise<SecretRow[]> | SecretRow[] {
    const native = nativeHandle(this.db);
    if (native === undefined) throw new Error('the client look-up needs a database opened by openDatabase');
    if (native.dialect === 'sqlite') {
      // better-sqlite3 binds positionally: $2 (now) comes before $1 (id) in the text.
      this.findStatement ??= native.sqlite.prepare(FIND_WITH_SECRETS_SQL.replace(/\$\d/g, '?'));
      return this.findStatement.all(at, id) as SecretRow[];
    }
    return native.pool
      .query({ name: 'latchkey_find_client', text: FIND_WITH_SECRETS_SQL, values: [id, at] })
      .then((result) => result.rows);
  }

  /**
   * Marks a confidential app as a resource server (or not): it may then introspect tokens issued to
   * other apps. Returns whether a confidential app with this ID exists.
   */
  async setResourceServer(id: string, resourceServer: boolean): Promise<boolean> {
    const result = await this.db
      .updateTable('clients')
      .set({ is_resource_server: resourceServer ? 1 : 0 })
      .where('id', '=', id)
      .where('is_public', '=', 0)
      .executeTakeFirst();
    this.cache?.delete(id);
    return Number(result.numUpdatedRows) > 0;
  }

  /** Lists every client, oldest first. */
  async list(only?: readonly string[]): Promise<Client[]> {
    if (only?.length === 0) return [];
    const rows = await this.db
      .selectFrom('clients')
      .selectAll()
      .$if(only !== undefined, (q) => q.where('id', 'in', only as string[]))
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toClient);
  }

  /** Counts clients (first-start detection). */
  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('clients')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Issues a new secret. Secrets valid now keep working for `graceSeconds` at most (0: they stop at
   * once), so one still in the grace of an earlier rotation that would have lasted longer is cut short.
   * Returns the new secret, once, and what changed; `undefined` if the client does not exist or is public.
   */
  async rotateSecret(id: string, graceSeconds: number): Promise<SecretRotation | undefined> {
    const client = await this.find(id);
    if (!client || client.isPublic) return undefined;
    const secret = randomToken(32);
    const at = unixNow();
    const until = at + graceSeconds;
    const cutShort = await this.db.transaction().execute(async (trx) => {
      // Secrets of an earlier rotation still in their grace, which this rotation ends sooner.
      const shortened = await trx
        .selectFrom('client_secrets')
        .select('expires_at')
        .where('client_id', '=', id)
        .where('expires_at', '>', Math.max(at, until))
        .orderBy('expires_at')
        .execute();
      await trx
        .updateTable('client_secrets')
        .set({ expires_at: until })
        .where('client_id', '=', id)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', until)]))
        .execute();
      await trx
        .deleteFrom('client_secrets')
        .where('client_id', '=', id)
        .where('expires_at', '<=', at - RETIRED_SECRET_KEPT)
        .execute();
      await trx
        .insertInto('client_secrets')
        .values({
          id: randomToken(12),
          client_id: id,
          secret_hash: sha256Hex(secret),
          created_at: at,
          expires_at: null,
        })
        .execute();
      return shortened.map((row) => Number(row.expires_at));
    });
    // After the commit: a lookup while the transaction ran may have cached a half-written state.
    this.cache?.delete(id);
    return { secret, previousUntil: graceSeconds > 0 ? until : undefined, cutShort };
  }

  /**
   * The app's secret with this SHA-256 if it has stopped working (kept {@link RETIRED_SECRET_KEPT}
   * after), with when the rotation that retired it happened; `undefined` if it is no such secret.
   */
  async retiredSecret(id: string, hash: string): Promise<RetiredSecret | undefined> {
    const row = await this.db
      .selectFrom('client_secrets')
      .select(['created_at', 'expires_at'])
      .where('client_id', '=', id)
      .where('secret_hash', '=', hash)
      .where('expires_at', '<=', unixNow())
      .executeTakeFirst();
    if (row?.expires_at === null || row?.expires_at === undefined) return undefined;
    const next = await this.db
      .selectFrom('client_secrets')
      .select((eb) => eb.fn.min<number | string | null>('created_at').as('at'))
      .where('client_id', '=', id)
      .where('created_at', '>=', Number(row.created_at))
      .where('secret_hash', '<>', hash)
      .executeTakeFirst();
    const rotatedAt = next?.at === null || next?.at === undefined ? undefined : Number(next.at);
    return { expiredAt: Number(row.expires_at), rotatedAt };
  }

  /** Deletes a client and its secrets. Returns whether it existed. */
  async delete(id: string): Promise<boolean> {
    if (!isPossibleClientId(id)) return false;
    const existed = await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('client_secrets').where('client_id', '=', id).execute();
      const result = await trx.deleteFrom('clients').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
    this.cache?.delete(id);
    return existed;
  }

  /**
   * Changes an app's name, redirect URIs, scopes, description or homepage (validated by the caller);
   * `false` if there is none.
   */
  async update(id: string, changes: ClientChanges): Promise<boolean> {
    if (!isPossibleClientId(id)) return false;
    const set: Updateable<ClientTable> = {};
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.redirectUris !== undefined) set.redirect_uris = JSON.stringify(changes.redirectUris);
    if (changes.scopes !== undefined) set.scopes = changes.scopes.join(' ');
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.homepageUrl !== undefined) set.homepage_url = changes.homepageUrl;
    if (changes.idTokenSignedResponseAlg !== undefined) {
      set.id_token_signed_response_alg = changes.idTokenSignedResponseAlg;
    }
    if (changes.subjectType !== undefined) set.subject_type = changes.subjectType;
    if (changes.postLogoutRedirectUris !== undefined) {
      set.post_logout_redirect_uris = JSON.stringify(changes.postLogoutRedirectUris);
    }
    if (changes.backchannelLogoutUri !== undefined) set.backchannel_logout_uri = changes.backchannelLogoutUri;
    if (Object.keys(set).length === 0) return (await this.find(id)) !== undefined;
    const result = await this.db.updateTable('clients').set(set).where('id', '=', id).executeTakeFirst();
    this.cache?.delete(id);
    return Number(result.numUpdatedRows) > 0;
  }

  /** The secrets of an app that still work: the current one first, then by when they stop, latest first. */
  async secrets(id: string): Promise<SecretInfo[]> {
    const rows = await this.db
      .selectFrom('client_secrets')
      .select(['id', 'created_at', 'expires_at'])
      .where('client_id', '=', id)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', unixNow())]))
      .execute();
    const stops = (row: { expires_at: number | null }) =>
      row.expires_at === null ? Infinity : Number(row.expires_at);
    rows.sort((a, b) => stops(b) - stops(a) || Number(b.created_at) - Number(a.created_at));
    return rows.map((row) => ({
      id: row.id,
      createdAt: Number(row.created_at),
      expiresAt: row.expires_at === null ? undefined : Number(row.expires_at),
    }));
  }
}
