import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AirlockError, toErrorPayload } from '../../../shared/airlock-error.ts';
import type { CommandContext, OptionValues } from '../../../electron/cli/cli-types.ts';
import { createRegistryPushCommand, type RegistryPushDeps } from '../../../electron/cli/commands/registry-push.ts';
import { parseReleaseRef as parseReleaseArg } from '../../../electron/cli/release-ref.ts';
import { main } from '../../../electron/cli/main.ts';
import type { PushResult } from '../../../electron/core/registry/registry-push.ts';
import { createFakeRegistry, type FakeRegistry } from '../../helpers/registry-push-fake-registry.ts';
import { makePushLayout, type PushLayoutFixture } from '../../helpers/registry-push-layout.ts';

let tmp: string;
let layout: PushLayoutFixture;
let reg: FakeRegistry;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-push-cli-'));
  layout = await makePushLayout(path.join(tmp, 'layout'));
  reg = createFakeRegistry();
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

interface Ran {
  stderr: string;
  out?: { json: Record<string, unknown>; text: string };
  error?: AirlockError;
}

async function runCommand(deps: Partial<RegistryPushDeps>, positionals: string[], options: OptionValues, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  let stderr = '';
  const spec = createRegistryPushCommand({
    openReleaseImages: async () => ({
      releaseImages: async (name, version) => {
        throw new AirlockError('RELEASE_NOT_FOUND', `${name}@${version} is not in the registry`);
      },
    }),
    fetch: reg.fetch,
    ...deps,
  });
  const ctx: CommandContext = {
    options,
    positionals,
    io: { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, stderrIsTTY: false, env, cwd: tmp },
    json: false,
    dataDir: path.join(tmp, 'data'),
    progress: () => {},
    signal: new AbortController().signal,
    resolvePath: (p) => path.resolve(tmp, p),
  };
  try {
    const out = await spec.run(ctx);
    return { stderr, out };
  } catch (error) {
    return { stderr, error: error as AirlockError };
  }
}

describe('airlock registry push', () => {
  it('resolves NAME@VERSION through the release catalog and pushes its images', async () => {
    const asked: string[] = [];
    let closed = false;
    const r = await runCommand({
      openReleaseImages: async (dataDir) => {
        asked.push(dataDir);
        return {
          releaseImages: async (name, version) => {
            asked.push(`${name}@${version}`);
            return { layoutDir: layout.dir, images: layout.images.slice(0, 2) };
          },
          close: () => {
            closed = true;
          },
        };
      },
    }, ['myapp@1.2.3'], { to: '127.0.0.1:5000', 'insecure-http': true });
    expect(r.error).toBeUndefined();
    expect(asked).toEqual([path.join(tmp, 'data'), 'myapp@1.2.3']);
    expect(closed).toBe(true);
    const push = r.out!.json.push as PushResult;
    expect(push.images.map((i) => i.target)).toEqual(['127.0.0.1:5000/app/api:1.2.3', '127.0.0.1:5000/app/api:1.2.3-multi']);
    expect(push.scheme).toBe('http');
    const text = r.out!.text;
    expect(text).toMatch(/^OK {2}pushed 2 images to 127\.0\.0\.1:5000 \(http\)/);
    expect(text).toContain(`    from:    ${layout.refs.api}`);
    expect(text).toContain(`    digest:  ${layout.index.digest}`);
    expect(text).toMatch(/blobs: {3}sent 3 blobs \(2\.6 MiB\), skipped 0 already there \(0 B\); 1 manifest/);
    expect(r.stderr).toBe('');
  });

  it('pushes every named image of --layout DIR', async () => {
    const r = await runCommand({}, [], { to: '127.0.0.1:5000', 'insecure-http': true, layout: 'layout' });
    expect((r.out!.json.push as PushResult).images).toHaveLength(3);
    expect(r.out!.text).toContain('mounted 3 from another repository');
  });

  it('warns before plain HTTP to a host that is not loopback', async () => {
    const r = await runCommand({}, [], { to: 'registry.lab:5000', 'insecure-http': true, layout: 'layout', username: 'u' }, { AIRLOCK_REGISTRY_PASSWORD: 'p' });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toMatch(/warning: --insecure-http sends the images and your password to registry\.lab:5000 unencrypted/);
  });

  it('reports a release that is not in the catalog', async () => {
    const r = await runCommand({}, ['myapp@9.9.9'], { to: '127.0.0.1:5000' });
    expect(r.error?.code).toBe('RELEASE_NOT_FOUND');
  });

  it('validates NAME@VERSION', () => {
    expect(parseReleaseArg('my-app@1.2.3-rc.1')).toEqual({ name: 'my-app', version: '1.2.3-rc.1' });
    for (const bad of ['myapp', 'myapp@', '@1.2.3', 'MyApp@1.2.3', 'myapp@1.2']) {
      expect(() => parseReleaseArg(bad), bad).toThrow(/expected NAME@VERSION/);
    }
  });
});

describe('airlock registry push usage errors (exit 2, nothing sent)', () => {
  async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; error: { code: string; message: string } }> {
    let stdout = '';
    const code = await main(['registry', 'push', ...args, '--json'], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => true },
      stderrIsTTY: false,
      env,
      cwd: tmp,
    });
    return { code, error: (JSON.parse(stdout) as { error: { code: string; message: string } }).error };
  }

  it.each([
    [['--layout', 'layout'], /--to HOST\[:PORT\] is required/],
    [['--to', '127.0.0.1:5000'], /either NAME@VERSION .* or --layout DIR/],
    [['myapp@1.0.0', '--layout', 'layout', '--to', '127.0.0.1:5000'], /either NAME@VERSION/],
    [['--layout', 'layout', '--to', 'https://127.0.0.1:5000'], /without a scheme/],
    [['--layout', 'layout', '--to', '127.0.0.1:5000', '--username', 'u'], /AIRLOCK_REGISTRY_PASSWORD/],
    [['--layout', 'layout', '--to', '127.0.0.1:5000', '--password', 'p'], /Unknown option '--password'/],
    [['myapp', '--to', '127.0.0.1:5000'], /expected NAME@VERSION/],
  ])('%j', async (args, message) => {
    const r = await cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.error.code).toBe('USAGE');
    expect(r.error.message).toMatch(message);
  });

  it('names the folder when --layout is not an OCI layout', async () => {
    const r = await cli(['--layout', 'missing', '--to', '127.0.0.1:5000', '--insecure-http']);
    expect(r.code).toBe(1);
    expect(r.error.code).toBe('OCI_LAYOUT_INVALID');
    expect(toErrorPayload(new AirlockError('OCI_LAYOUT_INVALID', 'x')).remedy).toMatch(/OCI Image Layout/);
  });
});
