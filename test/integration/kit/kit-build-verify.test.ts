// The builder and the real verifier together: every kit the builder writes
// verifies with the signing key's public half, in every container form.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { buildKit, type BuildKitInput } from '../../../electron/core/kit/kit-builder.ts';
import { verifyKit } from '../../../electron/core/kit/kit-verifier.ts';
import { loadSigningKey, type SigningKey } from '../../../electron/core/trust/sign-blob.ts';
import { SignatureVerifier } from '../../../electron/core/trust/signature-verifier.ts';
import { resolveTrustPolicy } from '../../../electron/core/trust/trust-policy.ts';
import { main } from '../../../electron/cli/main.ts';
import type { CliIo } from '../../../electron/cli/cli-types.ts';
import { writeKeyPair } from '../../helpers/sigstore-keys.ts';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let tmp: string;
let input: string;
let keyPaths: { privatePath: string; publicPath: string };
let key: SigningKey;
let n = 0;

async function writeInput(dir: string): Promise<void> {
  const files: Record<string, string | Buffer> = {
    'kit.json': JSON.stringify({
      schema: 'airlock.kit/v1', name: 'widget', version: '2.0.1', created: '2026-03-01T08:30:00Z',
      databases: [{ id: 'main', engine: 'sqlite', path: 'var/main.db' }],
      migrations: [{ id: '0001_init', database: 'main', path: 'migrations/0001_init.sql' }],
    }),
    'payload/bin/widget': '#!/bin/sh\necho widget\n',
    'payload/share/doc/README': 'read me\n',
    'payload/share/data.bin': Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 7919) % 256)),
    'migrations/0001_init.sql': 'CREATE TABLE t (id INTEGER PRIMARY KEY);\n',
  };
  for (const [rel, data] of Object.entries(files)) {
    await fs.mkdir(path.join(dir, path.dirname(rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), data);
  }
  await fs.chmod(path.join(dir, 'payload/bin/widget'), 0o755);
}

async function verify(kitPath: string, publicPath = keyPaths.publicPath): ReturnType<typeof verifyKit> {
  const policy = await resolveTrustPolicy({ keyFiles: [publicPath] });
  return verifyKit(kitPath, { signature: new SignatureVerifier(policy) });
}

const out = (name: string): string => path.join(tmp, `o${++n}`, name);
async function build(over: Partial<BuildKitInput> & { out: string }): ReturnType<typeof buildKit> {
  await fs.mkdir(path.dirname(over.out), { recursive: true });
  return buildKit({ dir: input, signingKey: key, compress: 'none', ...over });
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-build-int-'));
  input = path.join(tmp, 'in');
  await fs.mkdir(input);
  await writeInput(input);
  keyPaths = await writeKeyPair(tmp, 'publisher');
  key = loadSigningKey(await fs.readFile(keyPaths.privatePath, 'utf8'), keyPaths.privatePath);
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('built kits verify', () => {
  it('verifies uncompressed, gzip and zstd kits, all with the same SHA256SUMS, in a single pass', async () => {
    const results = [];
    for (const [compress, name] of [['none', 'w.kit.tar'], ['gzip', 'w.kit.tar.gz'], ['zstd', 'w.kit.tar.zst']] as const) {
      const r = await build({ compress, out: out(name) });
      const { summary, files } = await verify(r.kitPath);
      expect(summary).toMatchObject({ name: 'widget', version: '2.0.1', sumsSha256: r.sumsSha256, fileCount: r.fileCount, totalBytes: r.totalBytes, singlePass: true });
      expect(summary.container).toMatchObject({ kind: 'archive', compression: compress, parts: null });
      expect(summary.signature.signer).toMatchObject({ kind: 'key', fingerprint: key.fingerprint, keyHint: key.keyHint });
      expect(files.find((f) => f.path === 'payload/bin/widget')?.executable).toBe(true);
      expect(files.find((f) => f.path === 'payload/share/doc/README')?.executable).toBe(false);
      results.push(r);
    }
    expect(new Set(results.map((r) => r.sumsSha256)).size).toBe(1);
  });

  it('is refused under another key (the self-check used the builder\'s key, nothing else)', async () => {
    const r = await build({ compress: 'gzip', out: out('w.kit.tar.gz') });
    const other = await writeKeyPair(tmp, `other${n}`);
    const error = await verify(r.kitPath, other.publicPath).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code).toBe('SIG_UNTRUSTED');
  });

  it('writes a split kit that reads through its index and through any one part', async () => {
    // Incompressible (hash output), so the zstd archive still spans three 1 MiB parts.
    const big = Buffer.concat(Array.from({ length: 72_000 }, (_, i) => createHash('sha256').update(String(i)).digest()));
    const splitInput = path.join(tmp, 'split-in');
    await fs.cp(input, splitInput, { recursive: true });
    await fs.writeFile(path.join(splitInput, 'payload/share/big.bin'), big);
    const r = await build({ dir: splitInput, compress: 'zstd', splitSize: 1024 * 1024, out: out('w.kit.tar.zst') });
    expect(r.parts).toHaveLength(3);
    expect(r.parts!.map((p) => p.size)).toEqual([1024 * 1024, 1024 * 1024, r.archiveSize - 2 * 1024 * 1024]);
    const dir = path.dirname(r.kitPath);
    expect((await fs.readdir(dir)).sort()).toEqual([...r.parts!.map((p) => p.name), 'w.kit.tar.zst.parts.json'].sort());
    for (const p of r.parts!) expect(sha(await fs.readFile(path.join(dir, p.name)))).toBe(p.sha256);
    const viaIndex = await verify(r.kitPath);
    expect(viaIndex.summary.container).toMatchObject({ compression: 'zstd', parts: 3 });
    expect(viaIndex.summary.sumsSha256).toBe(r.sumsSha256);
    const viaPart = await verify(path.join(dir, r.parts![1]!.name));
    expect(viaPart.summary.sumsSha256).toBe(r.sumsSha256);
  });

  it('leaves no trace when the real self-check refuses the staged kit', async () => {
    // A signing key that is not the one whose public half is checked: the bundle cannot verify.
    const other = await writeKeyPair(tmp, `mismatch${n}`);
    const wrongPub = loadSigningKey(await fs.readFile(other.privatePath, 'utf8'), other.privatePath);
    const target = out('w.kit.tar');
    await fs.mkdir(path.dirname(target), { recursive: true });
    const error = await buildKit({ dir: input, out: target, compress: 'none', signingKey: { ...key, publicKeyPem: wrongPub.publicKeyPem } }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AirlockError);
    expect(['SIG_INVALID', 'SIG_UNTRUSTED']).toContain((error as AirlockError).code);
    expect((error as AirlockError).details).toMatchObject({ selfCheck: true });
    expect(await fs.readdir(path.dirname(target))).toEqual([]);
  });
});

describe('airlock kit build (CLI)', () => {
  function io(env: NodeJS.ProcessEnv = {}): CliIo & { out: string[]; err: string[] } {
    const outBuf: string[] = [];
    const errBuf: string[] = [];
    return { stdout: { write: (s: string) => outBuf.push(s) }, stderr: { write: (s: string) => errBuf.push(s) }, stderrIsTTY: false, env, cwd: tmp, out: outBuf, err: errBuf };
  }

  it('builds, prints what it wrote, and the kit verifies', async () => {
    const target = out('widget-2.0.1.kit.tar.gz');
    await fs.mkdir(path.dirname(target));
    await fs.writeFile(path.join(input, 'SHA256SUMS'), 'stale\n');
    try {
      const t = io();
      const code = await main(['kit', 'build', input, '--out', path.relative(tmp, target), '--key', keyPaths.privatePath], t);
      expect(t.err.join('')).toBe('');
      expect(code).toBe(0);
      const text = t.out.join('');
      const { summary } = await verify(target);
      expect(summary.container.compression).toBe('gzip');
      expect(text).toContain(target);
      expect(text).toContain(`sha256:${summary.sumsSha256}`);
      expect(text).toContain(sha(await fs.readFile(target)));
      expect(text).toContain(key.fingerprint);
      expect(text).toMatch(/ignored SHA256SUMS/);
    } finally {
      await fs.rm(path.join(input, 'SHA256SUMS'));
    }
  });

  it('prints one JSON document with --json, takes SOURCE_DATE_EPOCH from the environment and splits with --split-size', async () => {
    const target = out('w.kit.tar');
    await fs.mkdir(path.dirname(target));
    const t = io({ SOURCE_DATE_EPOCH: '1700000000' });
    const code = await main(['kit', 'build', input, '--out', target, '--key', keyPaths.privatePath, '--split-size', '1048576', '--json'], t);
    expect(code).toBe(0);
    const doc = JSON.parse(t.out.join('')) as { ok: boolean; build: { sourceDateEpoch: number; kitPath: string; parts: unknown[]; sumsSha256: string } };
    expect(doc.ok).toBe(true);
    expect(doc.build.sourceDateEpoch).toBe(1_700_000_000);
    expect(doc.build.kitPath).toBe(`${target}.parts.json`);
    expect(doc.build.parts).toHaveLength(1);
    expect((await verify(doc.build.kitPath)).summary.sumsSha256).toBe(doc.build.sumsSha256);
    const listing = execFileSync('tar', ['--full-time', '--utc', '-tvf', `${target}.part001`], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expect(listing).toContain('2023-11-14 22:13:20');
  });

  it('exits 2 on usage errors and 1 on a bad key, naming the key file, writing nothing', async () => {
    const target = out('w.kit.tar');
    await fs.mkdir(path.dirname(target));
    const cases: Array<{ argv: string[]; exit: number; code: string }> = [
      { argv: ['kit', 'build', input, '--key', keyPaths.privatePath], exit: 2, code: 'USAGE' },
      { argv: ['kit', 'build', input, '--out', target], exit: 2, code: 'USAGE' },
      { argv: ['kit', 'build', input, '--out', target, '--key', keyPaths.privatePath, '--split-size', '1000'], exit: 2, code: 'USAGE' },
      { argv: ['kit', 'build', input, '--out', target, '--key', keyPaths.privatePath, '--compress', 'gzip'], exit: 2, code: 'USAGE' },
      { argv: ['kit', 'build', input, '--out', target, '--key', keyPaths.privatePath, '--source-date-epoch', 'yesterday'], exit: 2, code: 'USAGE' },
      { argv: ['kit', 'build', input, '--out', target, '--key', keyPaths.publicPath], exit: 1, code: 'KEY_INVALID' },
      { argv: ['kit', 'build', input, '--out', target, '--key', path.join(tmp, 'missing.pem')], exit: 1, code: 'KEY_INVALID' },
    ];
    for (const c of cases) {
      const t = io();
      const code = await main([...c.argv, '--json'], t);
      const doc = JSON.parse(t.out.join('')) as { ok: boolean; error: { code: string; path?: string } };
      expect(code, c.argv.join(' ')).toBe(c.exit);
      expect(doc.error.code, c.argv.join(' ')).toBe(c.code);
      if (c.code === 'KEY_INVALID') expect(doc.error.path).toBe(c.argv[c.argv.indexOf('--key') + 1]);
    }
    expect(await fs.readdir(path.dirname(target))).toEqual([]);
  });
});
