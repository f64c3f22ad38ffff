/** Holds the keys in memory for signing and the JWKS, reloading them so rotation reaches every server. */
import type { SigningAlgorithm, SigningKey } from './signing-key.js';

/** The keys a server signs with and publishes. */
export interface KeySet {
  /** The key that signs, per algorithm: one active key for each (migration 014). */
  active: Partial<Record<SigningAlgorithm, SigningKey>>;
  /** Every key in the JWKS: active, next, and retired keys whose tokens may still be valid. */
  published: SigningKey[];
}

/** Where the keys are kept (the database's `signing_keys`, storage/signing-keys.ts). */
export interface KeySource {
  /** Reads the current key set. */
  load(): Promise<KeySet>;
  /**
   * A cheap summary of the key set {@link KeySource.load} would return now (IDs, states, KEKs, which
   * retired keys are still published): equal summaries mean nothing to reload.
   */
  fingerprint(): Promise<string>;
}

/**
 * How long a key set that failed to load (a key sealed under a KEK this server lacks) waits before it
 * is tried again, unless it changes meanwhile: the failure is reported once per try, not every check.
 */
export const FAILED_LOAD_RETRY_MS = 30_000;

/** Signing keys in memory, refreshed in the background. */
export class KeyManager {
  private keys: KeySet;
  private jwks: string;
  private timer: NodeJS.Timeout | undefined;
  /** The source's fingerprint when the keys held were read. */
  private fingerprint: string;
  /** A check or reload under way: the next tick does not start another. */
  private checking = false;
  /** The fingerprint whose load last failed, and when: retried after {@link FAILED_LOAD_RETRY_MS}. */
  private failed: { fingerprint: string; at: number } | undefined;

  private constructor(
    private readonly repository: KeySource,
    private readonly accessAlg: SigningAlgorithm,
    initial: KeySet,
    fingerprint: string,
  ) {
    this.keys = initial;
    this.jwks = KeyManager.render(initial);
    this.fingerprint = fingerprint;
  }

  /**
   * Loads the keys once, then every `reloadMs` reads the source's fingerprint (a few short rows) and
   * reloads when it changed, so a rotation, a retired key leaving the JWKS or a re-sealing by another
   * process reaches this one within `reloadMs` plus one read (test/multi-instance.test.ts: within 5 s).
   * A check that fails keeps the keys we have (the database briefly away, or a key sealed under a
   * key-encryption key this server lacks), is passed to `onReloadError`, and is tried again.
   * Access tokens are signed with the active key of `accessAlg` (LATCHKEY_SIGNING_ALG).
   */
  static async start(
    repository: KeySource,
    reloadMs: number,
    onReloadError: (error: unknown) => void = () => {},
    accessAlg: SigningAlgorithm = 'ES256',
  ): Promise<KeyManager> {
    const fingerprint = await repository.fingerprint();
    const manager = new KeyManager(repository, accessAlg, await repository.load(), fingerprint);
    manager.timer = setInterval(() => {
      manager.reloadIfChanged().catch(onReloadError);
    }, reloadMs);
    manager.timer.unref();
    return manager;
  }

  /** Reloads if the source's fingerprint differs from the one of the keys held. */
  async reloadIfChanged(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const fingerprint = await this.repository.fingerprint();
      if (fingerprint === this.fingerprint) return;
      const { failed } = this;
      if (failed?.fingerprint === fingerprint && Date.now() - failed.at < FAILED_LOAD_RETRY_MS) return;
      try {
        await this.load(fingerprint);
        this.failed = undefined;
      } catch (error) {
        this.failed = { fingerprint, at: Date.now() };
        throw error;
      }
    } finally {
      this.checking = false;
    }
  }

  private static render(keys: KeySet): string {
    return JSON.stringify({ keys: keys.published.map((key) => key.publicJwk) });
  }

  /** Re-reads the key table now. */
  async reload(): Promise<void> {
    await this.load(await this.repository.fingerprint());
  }

  /**
   * Loads the keys and remembers `fingerprint`, read before them: a change after that read is seen by
   * the next check, never lost. A load that fails leaves both as they were.
   */
  private async load(fingerprint: string): Promise<void> {
    const keys = await this.repository.load();
    this.keys = keys;
    this.jwks = KeyManager.render(keys);
    this.fingerprint = fingerprint;
  }

  /** The key that signs new access tokens (LATCHKEY_SIGNING_ALG). */
  get active(): SigningKey {
    return this.activeFor(this.accessAlg);
  }

  /**
   * The active key of `alg`: an app's ID tokens are signed with the algorithm it registered
   * (OIDC Core §3.1.3.7, `id_token_signed_response_alg`), every algorithm having its own key.
   */
  activeFor(alg: SigningAlgorithm): SigningKey {
    const key = this.keys.active[alg];
    if (!key) throw new Error(`no active ${alg} signing key; start the server once to create one`);
    return key;
  }

  /** A published key by `kid` (active, next or retired), for verifying our own tokens. */
  find(kid: string): SigningKey | undefined {
    return this.keys.published.find((key) => key.kid === kid);
  }

  /** The JWKS document (RFC 7517 §5), public members only, serialized once per reload. */
  get jwksJson(): string {
    return this.jwks;
  }

  /** Stops background reloading. */
  stop(): void {
    clearInterval(this.timer);
  }
}
