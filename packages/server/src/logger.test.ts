import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

/** The JSON lines a logger wrote. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger('debug', stream) };
}

describe('the logger', () => {
  it('redacts credentials wherever they are', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        req: { headers: { authorization: 'Basic c2VjcmV0', cookie: 'lk_session=secret' } },
        body: { code: 'the-code', client_secret: 'the-secret', refresh_token: 'the-token' },
        query: { code: 'query-code', code_verifier: 'the-verifier' },
        form: { code: 'form-code', access_token: 'the-access-token' },
        password: 'hunter2',
      },
      'line',
    );
    const text = JSON.stringify(lines);
    const secrets = ['c2VjcmV0', 'lk_session=secret', 'the-code', 'the-secret', 'the-token', 'hunter2'];
    secrets.push('query-code', 'the-verifier', 'form-code', 'the-access-token');
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({ body: { code: '[redacted]' }, password: '[redacted]' });
  });

  it("keeps a logged error's code readable", () => {
    const { lines, logger } = capture();
    logger.warn({ err: Object.assign(new Error('aborted'), { code: 'ECONNRESET' }) }, 'line');
    expect(lines[0]).toMatchObject({ err: { message: 'aborted', code: 'ECONNRESET' } });
  });
});
