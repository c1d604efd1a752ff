// DESIGN §3: exit codes and the --json failure shape are a contract other tools rely on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main.ts';
import type { CliIo } from '../../../electron/cli/cli-types.ts';

function io(): CliIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    stderrIsTTY: false,
    env: {},
    cwd: os.tmpdir(),
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

describe('airlock CLI conventions', () => {
  it('lists every command on --help and exits 0', async () => {
    const cli = io();
    expect(await main(['--help'], cli)).toBe(0);
    for (const words of ['kit build', 'kit verify', 'verify-blob', 'preflight']) expect(cli.out()).toContain(`airlock ${words}`);
  });

  it('exits 2 with the overview when given nothing', async () => {
    const cli = io();
    expect(await main([], cli)).toBe(2);
    expect(cli.out()).toContain('Commands:');
  });

  it('reports an unknown command as a usage error, in text and in JSON', async () => {
    const text = io();
    expect(await main(['frobnicate'], text)).toBe(2);
    expect(text.err()).toMatch(/^airlock: USAGE: Wrong command usage\n {2}what: {3}unknown command "frobnicate"/);
    const json = io();
    expect(await main(['frobnicate', '--json'], json)).toBe(2);
    const doc = JSON.parse(json.out());
    expect(doc).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    expect(typeof doc.error.remedy).toBe('string');
  });

  it('reports an unknown flag and a missing argument as usage errors with the usage line', async () => {
    const flag = io();
    expect(await main(['kit', 'verify', 'x.kit.tar', '--bogus'], flag)).toBe(2);
    expect(flag.err()).toContain('usage: airlock kit verify KIT');
    const arg = io();
    expect(await main(['kit', 'verify', '--key', 'k.pem'], arg)).toBe(2);
    expect(arg.err()).toContain('expected 1 argument(s), got 0');
  });

  it('requires trust flags wherever a signature is checked, and only one kind', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-cli-'));
    try {
      const none = io();
      expect(await main(['kit', 'verify', 'x.kit.tar', '--data-dir', empty, '--json'], none)).toBe(2);
      expect(JSON.parse(none.out()).error.message).toContain('say whom to trust');
      // With the app's policy file in the data dir, no flags are needed: the policy is read (and here found invalid).
      fs.writeFileSync(path.join(empty, 'trust-policy.json'), '{"schema":"airlock.trust-policy/v1","publishers":[]}');
      const withPolicy = io();
      expect(await main(['kit', 'verify', 'x.kit.tar', '--data-dir', empty, '--json'], withPolicy)).toBe(1);
      expect(JSON.parse(withPolicy.out()).error).toMatchObject({ code: 'POLICY_INVALID' });
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
    const both = io();
    expect(await main(['kit', 'verify', 'x.kit.tar', '--key', 'a.pem', '--policy', 'p.json'], both)).toBe(2);
    const partial = io();
    expect(await main(['kit', 'verify', 'x.kit.tar', '--identity', 'me@example.org'], partial)).toBe(2);
    expect(partial.err()).toContain('missing --trusted-root, --issuer');
  });

  it('exits 1 with the code, the path and a remedy when the operation runs and fails', async () => {
    const cli = io();
    expect(await main(['kit', 'verify', '/nonexistent/kit.tar', '--key', '/nonexistent/key.pem', '--json'], cli)).toBe(1);
    const doc = JSON.parse(cli.out());
    expect(doc.ok).toBe(false);
    expect(doc.error.code).toMatch(/^(IO_ERROR|KEY_INVALID|KIT_NOT_FOUND)$/);
    expect(doc.error.path).toBe('/nonexistent/key.pem');
    expect(doc.error.remedy.length).toBeGreaterThan(10);
    expect(cli.err()).toBe('');
  });

  it('prints per-command help', async () => {
    const cli = io();
    expect(await main(['kit', 'verify', '--help'], cli)).toBe(0);
    expect(cli.out()).toMatch(/^usage: airlock kit verify KIT /);
  });
});
