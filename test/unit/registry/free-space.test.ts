import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  COMPRESSED_SIZE_FACTOR, SPACE_MARGIN_BYTES, checkFreeSpace, estimateKitBytes, spaceNeeded,
} from '../../../electron/core/registry/free-space.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-space-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const MiB = 1024 * 1024;

describe('estimateKitBytes', () => {
  it('uses the size of an uncompressed archive as is', async () => {
    const kit = path.join(tmp, 'a.kit.tar');
    fs.writeFileSync(kit, Buffer.alloc(10_240, 0x41));
    expect(await estimateKitBytes(kit)).toMatchObject({ bytes: 10_240, mediumBytes: 10_240, compressed: false });
  });

  it('multiplies a compressed archive by the factor and says so, detecting compression from magic bytes', async () => {
    const kit = path.join(tmp, 'kit.bin');
    const gz = zlib.gzipSync(Buffer.alloc(100_000, 1));
    fs.writeFileSync(kit, gz);
    const e = await estimateKitBytes(kit);
    expect(e).toMatchObject({ bytes: gz.length * COMPRESSED_SIZE_FACTOR, mediumBytes: gz.length, compressed: true });
    expect(e.basis).toContain('gzip');
    const zst = path.join(tmp, 'kit2.bin');
    fs.writeFileSync(zst, Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(60)]));
    expect((await estimateKitBytes(zst)).basis).toContain('zstd');
  });

  it('adds up the parts of a split kit, given the index or any part', async () => {
    const base = path.join(tmp, 's.kit.tar');
    fs.writeFileSync(`${base}.part001`, Buffer.alloc(3000));
    fs.writeFileSync(`${base}.part002`, Buffer.alloc(1000));
    fs.writeFileSync(`${base}.parts.json`, '{}');
    expect((await estimateKitBytes(`${base}.parts.json`)).bytes).toBe(4000);
    expect((await estimateKitBytes(`${base}.part002`)).bytes).toBe(4000);
  });

  it('adds up the files of an unpacked kit', async () => {
    fs.mkdirSync(path.join(tmp, 'kit/payload/bin'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'kit/kit.json'), Buffer.alloc(100));
    fs.writeFileSync(path.join(tmp, 'kit/payload/bin/x'), Buffer.alloc(900));
    expect((await estimateKitBytes(path.join(tmp, 'kit'))).bytes).toBe(1000);
  });

  it('reports a missing kit as KIT_NOT_FOUND', async () => {
    await expect(estimateKitBytes(path.join(tmp, 'nope.kit.tar'))).rejects.toMatchObject({ code: 'KIT_NOT_FOUND' });
  });
});

describe('checkFreeSpace', () => {
  const estimate = { bytes: 200 * MiB, mediumBytes: 200 * MiB, compressed: false, basis: 'size of the uncompressed archive' };

  it('needs the estimate plus 5 % and 64 MiB', () => {
    expect(spaceNeeded(200 * MiB)).toBe(Math.ceil(210 * MiB) + SPACE_MARGIN_BYTES);
  });

  it('passes when enough is free', () => {
    const r = checkFreeSpace('/data', estimate, () => ({ bavail: BigInt(300 * 256), bsize: 4096 }));
    expect(r.free).toBe(300 * MiB);
  });

  it('fails with INSUFFICIENT_SPACE naming the folder, the need and what is free', () => {
    let error: unknown;
    try {
      checkFreeSpace('/data/airlock', estimate, () => ({ bavail: 256 * 100, bsize: 4096 }));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'INSUFFICIENT_SPACE',
      path: '/data/airlock',
      details: { freeBytes: 100 * MiB, neededBytes: spaceNeeded(200 * MiB) },
    });
    expect((error as Error).message).toMatch(/\/data\/airlock has 100 MiB free, the import needs about 27\d MiB/);
  });
});
