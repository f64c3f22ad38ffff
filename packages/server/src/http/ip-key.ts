/**
 * The client address as a throttling key. One host (or one customer of an ISP) usually holds a whole
 * IPv6 /64 (RFC 4291 §2.5.4: interface IDs are 64 bits; RFC 6177 §3 assigns end sites /56 or /48), so
 * keying IPv6 on the full address would give an attacker 2^64 fresh counters. IPv6 is therefore keyed on
 * its /64 prefix; IPv4, and IPv4-mapped IPv6 (RFC 4291 §2.5.5.2, how a dual-stack socket reports an
 * IPv4 peer), on the full IPv4 address, so both spellings of one IPv4 client share one counter.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Longest non-address value kept (a bad X-Forwarded-For entry); cutting only merges counters. */
const MAX_OTHER_LENGTH = 100;

/** The eight 16-bit groups of an IPv6 address (without zone), or undefined when it is not one. */
export function ipv6Groups(address: string): number[] | undefined {
  // A dotted IPv4 tail (`::ffff:1.2.3.4`, `64:ff9b::1.2.3.4`) is the last two groups, written in hex.
  const lastColon = address.lastIndexOf(':');
  const dotted = address.slice(lastColon + 1);
  let text = address;
  if (isIPv4(dotted)) {
    const [a, b, c, d] = dotted.split('.').map(Number) as [number, number, number, number];
    text = `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  const known = head.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
  const groups = [...head, ...Array<number>(8 - known).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/**
 * The key a client address is throttled under: the dotted address for IPv4 and IPv4-mapped IPv6,
 * `<first four groups>::/64` for other IPv6 (lowercase, zone dropped), and for anything else (only a
 * trusted proxy's malformed X-Forwarded-For can produce that) the value percent-encoded, so a key
 * never holds a space and never looks like an address.
 * @see https://www.rfc-editor.org/rfc/rfc4291#section-2.5.5.2
 */
export function ipKey(address: string): string {
  if (isIPv4(address)) return address;
  if (isIPv6(address)) {
    const zone = address.indexOf('%');
    const groups = ipv6Groups((zone === -1 ? address : address.slice(0, zone)).toLowerCase());
    if (groups) {
      // RFC 4291 §2.5.5.2: ::ffff:a.b.c.d is the IPv4 client a.b.c.d.
      if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
        const [high, low] = groups.slice(6) as [number, number];
        return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
      }
      return `${groups
        .slice(0, 4)
        .map((g) => g.toString(16))
        .join(':')}::/64`;
    }
  }
  return `?${encodeURIComponent(address.slice(0, MAX_OTHER_LENGTH))}`;
}
