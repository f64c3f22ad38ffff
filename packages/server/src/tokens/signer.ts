/** Where signatures are computed: inline on the event loop, or batched on a worker thread. */
import { sign } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SigningKey } from '../keys/signing-key.js';
import type { SignBatch, SignResult, WorkerKey } from './sign-worker.js';

/** Computes JWS signatures (base64url) over signing inputs. */
export interface Signer {
  sign(key: SigningKey, signingInput: string): Promise<string>;
  close(): Promise<void>;
}

/** Signs synchronously on the calling thread. */
export class InlineSigner implements Signer {
  async sign(key: SigningKey, signingInput: string): Promise<string> {
    return sign(key.digest, Buffer.from(signingInput), key.signOptions).toString('base64url');
  }
  async close(): Promise<void> {}
}

type Pending = { resolve: (signature: string) => void; reject: (error: Error) => void };

/**
 * Inputs after which a batch goes to the worker at once rather than at the end of the event-loop turn.
 * A turn may read 50 refresh requests, each ~45 µs of SQLite on the event loop: without this, the
 * worker idled through all 50 rotations and the event loop then idled through 50 signatures. Sending
 * every 16 lets both work at once (refresh on SQLite +7 % in the bench; client credentials, where a
 * turn's work is short, unchanged; 2 and 4 were slower: the message cost is paid too often).
 */
const EAGER_BATCH = 16;

/**
 * Signs on a worker thread. Requests that arrive in the same event-loop turn go over as one message
 * (several, of {@link EAGER_BATCH} each, in a long turn), so the per-message cost is shared; the event
 * loop meanwhile parses, looks up and writes other requests.
 */
export class WorkerSigner implements Signer {
  private worker: Worker;
  private sent = new Set<string>();
  private queue = new Map<string, { inputs: string[]; pending: Pending[] }>();
  private readonly inFlight = new Map<number, { pending: Pending[]; left: number }>();
  private scheduled = false;
  private closed = false;
  private nextBatch = 0;

  constructor() {
    this.worker = this.spawn();
  }

  /** Starts the worker; if it ever dies, pending signatures fail and the next one starts a new worker. */
  private spawn(): Worker {
    const worker = new Worker(workerFile());
    worker.on('message', ({ batch, offset = 0, signatures, error }: SignResult) => {
      const entry = this.inFlight.get(batch);
      if (!entry) return;
      if (!signatures) {
        this.inFlight.delete(batch);
        for (const p of entry.pending) p.reject(new Error(error ?? 'signing failed'));
      } else {
        for (const [i, signature] of signatures.entries()) entry.pending[offset + i]?.resolve(signature);
        entry.left -= signatures.length;
        if (entry.left <= 0) this.inFlight.delete(batch);
      }
      if (this.inFlight.size === 0) worker.unref();
    });
    const fail = (error: Error) => {
      for (const { pending } of this.inFlight.values()) for (const p of pending) p.reject(error);
      this.inFlight.clear();
      if (this.worker === worker && !this.closed) {
        this.worker = this.spawn();
        this.sent = new Set();
      }
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('signing worker exited')));
    // An idle worker never holds the process open (a server that failed to start must exit); one with
    // signatures in flight does (post). Last: adding a 'message' listener refs the port again.
    worker.unref();
    return worker;
  }

  sign(key: SigningKey, signingInput: string): Promise<string> {
    if (!this.sent.has(key.kid)) {
      const message: WorkerKey = { kid: key.kid, digest: key.digest, key: key.privateKey };
      if (key.alg === 'ES256') message.dsaEncoding = 'ieee-p1363';
      this.worker.postMessage({ key: message });
      this.sent.add(key.kid);
    }
    return new Promise((resolve, reject) => {
      let entry = this.queue.get(key.kid);
      if (!entry) {
        entry = { inputs: [], pending: [] };
        this.queue.set(key.kid, entry);
      }
      entry.inputs.push(signingInput);
      entry.pending.push({ resolve, reject });
      if (entry.inputs.length >= EAGER_BATCH) {
        this.queue.delete(key.kid);
        this.post(key.kid, entry);
        return;
      }
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = new Map();
    for (const [kid, entry] of queue) this.post(kid, entry);
  }

  private post(kid: string, { inputs, pending }: { inputs: string[]; pending: Pending[] }): void {
    const batch = this.nextBatch++;
    if (this.inFlight.size === 0) this.worker.ref();
    this.inFlight.set(batch, { pending, left: pending.length });
    this.worker.postMessage({ batch, kid, inputs } satisfies SignBatch);
  }

  /** Lets signatures already asked for finish (up to `drainMs`), then stops the worker. */
  async close(drainMs = 5000): Promise<void> {
    const deadline = Date.now() + drainMs;
    while ((this.inFlight.size > 0 || this.queue.size > 0 || this.scheduled) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    this.closed = true;
    await this.worker.terminate();
  }
}

/** The compiled worker beside this file; from sources (tests), the one in dist/. */
function workerFile(): URL {
  const beside = new URL('./sign-worker.js', import.meta.url);
  return existsSync(fileURLToPath(beside))
    ? beside
    : new URL('../../dist/tokens/sign-worker.js', import.meta.url);
}
