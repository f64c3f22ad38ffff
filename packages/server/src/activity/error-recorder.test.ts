/** What the recorder stores of a reason: one line, bounded. */
import { describe, expect, it } from 'vitest';
import { cleanReason, MAX_REASON_LENGTH } from './error-recorder.js';

describe('cleanReason', () => {
  it('keeps a reason to one line without control characters', () => {
    expect(cleanReason('got https://a.example/\r\nSet-Cookie: x\u0000y ')).toBe(
      'got https://a.example/ Set-Cookie: x y',
    );
  });
  it('cuts a long reason with an ellipsis, never inside a character', () => {
    const cut = cleanReason(`${'a'.repeat(MAX_REASON_LENGTH - 2)}😀😀😀`);
    expect([...cut]).toHaveLength(MAX_REASON_LENGTH);
    expect(cut.endsWith('😀…')).toBe(true);
  });
});
