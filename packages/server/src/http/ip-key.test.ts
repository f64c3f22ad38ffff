import { describe, expect, it } from 'vitest';
import { ipKey } from './ip-key.js';

describe('ipKey', () => {
  it('keys IPv4 on the full address', () => {
    expect(ipKey('203.0.113.9')).toBe('203.0.113.9');
    expect(ipKey('127.0.0.1')).toBe('127.0.0.1');
    expect(ipKey('203.0.113.10')).not.toBe(ipKey('203.0.113.9'));
  });

  it('keys IPv4-mapped IPv6 on the IPv4 address, in dotted and in hex form', () => {
    expect(ipKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(ipKey('::FFFF:203.0.113.9')).toBe('203.0.113.9');
    expect(ipKey('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(ipKey('0:0:0:0:0:ffff:cb00:7109')).toBe('203.0.113.9');
    expect(ipKey('::ffff:203.0.113.10')).not.toBe(ipKey('::ffff:203.0.113.9'));
  });

  it('keys IPv6 on its /64, whatever the spelling', () => {
    const key = '2001:db8:1:2::/64';
    expect(ipKey('2001:0db8:0001:0002:0000:0000:0000:0001')).toBe(key);
    expect(ipKey('2001:db8:1:2::1')).toBe(key);
    expect(ipKey('2001:DB8:1:2:ffff:ffff:ffff:fffe')).toBe(key);
    expect(ipKey('2001:db8:1:2:a:b:c:d')).toBe(key);
    expect(ipKey('2001:db8:1:2::a%eth0')).toBe(key);
    expect(ipKey('2001:db8:1:2::203.0.113.9')).toBe(key);
  });

  it('keeps different /64s apart, also when the zeros are compressed in the prefix', () => {
    expect(ipKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(ipKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipKey('2001:db8::1:0:0:1')).toBe('2001:db8:0:0::/64');
    expect(ipKey('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(ipKey('::')).toBe('0:0:0:0::/64');
    expect(ipKey('fe80::1')).toBe('fe80:0:0:0::/64');
  });

  it('keys ::1 on ::/64, apart from IPv4 loopback', () => {
    expect(ipKey('::1')).toBe('0:0:0:0::/64');
    expect(ipKey('::1')).not.toBe(ipKey('127.0.0.1'));
  });

  it('keeps a value that is no address apart from every address, without spaces', () => {
    const key = ipKey('203.0.113.9 lk_app');
    expect(key).not.toContain(' ');
    expect(key).not.toBe('203.0.113.9');
    expect(ipKey('not-an-ip')).toBe('?not-an-ip');
    expect(ipKey('x'.repeat(10_000)).length).toBeLessThanOrEqual(101);
  });
});
