import { spawnSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKey, SIGNING_ALGORITHMS } from '../keys/signing-key.js';
import { InlineSigner, WorkerSigner } from './signer.js';

describe.each([
  ['inline', () => new InlineSigner()],
  ['worker', () => new WorkerSigner()],
] as const)('%s signer', (_name, make) => {
  const signer = make();
  afterAll(() => signer.close());

  it.each(SIGNING_ALGORITHMS)('%s signatures verify with the public key, also 200 at once', async (alg) => {
    const { key } = generateSigningKey(alg);
    const inputs = Array.from({ length: 200 }, (_, i) => `${key.encodedHeader}.payload-${i}`);
    const signatures = await Promise.all(inputs.map((input) => signer.sign(key, input)));
    const publicKey = createPublicKey(key.privateKey);
    signatures.forEach((signature, i) => {
      const options = alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
      expect(
        verify(key.digest, Buffer.from(inputs[i] as string), options, Buffer.from(signature, 'base64url')),
      ).toBe(true);
    });
    if (alg === 'ES256') expect(Buffer.from(signatures[0] as string, 'base64url')).toHaveLength(64);
  });

  it('keeps signatures with their inputs when two keys interleave in one turn (batches go out every 16)', async () => {
    const keys = [generateSigningKey('ES256').key, generateSigningKey('ES256').key];
    const jobs = Array.from({ length: 100 }, (_, i) => ({
      key: keys[i % 2] as (typeof keys)[0],
      input: `in-${i}`,
    }));
    const signatures = await Promise.all(jobs.map(({ key, input }) => signer.sign(key, input)));
    jobs.forEach(({ key, input }, i) => {
      const options = { key: createPublicKey(key.privateKey), dsaEncoding: 'ieee-p1363' as const };
      const signature = Buffer.from(signatures[i] as string, 'base64url');
      expect(verify(key.digest, Buffer.from(input), options, signature)).toBe(true);
    });
  });
});

describe('worker signer lifetime', () => {
  it('does not keep the process alive when idle, before or after signing (a failed start must exit)', () => {
    const signer = new URL('../../dist/tokens/signer.js', import.meta.url).href;
    const keys = new URL('../../dist/keys/signing-key.js', import.meta.url).href;
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-signer-'));
    const script = join(dir, 'idle.mjs');
    // A file, not -e: the worker inherits the parent's exec arguments.
    writeFileSync(
      script,
      `const { WorkerSigner } = await import(${JSON.stringify(signer)});
      const { generateSigningKey } = await import(${JSON.stringify(keys)});
      new WorkerSigner();
      const used = new WorkerSigner();
      const { key } = generateSigningKey('ES256');
      console.log((await used.sign(key, 'input')).length);
      `,
    );
    try {
      const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 10_000 });
      expect(run.stderr).toBe('');
      expect(run.signal).toBeNull();
      expect(run.status).toBe(0);
      // A signature still in flight keeps it alive until it arrives (86 characters: ES256).
      expect(run.stdout.trim()).toBe('86');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
