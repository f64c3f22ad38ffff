/**
 * Readers of signing keys at rest for the key-encryption tests: a fresh KEK and every form its key
 * could be printed in, the private members of a JWK, the rows of signing_keys, and the bytes of a
 * SQLite file or a pg_dump in which no private key may appear in clear.
 */
import { execFileSync } from 'node:child_process';
import type { JsonWebKey } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { KeyEncryptionKey } from '../../src/keys/key-encryption.js';
import { type Db, openDatabase } from '../../src/storage/database.js';
import { findPostgresBinaries } from './postgres-binaries.js';

/** A KEK as the variable takes it, and every form its key could be printed in (none may be). */
export function newKek(id?: string) {
  const key = randomBytes(32);
  const text = `${id ? `${id}:` : ''}${key.toString('base64url')}`;
  return {
    text,
    id: KeyEncryptionKey.parse(text).id,
    forms: ['base64url', 'base64', 'hex'].map((f) => key.toString(f as BufferEncoding)),
  };
}

/** The private members of a JWK: what must never be stored or shown in clear. */
export function privateParts(jwk: JsonWebKey): string[] {
  return (['d', 'p', 'q', 'dp', 'dq', 'qi'] as const).flatMap((name) =>
    jwk[name] ? [jwk[name] as string] : [],
  );
}

/** A row of signing_keys as these tests read it. */
export interface KeyRow {
  kid: string;
  state: string;
  private_jwk: string;
  kek_id: string | null;
}

/** The rows of signing_keys in kid order. */
export async function keyRows(db: Db): Promise<KeyRow[]> {
  return db
    .selectFrom('signing_keys')
    .select(['kid', 'state', 'private_jwk', 'kek_id'])
    .orderBy('kid')
    .execute();
}

/** Reads the rows of a database no process holds open. */
export async function rowsOf(url: string): Promise<KeyRow[]> {
  const db = openDatabase(url);
  try {
    return await keyRows(db);
  } finally {
    await db.destroy();
  }
}

/** The SQLite file and its WAL and shared-memory files as they are on disk now. */
export function sqliteBytes(file: string): string {
  return ['', '-wal', '-shm']
    .filter((suffix) => existsSync(`${file}${suffix}`))
    .map((suffix) => readFileSync(`${file}${suffix}`).toString('latin1'))
    .join('\n');
}

/** What pg_dump (beside the harness's PostgreSQL binaries) writes of a database. */
export function pgDump(url: string): string {
  const postgres = findPostgresBinaries()?.postgres;
  const binary = postgres && join(dirname(postgres), 'pg_dump');
  if (!binary || !existsSync(binary)) throw new Error('pg_dump is missing beside the PostgreSQL binaries');
  const dump = execFileSync(binary, ['--dbname', url], { encoding: 'utf8' });
  expect(dump).toContain('COPY public.signing_keys');
  return dump;
}
