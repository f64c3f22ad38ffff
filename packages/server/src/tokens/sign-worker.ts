/** Worker thread body: signs batches of JWS signing inputs so the event loop never waits on ECDSA. */
import { type KeyObject, sign } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

/** A key the worker signs with, sent once per key. */
export interface WorkerKey {
  kid: string;
  digest: string | null;
  key: KeyObject;
  dsaEncoding?: 'ieee-p1363';
}

/** One batch: signing inputs for one key. */
export interface SignBatch {
  batch: number;
  kid: string;
  inputs: string[];
}

/** Signatures for part of a batch, starting at `offset`; or the batch's error. */
export interface SignResult {
  batch: number;
  offset?: number;
  signatures?: string[];
  error?: string;
}

/** Signatures per answer message: small enough to overlap, large enough to share the message cost. */
const CHUNK = 8;

const keys = new Map<string, WorkerKey>();

parentPort?.on('message', (message: { key: WorkerKey } | SignBatch) => {
  if ('key' in message) {
    keys.set(message.key.kid, message.key);
    return;
  }
  const key = keys.get(message.kid);
  if (!key) {
    parentPort?.postMessage({ batch: message.batch, error: `unknown key ${message.kid}` });
    return;
  }
  const options = key.dsaEncoding ? { key: key.key, dsaEncoding: key.dsaEncoding } : key.key;
  const { batch, inputs } = message;
  // Answers go back in small chunks, so the event loop writes the first responses while the rest
  // of the batch is still being signed instead of both threads taking turns to idle.
  for (let offset = 0; offset < inputs.length; offset += CHUNK) {
    const signatures = inputs
      .slice(offset, offset + CHUNK)
      .map((input) => sign(key.digest, Buffer.from(input), options).toString('base64url'));
    parentPort?.postMessage({ batch, offset, signatures } satisfies SignResult);
  }
});
