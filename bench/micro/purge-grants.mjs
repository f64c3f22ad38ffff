/**
 * The purge's grants step at scale: LIVE grants holding an unexpired refresh token, first in key order,
 * then ORPHAN grants without one whose access tokens expired. Prints how long one purge run takes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Usage: node bench/micro/purge-grants.mjs [live grants] [orphan grants]   (after npx tsc -b)
const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const { openDatabase, nativeHandle } = await import(`${root}/packages/server/dist/storage/database.js`);
const { migrate } = await import(`${root}/packages/server/dist/storage/migrations.js`);
const { purgeExpired } = await import(`${root}/packages/server/dist/storage/purge.js`);
const dir = mkdtempSync(join(tmpdir(), 'purge-'));
const db = openDatabase(join(dir, 'p.db'));
await migrate(db);
const sqlite = nativeHandle(db).sqlite;
const LIVE = Number(process.argv[2] ?? 100000);
const ORPHAN = Number(process.argv[3] ?? 20000);
const now = Math.floor(Date.now() / 1000);
sqlite.exec(`insert into users (id, email, password_hash, created_at) values ('usr_1','a@x','h',0);
  insert into clients (id, name, is_public, redirect_uris, grant_types, scopes, created_at) values ('lk_1','a',0,'[]','[]','data:read',0);`);
const g = sqlite.prepare(
  'insert into grants (id, user_id, client_id, scopes, created_at, revoked_at) values (?, ?, ?, ?, ?, null)',
);
const r = sqlite.prepare(
  'insert into refresh_tokens (id, token_hash, legacy, grant_id, client_id, created_at, expires_at, rotated_at) values (?, ?, 0, ?, ?, ?, ?, null)',
);
sqlite.transaction(() => {
  let id = 1;
  for (let i = 0; i < LIVE + ORPHAN; i++) {
    const gid = `gr_${String(i).padStart(8, '0')}${i % 3}`;
    g.run(gid, 'usr_1', 'lk_1', 'data:read', now - 86400 * 30);
    // Live grants first in key order (each holds an unexpired refresh token), orphans after them.
    if (i < LIVE) r.run(id++, `h${id}`, gid, 'lk_1', now, now + 86400);
  }
})();
const t0 = performance.now();
const counts = await purgeExpired(db, { accessTokenTtl: 3600 });
console.log(
  `${LIVE} live grants, ${ORPHAN} to purge: ${counts.grants} deleted in ${Math.round(performance.now() - t0)} ms`,
);
await db.destroy();
