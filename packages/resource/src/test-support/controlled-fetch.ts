// A fetch the test drives: passes through to the loopback server, answers a status, or hangs until let go.
import type { FetchLike } from '../types.js';

/**
 * How the next calls are answered:
 * - `pass`: sent to the loopback authorization server (real fetch, the caller's timeout applies);
 * - a number: answered at once with that HTTP status;
 * - `hang`: never answered, the caller's timeout ignored, until {@link ControlledFetch.release};
 * - `hang-until-timeout`: never answered; fails only when the caller's signal aborts (its timeout).
 */
export type FetchMode = 'pass' | 'hang' | 'hang-until-timeout' | number;

/** Counts every call and lets the test decide how (and whether) each is answered. */
export class ControlledFetch {
  mode: FetchMode = 'pass';
  /** URL of every call, in order. */
  readonly calls: string[] = [];
  /** The caller's signal of every call, in order (to see which ended by the caller's timeout). */
  readonly signals: (AbortSignal | undefined)[] = [];
  /** Calls not settled yet. */
  pending = 0;
  private readonly held: (() => void)[] = [];

  readonly fetch: FetchLike = (url, init) => {
    this.calls.push(url);
    this.signals.push(init.signal ?? undefined);
    this.pending++;
    const answer = this.answer(url, init);
    const settled = () => {
      this.pending--;
    };
    answer.then(settled, settled);
    return answer;
  };

  /** Sends every call held by `hang` to the loopback server: the server answers again. */
  release(): void {
    for (const go of this.held.splice(0)) go();
  }

  private answer(url: string, init: RequestInit): Promise<Response> {
    const mode = this.mode;
    if (mode === 'pass') return fetch(url, init);
    if (typeof mode === 'number') {
      return Promise.resolve(
        new Response('{"error":"server_error"}', {
          status: mode,
          headers: { 'content-type': 'application/json' },
        }),
      );
    }
    return new Promise<Response>((resolve, reject) => {
      if (mode === 'hang') {
        const { signal: _ignored, ...rest } = init;
        this.held.push(() => {
          fetch(url, rest).then(resolve, reject);
        });
        return;
      }
      const signal = init.signal;
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
}
