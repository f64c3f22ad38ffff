import { describe, expect, it } from 'vitest';
import { isPrivateAddress, privateHost } from './private-address.js';

describe('isPrivateAddress', () => {
  it.each([
    // IPv4, each range at its edges
    ['0.0.0.0', true],
    ['0.255.255.255', true],
    ['1.0.0.0', false],
    ['9.255.255.255', false],
    ['10.0.0.5', true],
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    ['100.63.255.255', false],
    ['100.64.0.0', true],
    ['100.127.255.255', true],
    ['100.128.0.0', false],
    ['126.255.255.255', false],
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['128.0.0.0', false],
    ['169.253.255.255', false],
    ['169.254.169.254', true],
    ['169.255.0.0', false],
    ['172.15.255.255', false],
    ['172.16.0.0', true],
    ['172.31.255.255', true],
    ['172.32.0.0', false],
    ['192.0.0.8', true],
    ['192.0.1.0', false],
    ['192.167.255.255', false],
    ['192.168.1.1', true],
    ['192.169.0.0', false],
    ['198.17.255.255', false],
    ['198.18.0.0', true],
    ['198.19.255.255', true],
    ['198.20.0.0', false],
    ['223.255.255.255', false],
    ['224.0.0.1', true],
    ['239.255.255.250', true],
    ['240.0.0.1', true],
    ['255.255.255.255', true],
    ['8.8.8.8', false],
    ['93.184.215.14', false],
    // IPv6
    ['::', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['fc00::1', true],
    ['fd12:3456:789a::1', true],
    ['fe80::1', true],
    ['fe80::1%eth0', true],
    ['febf::1', true],
    ['fec0::1', true],
    ['ff02::1', true],
    ['FF05::2', true],
    ['2001:db8::1', false],
    ['2606:4700:4700::1111', false],
    ['fbff::1', false],
    // IPv4 inside IPv6: judged by the IPv4 address
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::FFFF:a9fe:a9fe', true],
    ['::ffff:10.1.2.3', true],
    ['0:0:0:0:0:ffff:c0a8:101', true],
    ['::ffff:8.8.8.8', false],
    ['::ffff:0:127.0.0.1', true],
    ['::ffff:0:7f00:1', true],
    ['::ffff:0:8.8.8.8', false],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', true],
    ['::ffff:808:808', false],
    ['::127.0.0.1', true],
    ['::7f00:1', true],
    ['64:ff9b::127.0.0.1', true],
    ['64:ff9b::a9fe:a9fe', true],
    ['64:ff9b::8.8.8.8', false],
    ['64:ff9b:1::1', true],
    ['2002:7f00:1::', true],
    ['2002:c0a8:101::1', true],
    ['2002:808:808::1', false],
    // Not an address: refused (fail closed)
    ['localhost', true],
    ['example.com', true],
    ['', true],
  ])('%s: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('privateHost of a URL', () => {
  const hostOf = (uri: string) => privateHost(new URL(uri).hostname);

  it.each([
    // What the WHATWG URL parser makes of tricky spellings, then the judgement.
    ['https://127.0.0.1/bc', '127.0.0.1'],
    ['https://0x7f.1/bc', '127.0.0.1'],
    ['https://2130706433/bc', '127.0.0.1'],
    ['https://0177.0.0.1/bc', '127.0.0.1'],
    ['https://127.1/bc', '127.0.0.1'],
    ['https://127.0.0.1./bc', '127.0.0.1'],
    ['https://%31%32%37.0.0.1/bc', '127.0.0.1'],
    ['https://0/bc', '0.0.0.0'],
    ['https://[::1]/bc', '::1'],
    ['https://[0:0:0:0:0:0:0:1]/bc', '::1'],
    ['https://[::ffff:127.0.0.1]/bc', '::ffff:7f00:1'],
    ['https://[::ffff:169.254.169.254]/bc', '::ffff:a9fe:a9fe'],
    ['https://[64:ff9b::10.0.0.1]/bc', '64:ff9b::a00:1'],
    ['https://[fe80::1]/bc', 'fe80::1'],
    ['https://10.0.0.5/bc', '10.0.0.5'],
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://127.0.0.1:6379/', '127.0.0.1'],
    ['https://localhost/bc', 'localhost'],
    ['https://LOCALHOST./bc', 'localhost'],
    ['https://api.localhost/bc', 'api.localhost'],
  ])('%s is private (%s)', (uri, host) => {
    expect(hostOf(uri)).toBe(host);
  });

  it.each([
    'https://app.example/bc',
    'https://8.8.8.8/bc',
    'https://[2606:4700:4700::1111]/bc',
    // A name is judged when resolved, at delivery.
    'https://127.0.0.1.nip.io/bc',
    'https://localhost.example/bc',
  ])('%s is not judged private here', (uri) => {
    expect(hostOf(uri)).toBeUndefined();
  });
});
