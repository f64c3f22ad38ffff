/**
 * A resolver for outbound requests, which may be told to let them reach only public addresses. Given
 * as the `lookup` of `http.request` / `https.request`, it is how the socket gets its address, so the
 * address checked is the address connected to: a name that resolves to a public address when checked
 * and to a private one when connected to (DNS rebinding) has no second resolution to exploit. A name
 * is refused when ANY of its addresses is private (http/private-address.ts), not only the one that
 * would be tried first.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isPrivateAddress } from './private-address.js';

/** A host name resolved to an address outbound requests must not reach; nothing was sent. */
export class PrivateAddressError extends Error {
  override readonly name = 'PrivateAddressError';
  /** As Node's network errors have one. */
  readonly code = 'EPRIVATEADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      host === address
        ? `${address} is a private or loopback address: not sent`
        : `${host} resolves to a private or loopback address (${address}): not sent`,
    );
  }
}

/** Resolves a name to all its addresses, as `dns.lookup` with `all: true` (tests give their own). */
export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** `dns.lookup`, the system's resolver (hosts file included), for every address of a name. */
export const systemResolver: Resolver = (hostname, options, callback) =>
  dnsLookup(hostname, options, callback);

/**
 * A `lookup` for `http.request` that resolves with `resolve`. With `refusePrivate` it fails with a
 * {@link PrivateAddressError} when any address is private; otherwise it answers as asked (one address,
 * or all of them for Node's Happy Eyeballs connect), every one of them checked.
 */
export function resolvingLookup(resolve: Resolver, refusePrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '');
        return;
      }
      const refused = refusePrivate ? addresses.find((entry) => isPrivateAddress(entry.address)) : undefined;
      const first = addresses[0];
      if (refused !== undefined) callback(new PrivateAddressError(hostname, refused.address), '');
      else if (first === undefined) {
        const none: NodeJS.ErrnoException = new Error(`no address for ${hostname}`);
        none.code = 'ENOTFOUND';
        callback(none, '');
      } else if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}
