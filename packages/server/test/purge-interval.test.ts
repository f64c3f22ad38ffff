/**
 * A running server purges expired rows every LATCHKEY_PURGE_INTERVAL seconds, on SQLite and
 * PostgreSQL: the variable's default, 0 and durations; an expired session disappears without a
 * request and close() stops the timer; with 0 nothing is ever purged.
 */
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { countRows } from './support/attacks.js';
import { dialects, startTestServer } from './support/server.js';

describe('a running server purges every LATCHKEY_PURGE_INTERVAL seconds', () => {
  it('LATCHKEY_PURGE_INTERVAL: default 3600, 0 disables, a duration is accepted', () => {
    expect(loadConfig({}).purgeInterval).toBe(3600);
    expect(loadConfig({ LATCHKEY_PURGE_INTERVAL: '0' }).purgeInterval).toBe(0);
    expect(loadConfig({ LATCHKEY_PURGE_INTERVAL: '15m' }).purgeInterval).toBe(900);
    expect(() => loadConfig({ LATCHKEY_PURGE_INTERVAL: 'often' })).toThrow(/LATCHKEY_PURGE_INTERVAL/);
  });

  it.each(dialects())(
    'on %s: an expired session disappears without a request; close() stops it',
    async (dialect) => {
      const s = await startTestServer(dialect, { LATCHKEY_PURGE_INTERVAL: '1' });
      try {
        const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
        await s.ctx.users.createSession(user.id, -10);
        const live = await s.ctx.users.createSession(user.id, 3600);
        // The first run comes 0.5 to 1.5 s after the start; it logs once every table is done, a moment
        // after the sessions batch commits. Polled until both are seen (a deadline, not a margin).
        await vi.waitFor(
          async () => {
            expect(await countRows(s, 'sessions')).toBe(1);
            expect(s.logs.text).toContain('purged expired rows');
          },
          { timeout: 20_000, interval: 100 },
        );
        expect(await countRows(s, 'sessions')).toBe(1);
        expect(await s.ctx.users.sessionUser(live)).toMatchObject({ id: user.id });
        expect(s.logs.text).toContain('purged expired rows');
        expect(s.logs.text).not.toContain('purge failed');
      } finally {
        await s.close();
      }
    },
  );

  it.each(dialects())('on %s: LATCHKEY_PURGE_INTERVAL=0 never purges', async (dialect) => {
    const s = await startTestServer(dialect, { LATCHKEY_PURGE_INTERVAL: '0' });
    try {
      const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
      await s.ctx.users.createSession(user.id, -10);
      await new Promise((resolve) => setTimeout(resolve, 1600));
      expect(await countRows(s, 'sessions')).toBe(1);
    } finally {
      await s.close();
    }
  });
});
