// Microbenchmark of the SQLite refresh-token rotation transaction in isolation: 20,000 chains,
// 200,000 warm-up rotations, then 50,000 timed. Prints µs per rotation.
//
//   node bench/micro/sqlite-rotation.cjs <variant>
//
// The variant is a dash-separated list of flags. `selector` measures today's schema and statements
// (migration 006, packages/server/src/storage/grants.ts: rows keyed by an ascending integer, found by
// the ID the token's selector carries, one (grant_id, id) index); without it, the schema before
// migration 006 (rows keyed by the token's hash, with the partial head index). Flags for both: ckpt
// (wal_autocheckpoint 10000, as the server does), nockpt (no checkpoints), syncoff (synchronous OFF),
// mmap, cache (64 MB page cache), ps<bytes> (page size). With `selector`: exp (the expiry index
// PostgreSQL keeps). Without it: bgckpt<ms> (checkpoints on a worker thread), nogrant (no full
// grant_id index), noexp (no partial expiry index), composite (one (grant_id, rotated_at) index for
// the two grant indexes), norowid (WITHOUT ROWID table).
// Examples: node bench/micro/sqlite-rotation.cjs ckpt; node bench/micro/sqlite-rotation.cjs selector-ckpt
const D = require('better-sqlite3');
const crypto = require('node:crypto');
const fs = require('node:fs');
const variant = process.argv[2] || 'base';
const file = require('node:path').join(require('node:os').tmpdir(), `latchkey-rotation-${variant}.db`);
for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
const db = new D(file);
const ps = /ps(\d+)/.exec(variant);
if (ps) db.pragma(`page_size = ${ps[1]}`);
db.pragma('journal_mode = WAL');
db.pragma('foreign_keys = ON');
db.pragma('synchronous = NORMAL');
if (variant.includes('nockpt')) db.pragma('wal_autocheckpoint = 0');
else if (variant.includes('ckpt')) db.pragma('wal_autocheckpoint = 10000');
if (variant.includes('syncoff')) db.pragma('synchronous = OFF');
if (variant.includes('mmap')) db.pragma('mmap_size = 268435456');
if (variant.includes('cache')) db.pragma('cache_size = -64000');
const selector = variant.includes('selector');
db.exec(
  selector
    ? selectorSchema()
    : `create table grants (id varchar(64) primary key, user_id text, client_id text, scopes text, revoked_at bigint, created_at bigint);
create table refresh_tokens (token_hash varchar(64) primary key, grant_id varchar(64) not null references grants(id), client_id text, created_at bigint, expires_at bigint, rotated_at bigint)${variant.includes('norowid') ? ' without rowid' : ''};
${variant.includes('nogrant') ? '' : 'create index refresh_tokens_grant on refresh_tokens (grant_id);'}
${variant.includes('composite') ? 'create index refresh_tokens_grant_head on refresh_tokens (grant_id, rotated_at);' : 'create index refresh_tokens_head on refresh_tokens (grant_id) where rotated_at is null;'}
${variant.includes('noexp') ? '' : 'create index refresh_tokens_head_expires on refresh_tokens (expires_at) where rotated_at is null;'}`,
);
const h = (s) => crypto.createHash('sha256').update(s).digest('hex');
function selectorSchema() {
  return `create table grants (id varchar(64) primary key, user_id text, client_id text, scopes text, revoked_at bigint, created_at bigint);
create table refresh_tokens (id integer primary key, token_hash varchar(64) not null, legacy integer not null default 0, grant_id varchar(64) not null references grants(id) on delete cascade, client_id text, created_at bigint, expires_at bigint, rotated_at bigint);
create index refresh_tokens_grant on refresh_tokens (grant_id, id);
create index refresh_tokens_legacy on refresh_tokens (token_hash) where legacy = 1;
${variant.includes('exp') ? 'create index refresh_tokens_expires on refresh_tokens (expires_at);' : ''}`;
}
if (variant.includes('bgckpt')) {
  db.pragma('wal_autocheckpoint = 0');
  const { Worker } = require('node:worker_threads');
  const w = new Worker(
    `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(file)}); db.pragma('synchronous = NORMAL');
    setInterval(() => { db.pragma('wal_checkpoint(PASSIVE)'); }, ${Number((/bgckpt(\d+)/.exec(variant) || [])[1] ?? 50)});`,
    { eval: true },
  );
  w.unref();
}
const N = 20000;
const heads = [];
if (selector) {
  // The statements of storage/grants.ts's SQLite rotation; the token is the row ID plus a verifier
  // (the AES step of tokens/refresh-token-format.ts is left out: about 0.5 µs).
  const insG = db.prepare('insert into grants values (?,?,?,?,null,?)');
  const byId = db.prepare(
    'select r.id, r.token_hash, r.client_id, r.expires_at, r.rotated_at, g.id as grant_id, g.user_id, g.scopes, g.revoked_at from refresh_tokens r join grants g on g.id = r.grant_id where r.id = ?',
  );
  const retire = db.prepare('update refresh_tokens set rotated_at = ? where id = ?');
  const nextId = db.prepare('select coalesce(max(id), 0) + 1 from refresh_tokens').pluck();
  const insert = db.prepare(
    'insert into refresh_tokens (id, token_hash, grant_id, client_id, created_at, expires_at, rotated_at) values (?, ?, ?, ?, ?, ?, null)',
  );
  const issue = (id) => `${id}.${crypto.randomBytes(32).toString('base64url')}`;
  db.transaction(() => {
    for (let i = 0; i < N; i++) {
      const g = `gr_${crypto.randomBytes(16).toString('base64url')}`;
      insG.run(g, 'u', 'c', 'data:read', 1);
      const id = nextId.get();
      const t = issue(id);
      insert.run(id, h(t), g, 'c', 1, 2e9);
      heads.push([id, t]);
    }
  })();
  const rot = db.transaction((id, token) => {
    const row = byId.get(id);
    if (row.token_hash !== h(token)) throw new Error('verifier mismatch');
    retire.run(5, id);
    const next = nextId.get();
    const t = issue(next);
    insert.run(next, h(t), row.grant_id, 'c', 5, 2e9);
    return [next, t];
  });
  const runSelector = (n) => {
    for (let i = 0; i < n; i++) {
      const k = (i * 7919) % N;
      heads[k] = rot.immediate(...heads[k]);
    }
  };
  runSelector(200000);
  const t0 = process.hrtime.bigint();
  runSelector(50000);
  const us = Number(process.hrtime.bigint() - t0) / 50000 / 1000;
  console.log(variant.padEnd(28), us.toFixed(1), 'µs/rotation (incl. 2 sha256 + randomBytes)');
  process.exit(0);
}
const ins = db.prepare('insert into refresh_tokens values (?,?,?,?,?,null)');
const insG = db.prepare('insert into grants values (?,?,?,?,null,?)');
db.transaction(() => {
  for (let i = 0; i < N; i++) {
    const g = `gr_${crypto.randomBytes(16).toString('base64url')}`;
    insG.run(g, 'u', 'c', 'data:read', 1);
    const t = crypto.randomBytes(32).toString('base64url');
    ins.run(h(t), g, 'c', 1, 2e9);
    heads.push(t);
  }
})();
// grow chains to a realistic size: 200k rotated rows
const select = db.prepare(
  'select r.client_id, r.expires_at, r.rotated_at, g.id as grant_id, g.user_id, g.scopes, g.revoked_at from refresh_tokens r join grants g on g.id = r.grant_id where r.token_hash = ?',
);
const retire = db.prepare(
  'update refresh_tokens set rotated_at = ? where grant_id = ? and rotated_at is null',
);
const rot = db.transaction((t, nt) => {
  const row = select.get(h(t));
  retire.run(5, row.grant_id);
  ins.run(h(nt), row.grant_id, 'c', 5, 2e9);
});
function run(n) {
  for (let i = 0; i < n; i++) {
    const k = i % N;
    const nt = crypto.randomBytes(32).toString('base64url');
    rot.immediate(heads[k], nt);
    heads[k] = nt;
  }
}
run(200000);
const t0 = process.hrtime.bigint();
run(50000);
const us = Number(process.hrtime.bigint() - t0) / 50000 / 1000;
console.log(variant.padEnd(28), us.toFixed(1), 'µs/rotation (incl. 2 sha256 + randomBytes)');
