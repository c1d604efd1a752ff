import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodePathInspector, createNodeProcessRunner, createRootedSystemFiles, nodeOsFacts } from '../../../electron/core/preflight/node-host-deps.ts';
import { HOSTS_DIR } from './fixture-host.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-preflight-deps-'));
});
afterEach(async () => {
  await fs.chmod(tmp, 0o700).catch(() => undefined);
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('rooted system files', () => {
  it('reads absolute paths below the root and says null for missing files', async () => {
    const files = createRootedSystemFiles(path.join(HOSTS_DIR, 'linux/rhel-9.4'));
    expect(await files.readText('/sys/fs/selinux/enforce')).toBe('1');
    expect(await files.readText('/etc/crypto-policies/config')).toBe('DEFAULT\n');
    expect(await files.readText('/etc/nothing-here')).toBeNull();
    expect(await files.readText('/etc/os-release/below-a-file')).toBeNull();
  });

  it('cannot be led outside its root by dot-dot segments', async () => {
    await fs.mkdir(path.join(tmp, 'root/etc'), { recursive: true });
    await fs.writeFile(path.join(tmp, 'secret'), 'outside');
    const files = createRootedSystemFiles(path.join(tmp, 'root'));
    expect(await files.readText('/../secret')).toBeNull();
  });

  it('throws an AirlockError naming the path for other read errors', async () => {
    await fs.mkdir(path.join(tmp, 'etc/os-release'), { recursive: true });
    const files = createRootedSystemFiles(tmp);
    await expect(files.readText('/etc/os-release')).rejects.toMatchObject({ code: 'IO_ERROR' });
  });

  it('reads /proc files, whose size is reported as 0', async () => {
    const files = createRootedSystemFiles('/');
    const text = await files.readText('/proc/self/status');
    if (process.platform === 'linux') expect(text).toMatch(/^Name:/m);
    else expect(text).toBeNull();
  });
});

describe('process runner', () => {
  it('returns exit code and output without a shell', async () => {
    const runner = createNodeProcessRunner();
    const ok = await runner.run(process.execPath, ['-e', 'process.stdout.write("out; $(echo no)"); process.stderr.write("err")']);
    expect(ok).toEqual({ exitCode: 0, stdout: 'out; $(echo no)', stderr: 'err' });
    const failed = await runner.run(process.execPath, ['-e', 'process.exit(3)']);
    expect(failed.exitCode).toBe(3);
  });

  it('rejects when the program does not exist or runs too long', async () => {
    await expect(createNodeProcessRunner().run(path.join(tmp, 'no-such-program'), [])).rejects.toMatchObject({ code: 'IO_ERROR' });
    await expect(createNodeProcessRunner(200).run(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'])).rejects.toMatchObject({ code: 'IO_ERROR' });
  });
});

describe('path inspector', () => {
  it('probes write access and leaves nothing behind', async () => {
    const paths = createNodePathInspector();
    expect(await paths.probeWrite(tmp)).toEqual({ ok: true });
    expect(await fs.readdir(tmp)).toEqual([]);
  });

  it('reports a directory it cannot create files in', async () => {
    const paths = createNodePathInspector();
    const result = await paths.probeWrite(path.join(tmp, 'missing'));
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.reason).toMatch(/ENOENT/);
  });

  it('stats, measures free space and sums a tree', async () => {
    await fs.mkdir(path.join(tmp, 'a/b'), { recursive: true });
    await fs.writeFile(path.join(tmp, 'a/one'), 'x'.repeat(10));
    await fs.writeFile(path.join(tmp, 'a/b/two'), 'y'.repeat(5));
    const paths = createNodePathInspector();
    expect(await paths.stat(path.join(tmp, 'nope'))).toBeNull();
    expect(await paths.stat(path.join(tmp, 'a/one'))).toMatchObject({ isDirectory: false, size: 10 });
    expect(await paths.treeSize(path.join(tmp, 'a'))).toBe(15);
    const space = await paths.statfs(tmp);
    expect(space.freeBytes).toBeGreaterThan(0);
    expect(space.totalBytes).toBeGreaterThanOrEqual(space.freeBytes);
    await expect(paths.readText(path.join(tmp, 'a/one'), 4)).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(await paths.readText(path.join(tmp, 'a/one'), 100)).toBe('x'.repeat(10));
  });
});

describe('os facts', () => {
  it('describes this process', () => {
    const facts = nodeOsFacts();
    expect(facts.platform).toBe(process.platform);
    expect(facts.arch).toBe(process.arch);
    expect(facts.cpus).toBeGreaterThanOrEqual(1);
    expect(facts.totalMemoryBytes).toBeGreaterThan(0);
    expect(facts.totalMemoryBytes).toBeLessThanOrEqual(os.totalmem());
  });
});
