/**
 * Generators shared by the fuzz properties: text that stresses a form parser, the ways a name or value
 * is written in a form or a query (RFC 6749 Appendix B), header values, and parameter lists mixing
 * meaningful values with junk, repeats and bad encodings.
 */
import fc from 'fast-check';

/** Pieces that matter to a form parser: separators, escapes (good, truncated, invalid UTF-8), oddities. */
// biome-ignore format: a table of pieces reads better on a few lines
const FORM_PIECES = [
  '&', '=', '+', '%', '%%', '%2', '%ZZ', '%25', '%2B', '%3D', '%26', '%20', '%00', '%0A', '%7F',
  '%C3%A9', '%C3', '%C3%28', '%E2%82', '%ED%A0%80', '%F0%9F%94%91', '%F4%90%80%80', '%FF', '%c3%a9',
  'a', 'Z', '0', ' ', '.', '[', ']', '[]', ';', '#', '?', '/', '\u0000', '\u00e9', '\u{1F511}', '\ud800',
  '__proto__', 'constructor', 'scope', 'client_id', 'grant_type',
];

/** Text built from {@link FORM_PIECES} and any other characters: what a hostile body looks like. */
export const formText = (maxLength = 40): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...FORM_PIECES) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    ),
    maxLength,
  });

/** Any text: every code point, lone surrogate halves included. */
export const anyText = (maxLength = 30): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength });

/** Every UTF-8 byte of a string percent-encoded, hex digits upper or lower case. */
export function percentEveryByte(value: string, lower: boolean): string {
  const hex = [...Buffer.from(value, 'utf8')]
    .map((byte) => `%${byte.toString(16).padStart(2, '0')}`)
    .join('');
  return lower ? hex : hex.toUpperCase();
}

/** How a well-formed name or value is written in a form body or a query string. */
export type Encoding = 'component' | 'form' | 'bytes-upper' | 'bytes-lower';

/** All the ways of {@link Encoding}. */
export const encodings: fc.Arbitrary<Encoding> = fc.constantFrom(
  'component',
  'form',
  'bytes-upper',
  'bytes-lower',
);

/**
 * Writes a well-formed string one of the ways a form may carry it (RFC 6749 Appendix B): percent-encoded
 * with `%20` or with `+` for a space, or every byte percent-encoded. All decode to the same value.
 */
export function encode(value: string, how: Encoding): string {
  if (how === 'component') return encodeURIComponent(value);
  if (how === 'form') return new URLSearchParams([['', value]]).toString().slice(1);
  return percentEveryByte(value, how === 'bytes-lower');
}

/** A string with each lone surrogate half replaced by U+FFFD, so that it can be encoded as UTF-8. */
export function wellFormed(value: string): string {
  return value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** A name or value as written: encoded one of the ways a form allows, or raw (anything, `&` and `%` too). */
function written(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(text, encodings).map(([v, how]) => encode(wellFormed(v), how)) },
    { weight: 1, arbitrary: text },
    { weight: 1, arbitrary: formText(20) },
  );
}

/**
 * Parameters written into one form body or query string, from a pool of names and values that should
 * mix the meaningful ones with junk: about one in five sent twice (with another value), a few bare
 * names without `=`, in any order.
 */
export function paramString(
  names: fc.Arbitrary<string>,
  values: fc.Arbitrary<string>,
  maxParams = 8,
): fc.Arbitrary<string> {
  const one = fc.record({
    name: written(names),
    value: written(values),
    second: written(values),
    repeat: fc.nat(4).map((roll) => roll === 0),
    bare: fc.nat(19).map((roll) => roll === 0),
  });
  return fc
    .array(one, { maxLength: maxParams })
    .map((list) =>
      list.flatMap((p) => {
        const first = p.bare ? p.name : `${p.name}=${p.value}`;
        return p.repeat ? [first, `${p.name}=${p.second}`] : [first];
      }),
    )
    .chain((parts) => fc.shuffledSubarray(parts, { minLength: parts.length, maxLength: parts.length }))
    .map((parts) => parts.join('&'));
}

/**
 * A header value Node would send: visible ASCII, space, tab and obs-text (RFC 9110 §5.5), mostly from
 * `pieces`.
 */
export const headerText = (pieces: string[], maxLength = 40): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...pieces) },
      {
        weight: 1,
        arbitrary: fc
          .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(9))
          .map((code) => String.fromCharCode(code)),
      },
    ),
    maxLength,
  });

/** Content-Type values: the form type in its spellings, other types, malformed ones, none. */
export const contentTypes: fc.Arbitrary<string | undefined> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=UTF-8',
      'APPLICATION/X-WWW-FORM-URLENCODED',
      'application/x-www-form-urlencoded;charset=utf-16',
      'application/x-www-form-urlencoded; charset="nope"',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      undefined,
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencodedx',
      'application/x-www-form-urlencoded ',
      '',
      'text',
      'a/b c',
      'application/x-www-form-urlencoded; =',
      ';',
    ),
  },
  {
    weight: 1,
    arbitrary: headerText(['application/', 'x-www-form-urlencoded', ';', '=', ' ', '"', '/'], 30),
  },
);
