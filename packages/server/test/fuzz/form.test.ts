/**
 * Fuzzing the form parser (src/http/form.ts) and the query parser built on it (src/http/query.ts):
 * whatever the text, the answer is parameters or `invalid_request`, never another exception; every
 * well-formed encoding (RFC 6749 Appendix B) reads back the same values; a repeat is found however each
 * copy is written (RFC 6749 §3.2); empty values count as omitted (§3.1).
 */
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { parseForm, printable } from '../../src/http/form.js';
import { parseQueryWithRepeats } from '../../src/http/query.js';
import { OAuthError } from '../../src/oauth/errors.js';
import { anyText, type Encoding, encode, encodings, formText, wellFormed } from './arbitraries.js';
import { fuzzTest } from './budget.js';

/** Whether `error` is the one refusal the parsers may throw: 400 `invalid_request`. */
function expectInvalidRequest(error: unknown): void {
  expect(error).toBeInstanceOf(OAuthError);
  expect({ error: (error as OAuthError).error, status: (error as OAuthError).status }).toEqual({
    error: 'invalid_request',
    status: 400,
  });
}

/** Runs `parse` on `text`: its result, or `undefined` after checking the refusal is `invalid_request`. */
function parsedOrRefused<T>(parse: (text: string) => T, text: string): T | undefined {
  try {
    return parse(text);
  } catch (error) {
    expectInvalidRequest(error);
    return undefined;
  }
}

/** Names that would be special to an object-based parser, and any other text. */
const names = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 'a[b]', 'scope[]', 'a.b', '', ' ', '+', '%'),
  anyText(12),
);

/** Distinct parameters (by their decoded, well-formed name), each with a value and an encoding. */
const distinctParams = fc.uniqueArray(
  fc.record({
    name: names.map(wellFormed),
    value: anyText(20).map(wellFormed),
    nameAs: encodings,
    valueAs: encodings,
  }),
  { selector: (p) => p.name, maxLength: 8 },
);

/** Text a hostile client sends: form syntax, escapes good and bad, any code point. */
const hostileText = fc.oneof(formText(60), anyText(60));

/** One parameter as a form carries it: `name=value`, each encoded its own way. */
const written = (p: { name: string; value: string; nameAs: Encoding; valueAs: Encoding }) =>
  `${encode(p.name, p.nameAs)}=${encode(p.value, p.valueAs)}`;

describe('fuzz: the form parser', () => {
  fuzzTest(
    'any body gives parameters with non-empty string values, or invalid_request; nothing else is thrown',
    'form: any body',
    1_000,
    () =>
      fc.property(hostileText, (body) => {
        const params = parsedOrRefused(parseForm, body);
        if (params === undefined) return;
        expect(params).toBeInstanceOf(Map);
        for (const [name, value] of params) {
          expect(typeof name).toBe('string');
          expect(typeof value).toBe('string');
          expect(value).not.toBe('');
        }
        // Nothing reached an object's prototype.
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
  );

  fuzzTest(
    'distinct parameters read back as written, whichever encoding each name and value uses (RFC 6749 Appendix B)',
    'form: round trip',
    1_000,
    () =>
      fc.property(distinctParams, fc.nat(3), (list, strays) => {
        // Stray `&` between pairs change nothing.
        const body = list.map(written).join('&'.repeat(1 + (strays % 2))) + '&'.repeat(strays >> 1);
        const expected = new Map(list.filter((p) => p.value !== '').map((p) => [p.name, p.value]));
        expect(parseForm(body)).toEqual(expected);
        // The authorization endpoint's query parser reads the same, and finds nothing repeated.
        expect(parseQueryWithRepeats(body)).toEqual({ params: expected, repeated: new Set() });
      }),
  );

  fuzzTest(
    'a parameter sent twice with a value is invalid_request however each copy is written (RFC 6749 §3.2); the query parser reports it as repeated instead',
    'form: repeats',
    1_000,
    () =>
      fc.property(
        distinctParams.filter((list) => list.length > 0),
        fc.nat(),
        fc.record({ value: anyText(10).map(wellFormed), nameAs: encodings, valueAs: encodings }),
        fc.nat(),
        (list, pick, copy, at) => {
          const original = list[pick % list.length] as (typeof list)[number];
          const again = { ...copy, name: original.name };
          const pairs = list.map(written);
          pairs.splice(at % (pairs.length + 1), 0, written(again));
          const body = pairs.join('&');
          const sentTwice = original.value !== '' && again.value !== '';
          const params = parsedOrRefused(parseForm, body);
          expect(params === undefined).toBe(sentTwice);
          if (sentTwice) {
            try {
              parseForm(body);
            } catch (error) {
              // The description names the parameter, printable and bounded, never its value.
              expect((error as OAuthError).description).toBe(
                `parameter "${printable(original.name)}" is repeated`,
              );
            }
          }
          const query = parseQueryWithRepeats(body);
          expect(query.repeated).toEqual(sentTwice ? new Set([original.name]) : new Set());
          expect(query.params.has(original.name)).toBe(
            !sentTwice && (original.value !== '' || again.value !== ''),
          );
          for (const p of list) {
            if (p.name !== original.name)
              expect(query.params.get(p.name)).toBe(p.value === '' ? undefined : p.value);
          }
        },
      ),
  );

  fuzzTest(
    'the query parser takes any text: parameters and repeated names apart, or invalid_request exactly when the form parser refuses an encoding',
    'form: any query',
    1_000,
    () =>
      fc.property(hostileText, (text) => {
        const query = parsedOrRefused(parseQueryWithRepeats, text);
        const form = parsedOrRefused(parseForm, text);
        if (query === undefined) {
          expect(form).toBeUndefined();
          return;
        }
        for (const name of query.repeated) expect(query.params.has(name)).toBe(false);
        // The form parser refuses a body exactly when it has a repeat or a bad encoding.
        if (form !== undefined) expect(query).toEqual({ params: form, repeated: new Set() });
        else expect(query.repeated.size).toBeGreaterThan(0);
      }),
  );

  fuzzTest('a name echoed in a description is printable ASCII and bounded', 'form: printable', 500, () =>
    fc.property(anyText(80), (name) => {
      const shown = printable(name);
      expect(shown).toMatch(/^[\x20-\x7e]*$/);
      expect(shown.length).toBeLessThanOrEqual(43);
    }),
  );
});
