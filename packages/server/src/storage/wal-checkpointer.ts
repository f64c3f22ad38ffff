/**
 * Background checkpoints of a SQLite database's write-ahead log, for a server's connection.
 *
 * A commit that finds the log past `wal_autocheckpoint` pages (10,000) copies every page the log
 * changed back into the database file and syncs the log and the file, on the event loop, every
 * request waiting meanwhile. On a small database a rotation changes the same few pages over and over,
 * so the copy is short, but the sync still writes out the whole 40 MB log (about 50 ms). With a
 * million grants a rotation changes two pages at random (its token's row, and the grant index entry
 * of its successor): 2,500 rotations left 8,400 frames of 5,400 distinct pages, whose checkpoint took
 * 180 to 530 ms, 70 to 85 ms of it the copy and the rest the syncs. That was the refresh p99 at scale
 * (`npm run bench:scale`, bench/README.md).
 *
 * A worker thread (wal-checkpoint-worker.ts) with a connection of its own copies the log as it grows
 * and syncs what it copied (PASSIVE checkpoints, which never block a writer). The server's connection
 * keeps its automatic checkpoint, which then finds only the frames of the worker's last pass left to
 * copy and sync; it stays the one that lets the log start over, since SQLite restarts the log only at
 * the start of a write that finds every frame copied, which under steady writes a checkpoint on
 * another thread never sees (the log grew past 360 MB without it). Should the worker fail, the
 * automatic checkpoint does the whole copy, as it did without the worker.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type CheckpointWorkerData, COUNTER, COUNTER_SLOTS } from './wal-checkpoint-worker.js';

/** What the background checkpoints have done so far. */
export interface WalCheckpointStats {
  /** Checkpoints run by the worker. */
  passes: number;
  /** Log frames the worker copied into the database file. */
  framesCopied: number;
  /** Checkpoints that failed. */
  failures: number;
  /** Whether the worker is running (false once stopped or if it died). */
  running: boolean;
}

/** A running background checkpointer. */
export interface WalCheckpointer {
  stats(): WalCheckpointStats;
  /** Stops the worker (after the checkpoint it is running) and closes its connection. */
  stop(): Promise<void>;
}

/** How long {@link WalCheckpointer.stop} waits for the worker to close its connection (ms). */
const STOP_TIMEOUT_MS = 5000;

/**
 * Starts background checkpoints of the SQLite database `file` (in WAL mode, already open). The worker
 * paces them to copy about a thousand frames each, at most every `minIntervalMs` (default 5 ms) and at
 * least every `maxIntervalMs` (default 100 ms). The thread never keeps the process alive.
 */
export function startWalCheckpointer(
  file: string,
  options: { minIntervalMs?: number; maxIntervalMs?: number } = {},
): WalCheckpointer {
  const counters = new SharedArrayBuffer(COUNTER_SLOTS * BigInt64Array.BYTES_PER_ELEMENT);
  const data: CheckpointWorkerData = {
    file,
    minIntervalMs: options.minIntervalMs ?? 5,
    maxIntervalMs: options.maxIntervalMs ?? 100,
    counters,
  };
  const worker = new Worker(workerFile(), { workerData: data });
  worker.unref();
  let running = true;
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      running = false;
      resolve();
    });
  });
  // A worker that fails (the file gone, a corrupt log) only ends the background copy.
  worker.on('error', () => {});
  const view = new BigInt64Array(counters);
  const read = (index: number) => Number(Atomics.load(view, index));
  return {
    stats: () => ({
      passes: read(COUNTER.passes),
      framesCopied: read(COUNTER.frames),
      failures: read(COUNTER.failures),
      running,
    }),
    async stop() {
      if (!running) return;
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The compiled worker beside this file; from sources (tests), the one in dist/. */
function workerFile(): URL {
  const beside = new URL('./wal-checkpoint-worker.js', import.meta.url);
  return existsSync(fileURLToPath(beside))
    ? beside
    : new URL('../../dist/storage/wal-checkpoint-worker.js', import.meta.url);
}
