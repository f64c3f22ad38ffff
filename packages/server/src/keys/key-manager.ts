/** Holds the keys in memory for signing and the JWKS, reloading them so rotation reaches every server. */
import type { SigningKey } from './signing-key.js';

/** The keys a server signs with and publishes. */
export interface KeySet {
  active: SigningKey;
  /** Every key in the JWKS: active, next, and retired keys whose tokens may still be valid. */
  published: SigningKey[];
}

/** Where the keys are kept (the database's `signing_keys`, storage/signing-keys.ts). */
export interface KeySource {
  /** Reads the current key set. */
  load(): Promise<KeySet>;
}

/** Signing keys in memory, refreshed in the background. */
export class KeyManager {
  private keys: KeySet;
  private jwks: string;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly repository: KeySource,
    initial: KeySet,
  ) {
    this.keys = initial;
    this.jwks = KeyManager.render(initial);
  }

  /**
   * Loads the keys once and starts reloading every `reloadMs` (a rotation by another process shows up
   * within it). A reload that fails keeps the keys we have (the database briefly away, or a key sealed
   * under a key-encryption key this server lacks) and is passed to `onReloadError`.
   */
  static async start(
    repository: KeySource,
    reloadMs: number,
    onReloadError: (error: unknown) => void = () => {},
  ): Promise<KeyManager> {
    const manager = new KeyManager(repository, await repository.load());
    manager.timer = setInterval(() => {
      manager.reload().catch(onReloadError);
    }, reloadMs);
    manager.timer.unref();
    return manager;
  }

  private static render(keys: KeySet): string {
    return JSON.stringify({ keys: keys.published.map((key) => key.publicJwk) });
  }

  /** Re-reads the key table now. */
  async reload(): Promise<void> {
    const keys = await this.repository.load();
    this.keys = keys;
    this.jwks = KeyManager.render(keys);
  }

  /** The key that signs new tokens. */
  get active(): SigningKey {
    return this.keys.active;
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
