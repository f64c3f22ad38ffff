/**
 * Which addresses a request the server makes on a developer's word (a URI they registered) must not
 * reach: loopback, private, link-local (cloud metadata at 169.254.169.254), shared, benchmarking,
 * multicast and reserved addresses, the special-purpose ones of RFC 6890 that lead into the server's
 * own network rather than to the internet. An IPv6 address that carries an IPv4 one (mapped, compatible,
 * NAT64, 6to4) is judged by the IPv4 address, which is where it leads.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
 * @see https://www.rfc-editor.org/rfc/rfc6890#section-2.2.2
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { ipv6Groups } from './ip-key.js';

/** IPv4 ranges refused, with the registry entry each comes from. */
const PRIVATE_IPV4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network" (RFC 791); 0.0.0.0 reaches the host itself
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // shared address space, carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback (RFC 1122 §3.2.1.3)
  ['169.254.0.0', 16], // link-local (RFC 3927): cloud metadata services
  ['172.16.0.0', 12], // private (RFC 1918)
  ['192.0.0.0', 24], // IETF protocol assignments (RFC 6890)
  ['192.168.0.0', 16], // private (RFC 1918)
  ['198.18.0.0', 15], // benchmarking (RFC 2544)
  ['224.0.0.0', 3], // multicast 224/4, reserved 240/4 and broadcast 255.255.255.255
];

/** IPv6 ranges refused (those carrying an IPv4 address are judged by it, see {@link embeddedIpv4}). */
const PRIVATE_IPV6: readonly (readonly [string, number])[] = [
  ['::', 128], // unspecified (RFC 4291 §2.5.2)
  ['::1', 128], // loopback (RFC 4291 §2.5.3)
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['fc00::', 7], // unique local (RFC 4193)
  ['fe80::', 10], // link-local (RFC 4291 §2.5.6)
  ['fec0::', 10], // site-local, deprecated (RFC 3879)
  ['2001::', 32], // Teredo (RFC 4380): tunnels to an IPv4 address the server cannot judge
  ['ff00::', 8], // multicast (RFC 4291 §2.7)
];

const IPV4_LIST = new BlockList();
for (const [network, prefix] of PRIVATE_IPV4) IPV4_LIST.addSubnet(network, prefix, 'ipv4');
const IPV6_LIST = new BlockList();
for (const [network, prefix] of PRIVATE_IPV6) IPV6_LIST.addSubnet(network, prefix, 'ipv6');

/** The dotted IPv4 address two 16-bit groups hold. */
function dotted(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/**
 * The IPv4 address an IPv6 address leads to, if it carries one: IPv4-mapped `::ffff:a.b.c.d` and
 * IPv4-compatible `::a.b.c.d` (RFC 4291 §2.5.5), IPv4-translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` (RFC 6052 §2.1) and 6to4
 * `2002:AABB:CCDD::` (RFC 3056 §2).
 */
function embeddedIpv4(groups: readonly number[]): string | undefined {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const zeroUntil = (end: number) => groups.slice(0, end).every((g) => g === 0);
  if (zeroUntil(5) && (g5 === 0xffff || g5 === 0)) return dotted(g6, g7);
  // IPv4-translated `::ffff:0:a.b.c.d` (RFC 2765 §2.1, SIIT).
  if (zeroUntil(4) && g4 === 0xffff && g5 === 0) return dotted(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return dotted(g6, g7);
  if (g0 === 0x2002) return dotted(g1, g2);
  return undefined;
}

/**
 * Whether `address` is an IP address in a private or special-purpose range (the tables above). It takes
 * an address as a resolver or a URL gives it (IPv6 without brackets, a zone allowed); anything that is
 * not an IP address counts as private, so a caller that passes a host name by mistake refuses it.
 */
export function isPrivateAddress(address: string): boolean {
  if (isIPv4(address)) return IPV4_LIST.check(address, 'ipv4');
  if (!isIPv6(address)) return true;
  const zone = address.indexOf('%');
  const groups = ipv6Groups((zone === -1 ? address : address.slice(0, zone)).toLowerCase());
  if (groups === undefined) return true;
  if (IPV6_LIST.check(groups.map((g) => g.toString(16)).join(':'), 'ipv6')) return true;
  const ipv4 = embeddedIpv4(groups);
  return ipv4 !== undefined && IPV4_LIST.check(ipv4, 'ipv4');
}

/**
 * What makes a URL's host private, for a message, or `undefined` when it may be public: `localhost`
 * and names under it (RFC 6761 §6.3: they resolve to loopback), or an IP literal in a private range.
 * `hostname` is a WHATWG URL's, which has already turned `0x7f.1` and `2130706433` into `127.0.0.1`
 * and `[::ffff:127.0.0.1]` into `[::ffff:7f00:1]`. Any other name is judged only once resolved.
 */
export function privateHost(hostname: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return host;
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if ((isIPv4(literal) || isIPv6(literal)) && isPrivateAddress(literal)) return literal;
  return undefined;
}
