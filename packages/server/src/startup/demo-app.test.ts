import { describe, expect, it } from 'vitest';
import { displayPath } from './demo-app.js';

describe('displayPath (where the first start says demo-app.json is)', () => {
  it('is relative to the working folder when inside it, as the README types it', () => {
    expect(displayPath('/srv/app/.latchkey/demo-app.json', '/srv/app')).toBe('.latchkey/demo-app.json');
    expect(displayPath('/srv/app/..data/demo-app.json', '/srv/app')).toBe('..data/demo-app.json');
  });
  it('is absolute anywhere else', () => {
    expect(displayPath('/var/lib/latchkey/demo-app.json', '/srv/app')).toBe(
      '/var/lib/latchkey/demo-app.json',
    );
    expect(displayPath('/srv/application/demo-app.json', '/srv/app')).toBe('/srv/application/demo-app.json');
  });
});
