/**
 * Worker thread body: copies a SQLite database's write-ahead log back into the database file on a
 * connection of its own (storage/wal-checkpointer.ts says why).
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

/** What the thread is started with. */
export interface CheckpointWorkerData {
  file: string;
  /** Shortest and longest wait between two checkpoints (ms). */
  minIntervalMs: number;
  maxIntervalMs: number;
  /** Counters shared with the server's thread (BigInt64Array, indexes {@link COUNTER}). */
  counters: SharedArrayBuffer;
}

/** Indexes of the shared counters. */
export const COUNTER = {
  /** Checkpoints run. */
  passes: 0,
  /** Frames this thread copied into the database file. */
  frames: 1,
  /** Checkpoints that failed (the server's own checkpoints carry on). */
  failures: 2,
} as const;

/** Slots in the shared counters. */
export const COUNTER_SLOTS = 3;

/**
 * Frames each checkpoint aims to copy: the wait before the next one is set from how fast the log grew
 * since the last. Fewer, and a page written by many commits is copied and synced over and over: on a
 * small database a checkpoint every 10 ms cost refresh about a fifth of its throughput (A/B on the
 * two-core test machine), a thousand frames nothing measurable. More, and the server's own checkpoint
 * finds more left to copy.
 */
const TARGET_FRAMES = 1000;

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

function run(data: CheckpointWorkerData): void {
  const counters = new BigInt64Array(data.counters);
  const db = new SQLite(data.file, { fileMustExist: true });
  // A checkpoint syncs the log before copying it and the database after, as the server's own does.
  db.pragma('synchronous = NORMAL');
  // PASSIVE: copies what no reader still needs and never waits for a lock; the server's commits go on.
  // Never RESTART or FULL here: those hold the write lock while they wait for readers, and the
  // server's connection, waiting for that lock in its busy handler on the event loop, stalled for
  // 300 to 660 ms (tried).
  const copy = db.prepare('pragma wal_checkpoint(PASSIVE)');
  // SQLite syncs the database file only after a checkpoint that copied the whole log, which under
  // steady writes is the server's own: that sync would then flush every page copied here since the
  // last one, on the event loop (120 ms at a million grants). Pages copied here are synced here.
  const fd = openSync(data.file, 'r+');
  let interval = data.minIntervalMs;
  let last: CheckpointRow = { busy: 0, log: 0, checkpointed: 0 };
  let timer: NodeJS.Timeout | undefined;
  let lastAt = performance.now();
  const step = () => {
    try {
      const row = copy.get() as CheckpointRow;
      Atomics.add(counters, COUNTER.passes, 1n);
      // -1: it could not run (the server's connection was checkpointing); try again at the same pace.
      if (row.log >= 0) {
        // A shorter log, or less of it copied, started over in between: count from its start.
        const startedOver = row.log < last.log || row.checkpointed < last.checkpointed;
        const fresh = row.log - (startedOver ? 0 : last.log);
        const copied = row.checkpointed - (startedOver ? 0 : last.checkpointed);
        if (copied > 0) {
          fsyncSync(fd);
          Atomics.add(counters, COUNTER.frames, BigInt(copied));
        }
        last = row;
        // The log's growth since the last checkpoint sets the pace for the next one.
        const now = performance.now();
        const perMs = fresh / Math.max(1, now - lastAt);
        lastAt = now;
        interval = Math.min(data.maxIntervalMs, Math.max(data.minIntervalMs, TARGET_FRAMES / perMs));
      }
    } catch {
      Atomics.add(counters, COUNTER.failures, 1n);
      interval = data.maxIntervalMs;
    }
    timer = setTimeout(step, interval);
  };
  parentPort?.on('message', (message: 'stop') => {
    if (message !== 'stop') return;
    clearTimeout(timer);
    db.close();
    closeSync(fd);
    parentPort?.close();
  });
  step();
}

// Imported on the server's thread for COUNTER and the types only.
if (!isMainThread) run(workerData as CheckpointWorkerData);
