/** The CLI's usage text: `latchkey --help` lists every command and flag. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';

describe('latchkey --help', () => {
  async function usage(argv: string[]) {
    let text = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      text += String(chunk);
      return true;
    });
    try {
      return { code: await main(argv), text };
    } finally {
      write.mockRestore();
    }
  }

  it('lists --resource-server with apps create', async () => {
    const { code, text } = await usage(['--help']);
    expect(code).toBe(0);
    const create = text.slice(text.indexOf('apps create'), text.indexOf('apps list'));
    expect(create).toContain('--resource-server');
    expect(create).toContain('--public');
  });

  it('shows every command and flag the README shows', async () => {
    const { text } = await usage(['help']);
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const lines = readme
      .split('\n')
      .filter((line) => /\blatchkey (?:[a-z]+)/.test(line) && line.includes('npx'));
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      const [, command, sub] = /\blatchkey ([a-z]+)(?: ([a-z-]+))?/.exec(line) ?? [];
      expect(text).toContain(sub ? `${command} ${sub}` : `${command}`);
      for (const [flag] of line.matchAll(/--[a-z-]+/g)) expect(text, line).toContain(flag);
    }
    // The README's list of commands.
    for (const command of ['start', 'migrate', 'apps create', 'apps list', 'apps show', 'apps rotate-secret'])
      expect(text).toContain(command);
    for (const command of ['apps delete', 'keys rotate', 'users create', 'purge', 'proxy'])
      expect(text).toContain(command);
  });

  it('shows every option the CLI commands parse', async () => {
    const { text } = await usage(['-h']);
    const dir = new URL('../src/cli/', import.meta.url);
    const options = new Set<string>();
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      for (const [, name] of source.matchAll(/['"]?([a-z][a-z-]*)['"]?: \{ type: '(?:string|boolean)'/g))
        options.add(name as string);
    }
    expect([...options]).toContain('resource-server');
    for (const option of options) expect(text).toContain(`--${option}`);
  });
});
