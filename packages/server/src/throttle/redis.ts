/**
 * Throttle counters in Redis (LATCHKEY_REDIS_URL), shared by every server that names the same Redis.
 * One Lua script per call: Redis runs a script to its end before any other command, so an increment,
 * the expiry it sets and the count it returns are one step (INCR and PEXPIRE never come apart, and no
 * other server's increment falls between them). Windows run on Redis's clock (PTTL).
 */
import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import { type Counter, type CounterStore, NO_COUNT } from './store.js';

/** Every key this store writes starts with this. */
export const REDIS_KEY_PREFIX = 'latchkey:throttle:';

/** Deadline of one call (ms): Redis answers in well under a millisecond when it answers at all. */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;

/**
 * KEYS: the counters; ARGV[1]: `inc`, `dec` or `get`; ARGV[2]: the window (ms) for `inc`. Returns
 * count and remaining ms for each key, flattened. A key without an expiry (never written by this
 * script) is given the window, so no counter can outlive one.
 */
const SCRIPT = `local out = {}
for _, key in ipairs(KEYS) do
  local count, ttl
  if ARGV[1] == 'inc' then
    count = redis.call('INCR', key)
    ttl = redis.call('PTTL', key)
    if ttl < 0 then
      redis.call('PEXPIRE', key, ARGV[2])
      ttl = tonumber(ARGV[2])
    end
  else
    ttl = redis.call('PTTL', key)
    if ttl < 0 then
      count = 0
      ttl = 0
    elseif ARGV[1] == 'dec' then
      count = redis.call('DECR', key)
      if count <= 0 then
        redis.call('DEL', key)
        count = 0
        ttl = 0
      end
    else
      count = tonumber(redis.call('GET', key)) or 0
    end
  end
  out[#out + 1] = count
  out[#out + 1] = ttl
end
return out`;

const SCRIPT_SHA = createHash('sha1').update(SCRIPT).digest('hex');

/** What this store uses of a node-redis client. */
interface Client {
  readonly isOpen: boolean;
  sendCommand(args: string[], options: { timeout: number }): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
}

/** Counters in Redis over one connection of this server's own. */
export class RedisCounterStore implements CounterStore {
  readonly kind = 'redis';

  private constructor(private readonly client: Client) {}

  /**
   * Connects to `url` (`redis://` or `rediss://`), failing after `connectTimeoutMs`: a start with a
   * Redis that cannot be reached fails, as one with an unreachable database does. Once connected, a
   * lost connection is retried in the background while calls fail at once (no offline queue), and
   * `onError` hears why.
   */
  static async connect(
    url: string,
    onError: (error: unknown) => void = () => {},
    connectTimeoutMs = 5_000,
  ): Promise<RedisCounterStore> {
    let connected = false;
    const client = createClient({
      url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: connectTimeoutMs,
        // Before the first connection a failure ends the start; after it, retry with a capped backoff.
        reconnectStrategy: (retries, cause) =>
          connected ? Math.min(50 * 2 ** Math.min(retries, 6), 2_000) : cause,
      },
    });
    client.on('error', onError);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.connect(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${connectTimeoutMs} ms`)),
            connectTimeoutMs,
          );
        }),
      ]);
    } catch (error) {
      if (client.isOpen) client.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    connected = true;
    return new RedisCounterStore(client);
  }

  increment(keys: readonly string[], windowMs: number): Promise<Counter[]> {
    return this.run(keys, 'inc', Math.ceil(windowMs));
  }

  decrement(keys: readonly string[]): Promise<Counter[]> {
    return this.run(keys, 'dec', 0);
  }

  read(keys: readonly string[]): Promise<Counter[]> {
    return this.run(keys, 'get', 0);
  }

  async close(): Promise<void> {
    if (!this.client.isOpen) return;
    await this.client.close().catch(() => this.client.destroy());
  }

  /**
   * Sends a command and waits at most {@link REDIS_COMMAND_TIMEOUT_MS}: node-redis's own timeout only
   * covers a command not yet written, and a hung Redis (stopped, not down) would hold the request.
   */
  private send(args: string[]): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.client.sendCommand(args, { timeout: REDIS_COMMAND_TIMEOUT_MS }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`redis did not answer within ${REDIS_COMMAND_TIMEOUT_MS} ms`)),
          REDIS_COMMAND_TIMEOUT_MS,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** EVALSHA, loading the script with EVAL when this Redis does not have it yet (NOSCRIPT). */
  private async run(keys: readonly string[], op: string, windowMs: number): Promise<Counter[]> {
    if (keys.length === 0) return [];
    const tail = [String(keys.length), ...keys.map((key) => REDIS_KEY_PREFIX + key), op, String(windowMs)];
    let reply: unknown;
    try {
      reply = await this.send(['EVALSHA', SCRIPT_SHA, ...tail]);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
      reply = await this.send(['EVAL', SCRIPT, ...tail]);
    }
    const flat = reply as number[];
    return keys.map((_, i) => {
      const count = Number(flat[2 * i]);
      return count > 0 ? { count, ttlMs: Math.max(0, Number(flat[2 * i + 1])) } : NO_COUNT;
    });
  }
}
