// KIT-FORMAT §1: what a kit path is, compression, truncation and split kits.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { ArchiveByteReader, openKitSource, type KitArchiveSource } from '../../../electron/core/kit/kit-source.ts';
import { verifyKit } from '../../../electron/core/kit/kit-verifier.ts';
import { FakeSignatureChecker, gzip, kitTar, makeKitFiles, writeSplitKit, zstd, type KitFile } from '../../helpers/tar-fixtures.ts';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-containers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(bytes: Uint8Array, name = `kit-${++n}.kit.tar`): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, bytes);
  return p;
}

async function refusal(kitPath: string): Promise<AirlockError> {
  try {
    await verifyKit(kitPath, { signature: new FakeSignatureChecker() });
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    return error as AirlockError;
  }
  throw new Error(`${kitPath} was accepted`);
}

const flip = (buf: Buffer, at: number): Buffer => {
  const copy = Buffer.from(buf);
  copy[at] = copy[at]! ^ 0x5a;
  return copy;
};

describe('what the kit path is', () => {
  it('KIT_NOT_FOUND names a missing path', async () => {
    const missing = path.join(dir, 'nope', 'hello.kit.tar');
    const error = await refusal(missing);
    expect([error.code, error.path]).toEqual(['KIT_NOT_FOUND', missing]);
  });

  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['a zip file', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(2000)])],
    ['random bytes', randomBytes(5000)],
    ['a text file', Buffer.from('this is not a kit\n'.repeat(100))],
    ['gzip data that is not a tar', gzip(Buffer.from('hello world\n'.repeat(100)))],
    ['zstd data that is not a tar', zstd(Buffer.from('hello world\n'.repeat(100)))],
  ])('KIT_FORMAT for %s', async (_name, bytes) => {
    expect((await refusal(await put(bytes))).code).toBe('KIT_FORMAT');
  });
});

describe('KIT_TRUNCATED', () => {
  const tar = kitTar(makeKitFiles({ files: { 'payload/a.bin': randomBytes(40_000), 'payload/b.txt': 'b\n' } }));

  it('for a tar cut inside an entry', async () => {
    expect((await refusal(await put(tar.subarray(0, 20_000)))).code).toBe('KIT_TRUNCATED');
  });

  it('for a tar cut between entries (no end-of-archive marker)', async () => {
    const kit = makeKitFiles();
    const whole = kitTar(kit, { recordSize: 512 });
    // Drop the last file's header+body and the end blocks: the cut lands on an entry boundary.
    expect((await refusal(await put(whole.subarray(0, whole.length - 1024 - 1024)))).code).toBe('KIT_TRUNCATED');
  });

  it.each([
    ['gzip', gzip],
    ['zstd', zstd],
  ])('for a truncated %s stream', async (_name, compress) => {
    const c = compress(tar);
    expect((await refusal(await put(c.subarray(0, Math.floor(c.length * 0.7))))).code).toBe('KIT_TRUNCATED');
    expect((await refusal(await put(c.subarray(0, c.length - 4)))).code).toBe('KIT_TRUNCATED');
  });

  it.each([
    ['gzip', gzip],
    ['zstd', zstd],
  ])('for a damaged %s stream', async (_name, compress) => {
    const c = compress(tar);
    const error = await refusal(await put(flip(c, Math.floor(c.length / 2))));
    expect(['KIT_TRUNCATED', 'KIT_DIGEST_MISMATCH']).toContain(error.code);
    const error2 = await refusal(await put(flip(c, c.length - 6)));
    expect(error2.code).toBe('KIT_TRUNCATED');
  });
});

describe('split kits', () => {
  // ~3.6 MiB so each part is larger than one 1 MiB read, with small files inside part 2.
  const files = (): KitFile[] => {
    const payload: Record<string, Buffer> = { 'payload/a-first.bin': randomBytes(1_300_000) };
    for (let i = 0; i < 30; i++) payload[`payload/b-small-${String(i).padStart(2, '0')}.bin`] = randomBytes(2000);
    payload['payload/c-last.bin'] = randomBytes(2_200_000);
    return makeKitFiles({ files: payload });
  };
  const kit = files();
  const tar = kitTar(kit);
  const partSize = Math.ceil(tar.length / 3);

  /** Offset in the archive of the body of a file (its header holds the path at a block start). */
  function bodyOffset(archive: Buffer, filePath: string): number {
    const name = Buffer.concat([Buffer.from(filePath), Buffer.alloc(1)]);
    for (let at = archive.indexOf(name); at >= 0; at = archive.indexOf(name, at + 1)) {
      if (at % 512 === 0) return at + 512;
    }
    throw new Error(`no header for ${filePath}`);
  }

  async function split(archive: Buffer, opts: { index?: boolean } = {}) {
    return writeSplitKit(path.join(dir, `split-${++n}`), 'app-1.0.0.kit.tar', archive, Math.ceil(archive.length / 3), opts);
  }

  async function damage(partPath: string, at: number) {
    const bytes = await readFile(partPath);
    await writeFile(partPath, flip(bytes, at));
  }

  it('verifies through the index and through any part', async () => {
    const s = await split(tar);
    expect(s.partPaths).toHaveLength(3);
    for (const p of [s.indexPath, ...s.partPaths]) {
      expect((await verifyKit(p, { signature: new FakeSignatureChecker() })).summary.container).toEqual({ kind: 'archive', compression: 'none', parts: 3, bytesRead: tar.length });
    }
  });

  it.each([
    ['in a small file that ends inside part 2 (a digest mismatch while part 2 is read)', () => bodyOffset(tar, 'payload/b-small-05.bin') + 100],
    ['in a tar header inside part 2', () => bodyOffset(tar, 'payload/b-small-10.bin') - 512 + 20],
    ['in a file body that runs on into part 3', () => bodyOffset(tar, 'payload/c-last.bin') + 1000],
    ['in the last byte of part 2', () => 2 * partSize - 1],
  ])('KIT_PART_DIGEST names part002 for damage %s', async (_name, where) => {
    const at = where();
    expect(at).toBeGreaterThanOrEqual(partSize);
    expect(at).toBeLessThan(2 * partSize);
    for (const via of ['index', 'part'] as const) {
      const s = await split(tar);
      await damage(s.partPaths[1]!, at - partSize);
      const error = await refusal(via === 'index' ? s.indexPath : s.partPaths[2]!);
      expect(error.code).toBe('KIT_PART_DIGEST');
      expect(error.path).toBe(s.partPaths[1]);
      expect(error.details).toMatchObject({ part: 'app-1.0.0.kit.tar.part002', index: 2, count: 3 });
    }
  });

  it('KIT_PART_DIGEST names part002 for damage inside part 2 of a gzip kit', async () => {
    const gz = gzip(tar);
    const s = await split(gz);
    await damage(s.partPaths[1]!, 1000);
    const error = await refusal(s.indexPath);
    expect([error.code, error.path]).toEqual(['KIT_PART_DIGEST', s.partPaths[1]]);
  });

  it('without an index the damage shows as what it broke', async () => {
    const s = await split(tar, { index: false });
    await damage(s.partPaths[1]!, bodyOffset(tar, 'payload/b-small-05.bin') + 100 - partSize);
    const error = await refusal(s.partPaths[0]!);
    expect([error.code, error.path]).toEqual(['KIT_DIGEST_MISMATCH', 'payload/b-small-05.bin']);
  });

  it('KIT_PART_MISSING names a part the index lists but the folder lacks', async () => {
    const s = await split(tar);
    await unlink(s.partPaths[1]!);
    for (const p of [s.indexPath, s.partPaths[0]!]) {
      const error = await refusal(p);
      expect([error.code, error.path]).toEqual(['KIT_PART_MISSING', s.partPaths[1]]);
    }
  });

  it('KIT_PART_MISSING names a part of the wrong size before reading anything', async () => {
    const s = await split(tar);
    const bytes = await readFile(s.partPaths[2]!);
    await writeFile(s.partPaths[2]!, bytes.subarray(0, bytes.length - 1));
    const error = await refusal(s.indexPath);
    expect([error.code, error.path]).toEqual(['KIT_PART_MISSING', s.partPaths[2]]);
  });

  it('KIT_PART_MISSING names the first gap when there is no index', async () => {
    const s = await split(tar, { index: false });
    await unlink(s.partPaths[1]!);
    const error = await refusal(s.partPaths[2]!);
    expect([error.code, error.path]).toEqual(['KIT_PART_MISSING', s.partPaths[1]]);
    await unlink(s.partPaths[0]!);
    const error2 = await refusal(s.partPaths[2]!);
    expect([error2.code, error2.path]).toEqual(['KIT_PART_MISSING', s.partPaths[0]]);
  });

  it('KIT_PARTS_INVALID for a malformed index', async () => {
    const s = await split(tar);
    await writeFile(s.indexPath, '{"schema": "airlock.parts/v1", "kit": ');
    const error = await refusal(s.indexPath);
    expect([error.code, error.path]).toEqual(['KIT_PARTS_INVALID', s.indexPath]);
  });

  it('KIT_PARTS_INVALID for a part name that leaves the index\'s folder', async () => {
    const s = await split(tar);
    const index = { ...s.index, parts: s.index.parts.map((p, i) => (i === 1 ? { ...p, name: `../${p.name}` } : p)) };
    await writeFile(s.indexPath, JSON.stringify(index));
    const error = await refusal(s.partPaths[0]!);
    expect([error.code, error.field]).toEqual(['KIT_PARTS_INVALID', 'parts[1].name']);
  });

  it('KIT_PARTS_INVALID when intact parts do not add up to the index\'s whole-kit digest', async () => {
    const s = await split(tar);
    await writeFile(s.indexPath, JSON.stringify({ ...s.index, sha256: 'e'.repeat(64) }));
    const error = await refusal(s.indexPath);
    expect([error.code, error.field]).toEqual(['KIT_PARTS_INVALID', 'sha256']);
  });
});

describe('ArchiveByteReader.explainFailure', () => {
  const archive = randomBytes(30_000);

  async function readUntil(source: KitArchiveSource, stopAt: number): Promise<ArchiveByteReader> {
    const reader = new ArchiveByteReader(source, { chunkBytes: 1000 });
    let seen = 0;
    try {
      for await (const chunk of reader.chunks()) {
        seen += chunk.length;
        if (seen >= stopAt) throw new AirlockError('KIT_DIGEST_MISMATCH', 'downstream');
      }
    } catch (error) {
      expect((error as AirlockError).code).toBe('KIT_DIGEST_MISMATCH');
    }
    return reader;
  }

  it('finishes hashing the part being read and blames it when it is damaged', async () => {
    const s = await writeSplitKit(path.join(dir, `explain-${++n}`), 'x.kit.tar', archive, 10_000);
    await writeFile(s.partPaths[1]!, flip(await readFile(s.partPaths[1]!), 9_500));
    const source = (await openKitSource(s.indexPath)) as KitArchiveSource;
    const reader = await readUntil(source, 12_000);
    const downstream = new AirlockError('KIT_DIGEST_MISMATCH', 'downstream');
    const explained = (await reader.explainFailure(downstream)) as AirlockError;
    expect([explained.code, explained.path]).toEqual(['KIT_PART_DIGEST', s.partPaths[1]]);
    expect(explained.cause).toBe(downstream);
  });

  it('keeps the original error when the part is intact', async () => {
    const s = await writeSplitKit(path.join(dir, `explain-${++n}`), 'x.kit.tar', archive, 10_000);
    const source = (await openKitSource(s.indexPath)) as KitArchiveSource;
    const reader = await readUntil(source, 12_000);
    const downstream = new AirlockError('KIT_DIGEST_MISMATCH', 'downstream');
    expect(await reader.explainFailure(downstream)).toBe(downstream);
  });
});
