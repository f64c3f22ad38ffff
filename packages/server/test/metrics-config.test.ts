/**
 * The metrics configuration, validated at start: LATCHKEY_METRICS and LATCHKEY_METRICS_PORT choose
 * off, the main listener or a port of their own; a malformed or conflicting value is refused with one
 * line naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('metrics configuration, validated at start', () => {
  const base = { LATCHKEY_DATA_DIR: '/tmp/latchkey-metrics-config' };
  const load = (env: Record<string, string>) => loadConfig({ ...base, ...env });

  it.each([
    [{}, { where: 'off' }],
    [{ LATCHKEY_METRICS: '' }, { where: 'off' }],
    [{ LATCHKEY_METRICS: 'false' }, { where: 'off' }],
    [{ LATCHKEY_METRICS: 'true' }, { where: 'main' }],
    [{ LATCHKEY_METRICS_PORT: '9464' }, { where: 'port', port: 9464 }],
    [
      { LATCHKEY_METRICS: 'true', LATCHKEY_METRICS_PORT: '1' },
      { where: 'port', port: 1 },
    ],
    [
      { PORT: '0', LATCHKEY_METRICS_PORT: '65535' },
      { where: 'port', port: 65535 },
    ],
  ])('%j is %j', (env, expected) => {
    expect(load(env).metrics).toEqual(expected);
  });

  it.each([
    [{ LATCHKEY_METRICS: 'yes' }, 'LATCHKEY_METRICS must be true or false, got "yes"'],
    [{ LATCHKEY_METRICS: '1' }, 'LATCHKEY_METRICS must be true or false, got "1"'],
    [{ LATCHKEY_METRICS_PORT: '0' }, 'LATCHKEY_METRICS_PORT must be a whole number from 1 to 65535, got "0"'],
    [
      { LATCHKEY_METRICS_PORT: '65536' },
      'LATCHKEY_METRICS_PORT must be a whole number from 1 to 65535, got "65536"',
    ],
    [
      { LATCHKEY_METRICS_PORT: '-1' },
      'LATCHKEY_METRICS_PORT must be a whole number from 1 to 65535, got "-1"',
    ],
    [
      { LATCHKEY_METRICS_PORT: '94x' },
      'LATCHKEY_METRICS_PORT must be a whole number from 1 to 65535, got "94x"',
    ],
    [
      { PORT: '9464', LATCHKEY_METRICS_PORT: '9464' },
      'LATCHKEY_METRICS_PORT must differ from PORT (9464): metrics get a listener of their own, got "9464"',
    ],
    [
      { LATCHKEY_METRICS_PORT: '4000' },
      'LATCHKEY_METRICS_PORT must differ from PORT (4000): metrics get a listener of their own, got "4000"',
    ],
    [
      { LATCHKEY_METRICS: 'false', LATCHKEY_METRICS_PORT: '9464' },
      'LATCHKEY_METRICS_PORT is set but LATCHKEY_METRICS=false: unset one of them',
    ],
  ])('%j is refused with one line naming the variable', (env, message) => {
    let thrown: unknown;
    try {
      load(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toBe(message);
  });
});
