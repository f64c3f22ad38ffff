import { describe, expect, it } from 'vitest';
import { OAuthError } from '../oauth/errors.js';
import { grantScope, parseScope } from '../oauth/scope.js';
import { parseForm } from './form.js';

describe('parseForm', () => {
  it('decodes + and percent-encoding, keeps empty values as omitted', () => {
    const p = parseForm('scope=data%3Aread+data%3Awrite&empty=&flag');
    expect(p.get('scope')).toBe('data:read data:write');
    expect(p.has('empty')).toBe(false);
    expect(p.has('flag')).toBe(false);
  });
  it('keeps bracketed and prototype names as plain strings, never nesting', () => {
    const p = parseForm('a[b]=c&__proto__=x&constructor[prototype]=y');
    expect(p.get('a[b]')).toBe('c');
    expect(p.get('__proto__')).toBe('x');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
  it.each(['a=1&a=', 'a=&a=1', 'a=1&a', 'a&a=1'])(
    '%s: an empty copy is omitted (RFC 6749 §3.1), so it is no repeat whatever the order',
    (body) => {
      expect(parseForm(body)).toEqual(new Map([['a', '1']]));
    },
  );
  it.each(['a=1&a=2', 'a=%ZZ', '%E0%A4%A=1'])('refuses %s with invalid_request', (body) => {
    expect(() => parseForm(body)).toThrow(OAuthError);
    try {
      parseForm(body);
    } catch (e) {
      expect((e as OAuthError).error).toBe('invalid_request');
    }
  });
});

describe('scope', () => {
  it('parses, dedupes and checks RFC 6749 §3.3 characters', () => {
    expect(parseScope(' a  b a ')).toEqual(['a', 'b']);
    expect(() => parseScope('a"b')).toThrow(/invalid character/);
    expect(() => parseScope('a\\b')).toThrow(/invalid character/);
  });
  it('defaults to the allowed set and refuses anything outside it', () => {
    expect(grantScope(undefined, ['x', 'y'])).toEqual(['x', 'y']);
    expect(grantScope('y', ['x', 'y'])).toEqual(['y']);
    expect(() => grantScope('x z', ['x', 'y'])).toThrow(/not allowed.*z/);
  });
});
