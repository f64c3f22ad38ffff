/**
 * `latchkey keys rotate`: promote the pre-published key, publish a new next key, retire the old one.
 * `latchkey keys rewrap`: seal every private key under the current key-encryption key.
 */
import { generatedMessage, resolveKeyring } from '../startup/key-encryption.js';
import { SigningKeyRepository } from '../storage/signing-keys.js';
import { out, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';

/**
 * The signing-key repository with this configuration's keyring (a KEK generated now is announced), and
 * the ID of the KEK it seals under.
 */
async function repository(cli: CliContext): Promise<{ keys: SigningKeyRepository; kekId: string }> {
  const { keyring, generated } = resolveKeyring(cli.config);
  if (generated) out(generatedMessage(generated));
  return { keys: new SigningKeyRepository(await cli.db(), keyring), kekId: keyring.current.id };
}

async function rotate(args: string[], cli: CliContext): Promise<void> {
  parse('keys rotate', args, {});
  // The retired key stays in the JWKS until every token it signed has expired (plus the reload lag).
  const reloadSeconds = Math.ceil(cli.config.keyReloadMs / 1000);
  const retireSeconds = cli.config.accessTokenTtl + reloadSeconds + 60;
  const { keys } = await repository(cli);
  const { activeKid, nextKid } = await keys.rotate(cli.config.signingAlg, retireSeconds);
  out(`active key: ${activeKid}`);
  out(`next key:   ${nextKid} (published now, signs after the next rotation)`);
  out(`running servers pick up the change within ${reloadSeconds} s`);
  await cli.recordAdminAction('keys rotate', {
    type: 'key.rotated',
    details: { active_kid: activeKid, next_kid: nextKid, alg: cli.config.signingAlg },
  });
}

/**
 * Re-seals every private key under LATCHKEY_KEY_ENCRYPTION_KEY, opening those sealed under an earlier
 * KEK with LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS, and seals keys still stored in clear. All or nothing:
 * with a key it cannot open it changes nothing. Run again, it finds nothing to do.
 */
async function rewrap(args: string[], cli: CliContext): Promise<void> {
  const { positionals } = parse('keys rewrap', args, {});
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const { keys, kekId } = await repository(cli);
  const { sealed, rewrapped, unchanged } = await keys.rewrap('all');
  out(`re-encrypted from a previous key-encryption key: ${rewrapped}`);
  out(`encrypted, stored in clear before:               ${sealed}`);
  out(`already under the current key-encryption key:    ${unchanged}`);
  await cli.recordAdminAction('keys rewrap', {
    type: 'key.rewrapped',
    details: { kek_id: kekId, sealed, rewrapped, unchanged },
  });
}

/** Dispatches `keys <command>`. */
export async function keysCommand(args: string[], cli: CliContext): Promise<void> {
  const [command, ...rest] = args;
  if (command === 'rotate') return rotate(rest, cli);
  if (command === 'rewrap') return rewrap(rest, cli);
  throw new UsageError(`unknown keys command "${command ?? ''}"; use rotate or rewrap`);
}
