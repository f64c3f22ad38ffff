// Fills a SQLite database for `npm run bench:scale` the way a server writes it: the build's own
// migrations make the schema (tables and indexes), apps are registered through its ClientRepository,
// and grants and refresh tokens are inserted in time order with the server's ID and hashing scheme
// (`gr_` + 128 random bits, ascending refresh-token row IDs, SHA-256 of tokens in the selector +
// verifier format). Bulk inserts run as prepared statements in large transactions.
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const DAY = 86_400;
/** Rows per transaction while filling. */
const BATCH = 50_000;
/** The server's defaults (config.ts): refresh tokens live 14 days, access tokens an hour. */
const REFRESH_TTL = 14 * DAY;

/** The build's compiled server modules the benchmark writes with (its dist, not this checkout's). */
export async function serverModules(root) {
  const load = (path) => import(pathToFileURL(join(root, 'packages/server/dist', path)).href);
  const [database, migrations, clients, random, format, password] = await Promise.all([
    load('storage/database.js'),
    load('storage/migrations.js'),
    load('storage/clients.js'),
    load('tokens/random.js'),
    load('tokens/refresh-token-format.js'),
    load('tokens/password.js'),
  ]);
  return { ...database, ...migrations, ...clients, ...random, ...format, ...password };
}

/**
 * The tokens of the populated grants, recomputed on demand instead of kept: the verifier of row `id`
 * is HMAC(seed, id), the selector the format's own (AES-128 of the row ID under the database's key).
 */
export class TokenBook {
  constructor(format, seed = randomBytes(32)) {
    this.format = format;
    this.seed = seed;
  }

  /** The refresh token of row `id`, in the server's format (selector ‖ 256-bit verifier). */
  token(id) {
    const bytes = Buffer.from(this.format.issue(id), 'base64url');
    createHmac('sha256', this.seed).update(String(id)).digest().copy(bytes, 16);
    return bytes.toString('base64url');
  }
}

/** A small deterministic generator (mulberry32), so a layout does not depend on Math.random. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Populates `file`: `apps` confidential apps (authorization code, refresh token and client credentials),
 * a user per four live grants, `expired` refresh-token rows in chains of `chain` on grants whose last
 * token expired (the oldest rows, as time goes), then `live` grants with one unexpired head each, over
 * apps chosen with a skew (a few popular apps, a long tail) and users at random, with their consents.
 *
 * Returns what the load needs: the apps' credentials, for each live grant its head's row ID (first +
 * index) and its app, and the token book that recomputes each head's token.
 */
export async function populate(mods, file, { live, expired, apps, chain = 4, onProgress = () => {} }) {
  const db = mods.openDatabase(file);
  await mods.migrate(db);
  const repo = new mods.ClientRepository(db);
  const clients = [];
  for (let i = 0; i < apps; i++) {
    const { client, clientSecret } = await repo.create({
      name: `Bench app ${i}`,
      isPublic: false,
      redirectUris: [`https://app${i}.example/cb`],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      scopes: ['data:read'],
    });
    clients.push({
      id: client.id,
      basic: `Basic ${Buffer.from(`${client.id}:${clientSecret}`).toString('base64')}`,
    });
  }
  const sqlite = mods.nativeHandle(db).sqlite;
  const key = sqlite.prepare("select value from instance_secrets where name = 'refresh_token_selector_key'");
  const book = new TokenBook(new mods.RefreshTokenFormat(Buffer.from(key.get().value, 'hex')));
  // Filling only: a large page cache and no syncing (the server opens the file with its own settings).
  sqlite.pragma('cache_size = -1048576');
  sqlite.pragma('synchronous = OFF');

  const now = Math.floor(Date.now() / 1000);
  const random = rng(0x5ca1e);
  const users = Math.max(1, Math.ceil(live / 4));
  const passwordHash = await mods.hashPassword(randomBytes(16).toString('hex'));
  const insertUser = sqlite.prepare(
    'insert into users (id, email, password_hash, created_at) values (?, ?, ?, ?)',
  );
  const userIds = [];
  const inBatches = (count, row) => {
    for (let start = 0; start < count; start += BATCH) {
      sqlite.transaction(() => {
        for (let i = start; i < Math.min(count, start + BATCH); i++) row(i);
      })();
      onProgress();
    }
  };
  inBatches(users, (i) => {
    const id = `usr_${mods.randomToken(12)}`;
    userIds.push(id);
    insertUser.run(id, `user${i}@bench.example`, passwordHash, now - 400 * DAY);
  });

  const insertGrant = sqlite.prepare(
    'insert into grants (id, user_id, client_id, scopes, created_at, revoked_at) values (?, ?, ?, ?, ?, null)',
  );
  const insertConsent = sqlite.prepare(
    'insert or ignore into consents (user_id, client_id, scopes, created_at) values (?, ?, ?, ?)',
  );
  const insertToken = sqlite.prepare(`insert into refresh_tokens (id, token_hash, legacy, grant_id, client_id,
    created_at, expires_at, rotated_at, predecessor_id) values (?, ?, 0, ?, ?, ?, ?, ?, ?)`);
  // A few popular apps and a long tail: app k is chosen with weight about 1 / (k + 1).
  const app = () => Math.min(apps - 1, Math.floor(apps ** random()) - 1);
  const grant = (clientIndex, createdAt) => {
    const id = `gr_${mods.randomToken(16)}`;
    const user = userIds[Math.floor(random() * users)];
    insertGrant.run(id, user, clients[clientIndex].id, 'data:read', createdAt);
    insertConsent.run(user, clients[clientIndex].id, 'data:read', createdAt);
    return id;
  };
  let rowId = 0;
  const token = (grantId, clientIndex, createdAt, rotatedAt, predecessor) => {
    rowId += 1;
    insertToken.run(
      rowId,
      mods.sha256Hex(book.token(rowId)),
      grantId,
      clients[clientIndex].id,
      createdAt,
      createdAt + REFRESH_TTL,
      rotatedAt,
      predecessor,
    );
    return rowId;
  };

  // Expired chains: grants created 60 to 30 days ago, refreshed daily `chain` times, then abandoned.
  inBatches(Math.ceil(expired / chain), (g) => {
    const clientIndex = app();
    const start = now - 60 * DAY + Math.floor((g / Math.ceil(expired / chain)) * 30 * DAY);
    const grantId = grant(clientIndex, start);
    let previous = null;
    const length = Math.min(chain, expired - g * chain);
    for (let k = 0; k < length; k++) {
      const createdAt = start + k * DAY;
      previous = token(grantId, clientIndex, createdAt, k < length - 1 ? createdAt + DAY : null, previous);
    }
  });

  // Live grants, created over the last 13 days in time order, each holding one unexpired head.
  const firstLive = rowId + 1;
  const appOf = new Uint16Array(live);
  inBatches(live, (i) => {
    const clientIndex = app();
    appOf[i] = clientIndex;
    const createdAt = now - 13 * DAY + Math.floor((i / live) * 13 * DAY);
    token(grant(clientIndex, createdAt), clientIndex, createdAt, null, null);
  });

  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  await db.destroy();
  return { clients, book, firstLive, appOf, users, rows: rowId };
}
