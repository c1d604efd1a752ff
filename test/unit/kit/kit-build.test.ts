// The builder on its own: input checks, determinism, atomic output. The
// self-check is replaced by a stand-in that reads the archive with GNU tar, so
// these tests hold whatever the verifier does; test/integration/kit has the
// builder and the real verifier together.
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { ProgressEvent } from '../../../shared/progress.ts';
import { buildKit, type BuildKitInput, type KitSelfCheck } from '../../../electron/core/kit/kit-builder.ts';
import { loadSigningKey, type SigningKey } from '../../../electron/core/trust/sign-blob.ts';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const CREATED = '2026-02-01T10:00:00Z';
const CREATED_EPOCH = Date.parse(CREATED) / 1000;

function newKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return loadSigningKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'test.key.pem');
}

type TreeValue = string | Buffer | { data: string | Buffer; mode: number };

async function writeTree(root: string, tree: Record<string, TreeValue>): Promise<void> {
  for (const [rel, value] of Object.entries(tree)) {
    const file = path.join(root, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const { data, mode } = typeof value === 'object' && !Buffer.isBuffer(value) ? value : { data: value, mode: 0o644 };
    await fs.writeFile(file, data);
    await fs.chmod(file, mode);
  }
}

const manifest = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ schema: 'airlock.kit/v1', name: 'demo', version: '1.2.3', created: CREATED, ...extra }, null, 2) + '\n';

const BASE_TREE: Record<string, TreeValue> = {
  'kit.json': manifest({ releaseNotes: 'docs/NOTES.md' }),
  'payload/bin/run': { data: '#!/bin/sh\necho run\n', mode: 0o775 },
  'payload/share/a.txt': 'alpha\n',
  'payload/share/B.txt': 'bravo\n',
  'payload/empty': '',
  'docs/NOTES.md': '# notes\n',
  'Zeta.md': 'z\n',
};

/** A stand-in self-check: GNU tar reads the archive (or the concatenated parts) back. */
const tarSelfCheck: KitSelfCheck = async (kitPath) => {
  let archive: Buffer;
  if (kitPath.endsWith('.parts.json')) {
    const index = JSON.parse(await fs.readFile(kitPath, 'utf8')) as { parts: { name: string }[] };
    archive = Buffer.concat(await Promise.all(index.parts.map((p) => fs.readFile(path.join(path.dirname(kitPath), p.name)))));
  } else {
    archive = await fs.readFile(kitPath);
  }
  if (archive[0] === 0x1f && archive[1] === 0x8b) archive = zlib.gunzipSync(archive);
  else if (archive.readUInt32LE(0) === 0xfd2fb528) archive = zlib.zstdDecompressSync(archive);
  const sums = execFileSync('tar', ['-xOf', '-', 'SHA256SUMS'], { input: archive });
  const names = execFileSync('tar', ['-tf', '-'], { input: archive, encoding: 'utf8' }).trim().split('\n');
  return { sumsSha256: sha(sums), fileCount: names.length };
};

/** Minimal ustar/pax reader for assertions (independent of the product's reader). */
interface TestEntry { path: string; mode: number; uid: number; gid: number; mtime: number; uname: string; gname: string; type: string; data: Buffer; headerOffset: number }
function readTar(tar: Buffer): TestEntry[] {
  const str = (b: Buffer): string => { const n = b.indexOf(0); return b.subarray(0, n === -1 ? b.length : n).toString('utf8'); };
  const num = (b: Buffer): number => parseInt(str(b).trim() || '0', 8);
  const entries: TestEntry[] = [];
  let off = 0;
  let paxPath: string | undefined;
  let paxStart: number | undefined;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const size = num(h.subarray(124, 136));
    const type = String.fromCharCode(h[156]!);
    const data = tar.subarray(off + 512, off + 512 + size);
    if (type === 'x') {
      paxStart = off;
      const m = /\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      paxPath = m?.[1];
    } else {
      const prefix = str(h.subarray(345, 500));
      const name = str(h.subarray(0, 100));
      entries.push({
        path: paxPath ?? (prefix ? `${prefix}/${name}` : name),
        mode: num(h.subarray(100, 108)), uid: num(h.subarray(108, 116)), gid: num(h.subarray(116, 124)),
        mtime: num(h.subarray(136, 148)), uname: str(h.subarray(265, 297)), gname: str(h.subarray(297, 329)),
        type, data: Buffer.from(data), headerOffset: paxStart ?? off,
      });
      paxPath = undefined;
      paxStart = undefined;
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

async function errorOf(p: Promise<unknown>): Promise<AirlockError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AirlockError);
  return error as AirlockError;
}

describe('buildKit', () => {
  let tmp: string;
  let input: string;
  let outDir: string;
  let key: SigningKey;

  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-build-'));
    input = path.join(tmp, 'in');
    outDir = path.join(tmp, 'out');
    await fs.mkdir(input);
    await fs.mkdir(outDir);
    key = newKey();
  });
  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const build = (over: Partial<BuildKitInput> = {}): ReturnType<typeof buildKit> =>
    buildKit({ dir: input, out: path.join(outDir, 'demo.kit.tar'), signingKey: key, compress: 'none', selfCheck: tarSelfCheck, ...over });

  it('writes the root entries first, then every file sorted byte-wise, files only, with fixed owners, modes and mtime', async () => {
    await writeTree(input, BASE_TREE);
    const r = await build();
    const listing = execFileSync('tar', ['--numeric-owner', '-tvf', r.kitPath], { encoding: 'utf8' }).trim().split('\n');
    const names = listing.map((l) => l.split(/\s+/).slice(5).join(' '));
    for (const line of listing) expect(line).toMatch(line.endsWith('payload/bin/run') ? /^-rwxr-xr-x 0\/0 / : /^-rw-r--r-- 0\/0 /);
    expect(names).toEqual(['SHA256SUMS.sigstore.json', 'SHA256SUMS', 'kit.json', 'Zeta.md', 'docs/NOTES.md', 'payload/bin/run', 'payload/empty', 'payload/share/B.txt', 'payload/share/a.txt']);
    const entries = readTar(await fs.readFile(r.kitPath));
    for (const e of entries) {
      expect(e.type).toBe('0');
      expect([e.uid, e.gid, e.uname, e.gname]).toEqual([0, 0, '', '']);
      expect(e.mtime).toBe(CREATED_EPOCH);
      expect(e.mode).toBe(e.path === 'payload/bin/run' ? 0o755 : 0o644);
    }
    expect(r).toMatchObject({ name: 'demo', version: '1.2.3', fileCount: 9, compression: 'none', sourceDateEpoch: CREATED_EPOCH, sourceDateEpochFrom: 'kit.json created', parts: null, ignored: [] });
    expect(r.archiveSha256).toBe(sha(await fs.readFile(r.kitPath)));
    expect(r.totalBytes).toBe(entries.reduce((n, e) => n + e.data.length, 0));
    expect(r.keyFingerprint).toBe(key.fingerprint);
    expect(await fs.readdir(outDir)).toEqual(['demo.kit.tar']);
  });

  it('writes SHA256SUMS that GNU sha256sum -c accepts after GNU tar extracts the kit', async () => {
    await writeTree(input, { ...BASE_TREE, 'payload/caf\u00e9/\u00fcber.txt': 'u\n', [`payload/${'long-'.repeat(30)}/x`]: 'x\n' });
    const r = await build({ compress: 'gzip', out: path.join(outDir, 'demo.kit.tar.gz') });
    const x = path.join(tmp, 'x');
    await fs.mkdir(x);
    execFileSync('tar', ['-xf', r.kitPath, '-C', x]);
    const check = execFileSync('sha256sum', ['-c', '--strict', 'SHA256SUMS'], { cwd: x, encoding: 'utf8' });
    expect(check.trim().split('\n')).toHaveLength(r.fileCount - 2);
    expect(check).not.toMatch(/FAILED/);
    const sums = await fs.readFile(path.join(x, 'SHA256SUMS'));
    expect(sha(sums)).toBe(r.sumsSha256);
    expect(sums.toString('utf8')).not.toMatch(/SHA256SUMS/);
    expect((await fs.stat(path.join(x, 'payload/bin/run'))).mode & 0o777).toBe(0o755);
  });

  it('ignores and regenerates a SHA256SUMS and bundle already in the input, and says so', async () => {
    await writeTree(input, { ...BASE_TREE, SHA256SUMS: 'deadbeef  forged\n', 'SHA256SUMS.sigstore.json': '{"forged":true}' });
    const r = await build();
    expect(r.ignored).toEqual(['SHA256SUMS', 'SHA256SUMS.sigstore.json']);
    const entries = readTar(await fs.readFile(r.kitPath));
    expect(entries.filter((e) => e.path === 'SHA256SUMS')).toHaveLength(1);
    expect(entries.find((e) => e.path === 'SHA256SUMS')!.data.toString()).not.toContain('forged');
    expect(entries.find((e) => e.path === 'SHA256SUMS.sigstore.json')!.data.toString()).not.toContain('forged');
  });

  it('is deterministic: the same tree and epoch give the same SHA256SUMS and identical entries; only the signature differs', async () => {
    await writeTree(input, BASE_TREE);
    const a = await build({ out: path.join(outDir, 'a.kit.tar') });
    const b = await build({ out: path.join(outDir, 'b.kit.tar') });
    expect(a.sumsSha256).toBe(b.sumsSha256);
    const ta = await fs.readFile(a.kitPath);
    const tb = await fs.readFile(b.kitPath);
    const ea = readTar(ta);
    const eb = readTar(tb);
    expect(ea[0]!.path).toBe('SHA256SUMS.sigstore.json');
    expect(ea[0]!.data.equals(eb[0]!.data)).toBe(false);
    // Everything after the signature entry is byte-identical.
    expect(ta.subarray(ea[1]!.headerOffset).equals(tb.subarray(eb[1]!.headerOffset))).toBe(true);
    for (const compress of ['gzip', 'zstd'] as const) {
      const ext = compress === 'gzip' ? 'gz' : 'zst';
      const c1 = await build({ compress, out: path.join(outDir, `c1.kit.tar.${ext}`) });
      const c2 = await build({ compress, out: path.join(outDir, `c2.kit.tar.${ext}`) });
      const unpack = compress === 'gzip' ? zlib.gunzipSync : zlib.zstdDecompressSync;
      const u1 = unpack(await fs.readFile(c1.kitPath));
      const u2 = unpack(await fs.readFile(c2.kitPath));
      expect(u1.subarray(readTar(u1)[1]!.headerOffset).equals(ta.subarray(ea[1]!.headerOffset))).toBe(true);
      expect(u2.subarray(readTar(u2)[1]!.headerOffset).equals(ta.subarray(ea[1]!.headerOffset))).toBe(true);
    }
  });

  it('compresses the same tar stream deterministically (no name or time in the gzip header)', async () => {
    await writeTree(input, BASE_TREE);
    const r = await build({ compress: 'gzip', out: path.join(outDir, 'demo.kit.tar.gz') });
    const gz = await fs.readFile(r.kitPath);
    expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    const zst = await fs.readFile((await build({ compress: 'zstd', out: path.join(outDir, 'demo.kit.tar.zst') })).kitPath);
    expect(zst.readUInt32LE(0)).toBe(0xfd2fb528);
  });

  it('changes only mtimes when the epoch changes, and takes the epoch from the option over kit.json', async () => {
    await writeTree(input, BASE_TREE);
    const a = await build({ out: path.join(outDir, 'a.kit.tar') });
    const b = await build({ out: path.join(outDir, 'b.kit.tar'), sourceDateEpoch: 86_400 });
    expect(b.sourceDateEpoch).toBe(86_400);
    expect(b.sourceDateEpochFrom).toBe('option');
    expect(a.sumsSha256).toBe(b.sumsSha256);
    const ea = readTar(await fs.readFile(a.kitPath)).slice(1);
    const eb = readTar(await fs.readFile(b.kitPath)).slice(1);
    expect(eb.every((e) => e.mtime === 86_400)).toBe(true);
    expect(eb.map((e) => ({ ...e, mtime: 0 }))).toEqual(ea.map((e) => ({ ...e, mtime: 0 })));
  });

  it('reports progress: hash first, then pack, each ending complete', async () => {
    await writeTree(input, BASE_TREE);
    const events: ProgressEvent[] = [];
    await build({ onProgress: (e) => events.push(e) });
    const phases = events.map((e) => e.phase).filter((p, i, all) => all[i - 1] !== p);
    expect(phases).toEqual(['hash', 'pack']);
    const lastOf = (phase: string): ProgressEvent => events.filter((e) => e.phase === phase).at(-1)!;
    expect(lastOf('hash').bytesDone).toBe(lastOf('hash').bytesTotal);
    expect(lastOf('hash').itemsDone).toBe(7);
    expect(lastOf('pack').bytesDone).toBe(lastOf('pack').bytesTotal);
    expect(lastOf('pack').itemsDone).toBe(9);
  });

  it('splits into parts of the given size with an index, and does not leave the unsplit file', async () => {
    const big = Buffer.alloc(2_600_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    await writeTree(input, { ...BASE_TREE, 'payload/big.bin': big });
    const size = 1024 * 1024;
    const r = await build({ splitSize: size });
    expect(r.kitPath).toBe(path.join(outDir, 'demo.kit.tar.parts.json'));
    expect(r.archivePath).toBeNull();
    expect(r.parts!.map((p) => p.name)).toEqual(['demo.kit.tar.part001', 'demo.kit.tar.part002', 'demo.kit.tar.part003']);
    expect(r.parts!.slice(0, -1).every((p) => p.size === size)).toBe(true);
    const whole = Buffer.concat(await Promise.all(r.parts!.map((p) => fs.readFile(path.join(outDir, p.name)))));
    expect(whole.length).toBe(r.archiveSize);
    expect(sha(whole)).toBe(r.archiveSha256);
    const index = JSON.parse(await fs.readFile(r.kitPath, 'utf8')) as Record<string, unknown>;
    expect(index).toEqual({ schema: 'airlock.parts/v1', kit: 'demo.kit.tar', size: r.archiveSize, sha256: r.archiveSha256, parts: r.parts });
    expect((await fs.readdir(outDir)).sort()).toEqual(['demo.kit.tar.part001', 'demo.kit.tar.part002', 'demo.kit.tar.part003', 'demo.kit.tar.parts.json']);
    expect(readTar(whole).find((e) => e.path === 'payload/big.bin')!.data.equals(big)).toBe(true);
  });

  describe('refuses input that would make an invalid kit, and leaves nothing behind', () => {
    const cases: Array<{ name: string; code: string; path?: string; field?: string; setup: (dir: string) => Promise<void> }> = [
      { name: 'a symbolic link', code: 'KIT_ENTRY_TYPE', path: 'payload/link', setup: async (d) => fs.symlink('share/a.txt', path.join(d, 'payload/link')) },
      { name: 'a symbolic link to a folder', code: 'KIT_ENTRY_TYPE', path: 'payload/dirlink', setup: async (d) => fs.symlink('share', path.join(d, 'payload/dirlink')) },
      { name: 'a FIFO', code: 'KIT_ENTRY_TYPE', path: 'payload/pipe', setup: async (d) => { execFileSync('mkfifo', [path.join(d, 'payload/pipe')]); } },
      { name: 'a set-uid file', code: 'KIT_ENTRY_MODE', path: 'payload/bin/run', setup: async (d) => fs.chmod(path.join(d, 'payload/bin/run'), 0o4755) },
      { name: 'a sticky file', code: 'KIT_ENTRY_MODE', path: 'payload/share/a.txt', setup: async (d) => fs.chmod(path.join(d, 'payload/share/a.txt'), 0o1644) },
      { name: 'a Windows reserved name', code: 'KIT_PATH_UNSAFE', path: 'payload/CON.txt', setup: async (d) => fs.writeFile(path.join(d, 'payload/CON.txt'), 'x') },
      { name: 'a colon', code: 'KIT_PATH_UNSAFE', path: 'payload/a:b', setup: async (d) => fs.writeFile(path.join(d, 'payload/a:b'), 'x') },
      { name: 'a trailing dot', code: 'KIT_PATH_UNSAFE', path: 'payload/readme.', setup: async (d) => fs.writeFile(path.join(d, 'payload/readme.'), 'x') },
      { name: 'a trailing space in a folder name', code: 'KIT_PATH_UNSAFE', path: 'payload/dir ', setup: async (d) => { await fs.mkdir(path.join(d, 'payload/dir ')); await fs.writeFile(path.join(d, 'payload/dir /f'), 'x'); } },
      { name: 'a backslash', code: 'KIT_PATH_UNSAFE', path: 'payload/a\\b', setup: async (d) => fs.writeFile(path.join(d, 'payload/a\\b'), 'x') },
      { name: 'a case collision', code: 'KIT_PATH_COLLISION', path: 'payload/share/b.txt', setup: async (d) => fs.writeFile(path.join(d, 'payload/share/b.txt'), 'x') },
      { name: 'a name that collides with a generated root file', code: 'KIT_PATH_COLLISION', path: 'sha256sums', setup: async (d) => fs.writeFile(path.join(d, 'sha256sums'), 'x') },
      { name: 'a kit.json field that fails validation', code: 'KIT_MANIFEST_INVALID', field: 'version', setup: async (d) => fs.writeFile(path.join(d, 'kit.json'), manifest({ version: '1.0' })) },
      { name: 'a nested kit.json field', code: 'KIT_MANIFEST_INVALID', field: 'requires.platforms[0].os', setup: async (d) => fs.writeFile(path.join(d, 'kit.json'), manifest({ requires: { platforms: [{ os: 'beos', versions: ['5'] }] } })) },
      { name: 'kit.json that is not JSON', code: 'KIT_MANIFEST_INVALID', path: 'kit.json', setup: async (d) => fs.writeFile(path.join(d, 'kit.json'), '{"schema": ') },
      { name: 'a newer kit schema', code: 'KIT_SCHEMA', field: 'schema', setup: async (d) => fs.writeFile(path.join(d, 'kit.json'), manifest({ schema: 'airlock.kit/v2' })) },
      { name: 'a missing kit.json', code: 'BUILD_INPUT_INVALID', path: 'kit.json', setup: async (d) => fs.rm(path.join(d, 'kit.json')) },
      { name: 'a kit.json path that is not in the input', code: 'KIT_MANIFEST_INVALID', field: 'releaseNotes', setup: async (d) => fs.rm(path.join(d, 'docs/NOTES.md')) },
      { name: 'a migration file that is missing', code: 'KIT_MANIFEST_INVALID', field: 'migrations[0].path', setup: async (d) => fs.writeFile(path.join(d, 'kit.json'), manifest({ releaseNotes: 'docs/NOTES.md', databases: [{ id: 'app', engine: 'sqlite', path: 'var/app.db' }], migrations: [{ id: '0001_init', database: 'app', path: 'migrations/0001_init.sql' }] })) },
      {
        name: 'an OCI blob whose content does not match its name', code: 'OCI_BLOB_DIGEST', path: `images/blobs/sha256/${'0'.repeat(64)}`,
        setup: async (d) => writeTree(d, { 'images/oci-layout': '{"imageLayoutVersion":"1.0.0"}', 'images/index.json': '{"schemaVersion":2,"manifests":[]}', [`images/blobs/sha256/${'0'.repeat(64)}`]: 'not the content' }),
      },
      {
        name: 'an OCI manifest naming a blob that is not there', code: 'OCI_BLOB_MISSING', path: `images/blobs/sha256/${'1'.repeat(64)}`,
        setup: async (d) => {
          const m = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 2 }, layers: [] }));
          await writeTree(d, {
            'images/oci-layout': '{"imageLayoutVersion":"1.0.0"}',
            'images/index.json': JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${sha(m)}`, size: m.length }] }),
            [`images/blobs/sha256/${sha(m)}`]: m,
          });
        },
      },
    ];

    for (const c of cases) {
      it(`${c.name} → ${c.code}`, async () => {
        await writeTree(input, BASE_TREE);
        await c.setup(input);
        const before = await fs.readdir(outDir);
        const error = await errorOf(build());
        expect(error.code).toBe(c.code);
        if (c.path !== undefined) expect(error.path).toBe(c.path);
        if (c.field !== undefined) expect(error.field).toBe(c.field);
        expect(await fs.readdir(outDir)).toEqual(before);
      });
    }
  });

  it('refuses an existing output without --force, naming it, and replaces it (and stale parts) with --force', async () => {
    await writeTree(input, BASE_TREE);
    const out = path.join(outDir, 'demo.kit.tar');
    await fs.writeFile(out, 'old kit');
    const error = await errorOf(build());
    expect(error.code).toBe('OUTPUT_EXISTS');
    expect(error.path).toBe(out);
    expect(await fs.readFile(out, 'utf8')).toBe('old kit');
    // Leftovers of an earlier split build of the same name count too.
    await fs.rm(out);
    await fs.writeFile(path.join(outDir, 'demo.kit.tar.part007'), 'old part');
    expect((await errorOf(build())).code).toBe('OUTPUT_EXISTS');
    await fs.writeFile(out, 'old kit');
    await fs.writeFile(path.join(outDir, 'demo.kit.tar.parts.json'), '{}');
    const r = await build({ force: true });
    expect(r.removed.sort()).toEqual([path.join(outDir, 'demo.kit.tar.part007'), path.join(outDir, 'demo.kit.tar.parts.json')]);
    expect(await fs.readdir(outDir)).toEqual(['demo.kit.tar']);
    expect(readTar(await fs.readFile(out))[0]!.path).toBe('SHA256SUMS.sigstore.json');
  });

  it('refuses too many parts before writing anything', async () => {
    await writeTree(input, BASE_TREE);
    // A sparse file: large on paper, no disk and no reading, since the count is checked before hashing.
    const handle = await fs.open(path.join(input, 'payload/huge.bin'), 'w');
    await handle.truncate(1000 * 1024 * 1024);
    await handle.close();
    const error = await errorOf(build({ splitSize: 1024 * 1024 }));
    expect(error.code).toBe('USAGE');
    expect(error.message).toMatch(/at most 999 parts/);
    expect(await fs.readdir(outDir)).toEqual([]);
  });

  it('refuses an output inside the input folder and a split size under 1 MiB (USAGE)', async () => {
    await writeTree(input, BASE_TREE);
    expect((await errorOf(build({ out: path.join(input, 'demo.kit.tar') }))).code).toBe('USAGE');
    expect((await errorOf(build({ splitSize: 1000 }))).code).toBe('USAGE');
    expect((await errorOf(build({ sourceDateEpoch: -1 }))).code).toBe('USAGE');
    expect((await fs.readdir(input)).sort()).toEqual(['Zeta.md', 'docs', 'kit.json', 'payload']);
  });

  it('names a missing input folder (BUILD_INPUT_INVALID) and a missing output folder (IO_ERROR)', async () => {
    const noInput = await errorOf(build({ dir: path.join(tmp, 'nope') }));
    expect(noInput.code).toBe('BUILD_INPUT_INVALID');
    expect(noInput.path).toBe(path.join(tmp, 'nope'));
    await writeTree(input, BASE_TREE);
    const noOut = await errorOf(build({ out: path.join(tmp, 'missing', 'demo.kit.tar') }));
    expect(noOut.code).toBe('IO_ERROR');
    expect(noOut.path).toBe(path.join(tmp, 'missing'));
  });

  it('fails with BUILD_INPUT_INVALID when a file changes after it was hashed, leaving nothing', async () => {
    await writeTree(input, BASE_TREE);
    let edited = false;
    const error = await errorOf(build({
      onProgress: (e) => {
        if (e.phase === 'pack' && !edited) {
          edited = true;
          writeFileSync(path.join(input, 'payload/share/a.txt'), 'ALPHA\n');
        }
      },
    }));
    expect(error.code).toBe('BUILD_INPUT_INVALID');
    expect(error.path).toBe('payload/share/a.txt');
    expect(await fs.readdir(outDir)).toEqual([]);
  });

  it('stops with CANCELLED when aborted, in either phase, leaving nothing', async () => {
    await writeTree(input, BASE_TREE);
    for (const phase of ['hash', 'pack']) {
      const abort = new AbortController();
      const error = await errorOf(build({ signal: abort.signal, onProgress: (e) => { if (e.phase === phase) abort.abort(); } }));
      expect(error.code).toBe('CANCELLED');
      expect(await fs.readdir(outDir)).toEqual([]);
    }
  });

  it('deletes everything and reports the verifier\'s error when the self-check fails', async () => {
    await writeTree(input, BASE_TREE);
    const error = await errorOf(build({
      splitSize: 1024 * 1024,
      selfCheck: async () => { throw new AirlockError('KIT_DIGEST_MISMATCH', 'payload/x does not match', { path: 'payload/x' }); },
    }));
    expect(error.code).toBe('KIT_DIGEST_MISMATCH');
    expect(error.path).toBe('payload/x');
    expect(error.message).toMatch(/self-check/);
    expect(error.details).toMatchObject({ selfCheck: true });
    expect(await fs.readdir(outDir)).toEqual([]);
  });
});
