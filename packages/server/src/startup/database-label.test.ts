import { describe, expect, it } from 'vitest';
import { databaseLabel } from './database-label.js';

describe('databaseLabel', () => {
  it('names a PostgreSQL URL without its password or query', () => {
    expect(databaseLabel('postgres://u:secret@db.example:5432/app?sslmode=require')).toBe(
      'postgres://u@db.example:5432/app',
    );
  });
  it('never prints a password with an unescaped slash, question mark or hash in it', () => {
    for (const url of ['postgres://u:12/34@h/db', 'postgres://u:a?b@h/db', 'postgres://u:a#b@h/db']) {
      const label = databaseLabel(url);
      expect(label).toBe('the PostgreSQL database (LATCHKEY_DATABASE_URL)');
      expect(label).not.toMatch(/12|34|a\?b|a#b/);
    }
  });
  it('names a SQLite file by its path', () => {
    expect(databaseLabel('/var/lib/latchkey/latchkey.db')).toBe('/var/lib/latchkey/latchkey.db');
  });
});
