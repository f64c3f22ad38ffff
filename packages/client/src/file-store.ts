// FileStore (Node only): tokens in one JSON file, atomic writes, mode 0600, a cross-process lock file.

import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { StoredToken, TokenStore } from './token-store.js';

/** Options of {@link FileStore}. */
export interface FileStoreOptions {
  /** A lock older than this whose owner cannot be checked is stale; default 60 000 ms. */
  staleLockMs?: number | undefined;
  /** Give up waiting for the lock after this long; default 120 000 ms. */
  lockTimeoutMs?: number | undefined;
}

interface LockOwner {
  host: string;
  pid: number;
  nonce: string;
  time: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !isErrno(error, 'ESRCH');
  }
}

/**
 * Keeps tokens in a JSON file readable only by its owner (mode 0600). Writes go to a temporary file
 * that is renamed over the old one, so readers never see half a file. `lock()` holds `<path>.lock`
 * (created exclusively), so processes on one machine sharing the file renew a token once. A lock
 * whose process is gone, or older than `staleLockMs`, is broken.
 * Import from `@latchkey/client/file-store`.
 * @see https://www.rfc-editor.org/rfc/rfc6819#section-5.1.6
 */
export class FileStore implements TokenStore {
  /** The token file. */
  readonly path: string;
  readonly #lockPath: string;
  readonly #staleLockMs: number;
  readonly #lockTimeoutMs: number;
  readonly #held = new AsyncLocalStorage<boolean>();
  #queue: Promise<unknown> = Promise.resolve();

  /** @param path the token file (its directory is created, mode 0700) @param options lock timings */
  constructor(path: string, options: FileStoreOptions = {}) {
    if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
    this.path = path;
    this.#lockPath = `${path}.lock`;
    this.#staleLockMs = options.staleLockMs ?? 60_000;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 120_000;
  }

  /** Returns the token saved under `key`, if any. */
  async get(key: string): Promise<StoredToken | undefined> {
    return (await this.#read())[key];
  }

  /** Saves `token` under `key` (atomically, under the lock unless already held). */
  async set(key: string, token: StoredToken): Promise<void> {
    await this.#update((all) => {
      all[key] = token;
    });
  }

  /** Removes what is saved under `key`. */
  async delete(key: string): Promise<void> {
    await this.#update((all) => {
      delete all[key];
    });
  }

  /**
   * Runs `fn` holding the file lock (one holder per machine for this file; calls inside one process queue).
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.4
   */
  lock<T>(_key: string, fn: () => Promise<T>): Promise<T> {
    if (this.#held.getStore()) return fn();
    const run = async () => {
      const owner = await this.#acquire();
      try {
        return await this.#held.run(true, fn);
      } finally {
        await this.#release(owner);
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #update(change: (all: Record<string, StoredToken>) => void): Promise<void> {
    await this.lock('', async () => {
      const all = await this.#read();
      change(all);
      await this.#write(all);
    });
  }

  async #read(): Promise<Record<string, StoredToken>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.path, 'utf8'));
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, StoredToken>) : {};
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return {};
      throw error;
    }
  }

  async #write(all: Record<string, StoredToken>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(all));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
  }

  async #acquire(): Promise<LockOwner> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const owner: LockOwner = {
      host: hostname(),
      pid: process.pid,
      nonce: randomBytes(12).toString('hex'),
      time: Date.now(),
    };
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      try {
        await writeFile(this.#lockPath, JSON.stringify(owner), { flag: 'wx', mode: 0o600 });
        return owner;
      } catch (error) {
        if (!isErrno(error, 'EEXIST')) throw error;
      }
      await this.#breakIfStale();
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${this.#lockPath}`);
      await sleep(wait + Math.random() * wait);
    }
  }

  /** Breaks a lock whose owner died or that is too old; never breaks a lock taken meanwhile. */
  async #breakIfStale(): Promise<void> {
    let text: string;
    let mtime: number;
    try {
      [text, mtime] = await Promise.all([
        readFile(this.#lockPath, 'utf8'),
        stat(this.#lockPath).then((s) => s.mtimeMs),
      ]);
    } catch {
      return; // gone already, or being replaced: just retry
    }
    let owner: Partial<LockOwner> = {};
    try {
      owner = JSON.parse(text) as Partial<LockOwner>;
    } catch {
      // A lock written half-way: judge it by age only.
    }
    // A pid means something only on this host (containers sharing a volume have their own pids).
    const local = owner.host === hostname() && typeof owner.pid === 'number' && owner.pid !== process.pid;
    const dead = local && !processAlive(owner.pid as number);
    if (!dead && Date.now() - mtime < this.#staleLockMs) return;
    // Rename is atomic: of several breakers one wins; check it took the lock it judged stale.
    const aside = `${this.#lockPath}.${randomBytes(6).toString('hex')}.stale`;
    try {
      await rename(this.#lockPath, aside);
    } catch {
      return;
    }
    const taken = await readFile(aside, 'utf8').catch(() => '');
    if (taken !== text) await link(aside, this.#lockPath).catch(() => undefined); // a fresh lock: put it back
    await unlink(aside).catch(() => undefined);
  }

  async #release(owner: LockOwner): Promise<void> {
    const text = await readFile(this.#lockPath, 'utf8').catch(() => '');
    if (text === JSON.stringify(owner)) await unlink(this.#lockPath).catch(() => undefined);
  }
}
