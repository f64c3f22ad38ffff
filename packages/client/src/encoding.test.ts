// Unit tests of wire encodings and PKCE.

import { describe, expect, it } from 'vitest';
import { base64url, basicCredentials, formEncode, randomString } from './encoding.js';
import { codeChallengeS256, generateCodeVerifier } from './pkce.js';

describe('encoding', () => {
  it('base64url has no padding and uses the URL alphabet', () => {
    expect(base64url(new Uint8Array([0xfb, 0xff, 0xfe]))).toBe('-__-');
    expect(base64url(new Uint8Array([1]))).toBe('AQ');
  });

  it('randomString carries 256 bits by default', () => {
    expect(randomString()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomString()).not.toBe(randomString());
  });

  it('form-encodes like application/x-www-form-urlencoded', () => {
    expect(formEncode('a b+c:d%é')).toBe('a+b%2Bc%3Ad%25%C3%A9');
  });

  it('form-encodes id and secret before base64 (RFC 6749 §2.3.1)', () => {
    const header = basicCredentials('my app', 'p@ss:wörd+');
    expect(header.startsWith('Basic ')).toBe(true);
    expect(atob(header.slice(6))).toBe('my+app:p%40ss%3Aw%C3%B6rd%2B');
  });
});

describe('pkce', () => {
  it('matches the RFC 7636 appendix B example', async () => {
    expect(await codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('generates 43-character verifiers', () => {
    expect(generateCodeVerifier()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
