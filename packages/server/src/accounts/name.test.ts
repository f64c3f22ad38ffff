/** The name rules of sign-up and `latchkey users create --name`. */
import { describe, expect, it } from 'vitest';
import { nameInput } from './name.js';

describe('nameInput', () => {
  it.each([
    ['Ada Lovelace', 'Ada Lovelace'],
    ['  Grace Hopper\t', 'Grace Hopper'],
    ['José Ñúñez', 'José Ñúñez'],
    // NFC: a decomposed é becomes one code point.
    ['Jose\u0301', 'José'],
    ['李小龍', '李小龍'],
    ['𝒜'.repeat(200), '𝒜'.repeat(200)],
  ])('takes %j as %j', (raw, name) => {
    expect(nameInput(raw)).toEqual({ name });
  });
  it.each([
    ['', 'Enter your name.'],
    ['   ', 'Enter your name.'],
    ['x'.repeat(201), 'Use at most 200 characters for your name.'],
    ['𝒜'.repeat(201), 'Use at most 200 characters for your name.'],
    ['Ada\nLovelace', 'Enter your name on one line, without control characters.'],
    ['Ada\u0000', 'Enter your name on one line, without control characters.'],
    ['Ada\u2028Lovelace', 'Enter your name on one line, without control characters.'],
    ['Ada\u0085', 'Enter your name on one line, without control characters.'],
  ])('refuses %j: %s', (raw, problem) => {
    expect(nameInput(raw)).toMatchObject({ problem });
  });
  it('keeps what was typed for the form, without control characters, at most 200 characters', () => {
    expect(nameInput('Ada\nLovelace')).toMatchObject({ kept: 'Ada Lovelace' });
    expect(nameInput('y'.repeat(250))).toMatchObject({ kept: 'y'.repeat(200) });
  });
});
