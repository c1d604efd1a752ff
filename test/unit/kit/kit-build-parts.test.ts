import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { checkPartCount, FAT32_PART_SIZE, KitPartsWriter, MAX_PARTS, parseSplitSize, partName } from '../../../electron/core/kit/kit-parts-writer.ts';
import { parsePartsIndex } from '../../../electron/core/kit/parts-index.ts';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    return (error as AirlockError).code;
  }
  throw new Error('expected a failure');
}

describe('--split-size values', () => {
  it('knows the fat32 preset: 4 GiB minus 64 KiB', () => {
    expect(FAT32_PART_SIZE).toBe(4 * 1024 ** 3 - 64 * 1024);
    expect(FAT32_PART_SIZE).toBe(4_294_901_760);
    expect(parseSplitSize('fat32')).toBe(FAT32_PART_SIZE);
    expect(parseSplitSize('FAT32')).toBe(FAT32_PART_SIZE);
  });

  it('takes a byte count of at least 1 MiB and refuses anything else as USAGE', async () => {
    expect(parseSplitSize('1048576')).toBe(1048576);
    expect(parseSplitSize('700000000')).toBe(700_000_000);
    for (const bad of ['1048575', '0', '-5', '1e9', '1G', '', 'fat16', '12.5']) {
      expect(await codeOf(() => parseSplitSize(bad))).toBe('USAGE');
    }
  });

  it('refuses a size that would need more than 999 parts, saying what would do', () => {
    expect(() => checkPartCount(999 * 1024 * 1024, 1024 * 1024)).not.toThrow();
    let error: unknown;
    try {
      checkPartCount(999 * 1024 * 1024 + 1, 1024 * 1024);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code).toBe('USAGE');
    expect((error as AirlockError).message).toContain('999');
    expect((error as AirlockError).message).toContain(`--split-size ${Math.ceil((999 * 1024 * 1024 + 1) / 999)}`);
  });
});

describe('KitPartsWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-parts-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const data = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) % 251));

  async function write(bytes: Buffer, splitSize: number | undefined, chunk = 333): Promise<KitPartsWriter> {
    const writer = new KitPartsWriter({ dir, fileName: 'k.kit.tar', ...(splitSize === undefined ? {} : { splitSize }) });
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
    await pipeline(Readable.from(chunks), writer);
    return writer;
  }

  it('writes one file when not split, with its size and digest', async () => {
    const bytes = data(5000);
    const w = await write(bytes, undefined);
    const r = w.result();
    expect(r).toEqual({ parts: [{ name: 'k.kit.tar', size: 5000, sha256: sha(bytes) }], size: 5000, sha256: sha(bytes) });
    expect((await fs.readFile(path.join(dir, 'k.kit.tar'))).equals(bytes)).toBe(true);
    expect(await fs.readdir(dir)).toEqual(['k.kit.tar']);
  });

  it('cuts byte ranges into numbered parts and writes an index the reader accepts', async () => {
    const bytes = data(2500);
    const w = await write(bytes, 1000);
    const { name, index } = await w.writeIndex();
    expect(name).toBe('k.kit.tar.parts.json');
    expect(index.parts.map((p) => [p.name, p.size])).toEqual([['k.kit.tar.part001', 1000], ['k.kit.tar.part002', 1000], ['k.kit.tar.part003', 500]]);
    for (const [i, p] of index.parts.entries()) {
      const content = await fs.readFile(path.join(dir, p.name));
      expect(content.equals(bytes.subarray(i * 1000, i * 1000 + p.size))).toBe(true);
      expect(p.sha256).toBe(sha(content));
    }
    const onDisk = await fs.readFile(path.join(dir, name));
    const parsed = parsePartsIndex(onDisk, name);
    expect(parsed).toEqual({ schema: 'airlock.parts/v1', kit: 'k.kit.tar', size: 2500, sha256: sha(bytes), parts: index.parts });
    expect(Object.keys(JSON.parse(onDisk.toString('utf8')))).toEqual(['schema', 'kit', 'size', 'sha256', 'parts']);
  });

  it('leaves no empty last part when the archive ends on a part boundary', async () => {
    const w = await write(data(3000), 1000, 1000);
    expect(w.result().parts.map((p) => p.name)).toEqual([partName('k.kit.tar', 1), partName('k.kit.tar', 2), partName('k.kit.tar', 3)]);
    expect((await fs.readdir(dir)).sort()).toEqual(['k.kit.tar.part001', 'k.kit.tar.part002', 'k.kit.tar.part003']);
  });

  it('fails with USAGE when a 1000th part would be needed', async () => {
    const writer = new KitPartsWriter({ dir, fileName: 'k.kit.tar', splitSize: 1, durable: false });
    const error = await pipeline(Readable.from([data(MAX_PARTS + 1)]), writer).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code).toBe('USAGE');
    expect((await fs.readdir(dir)).length).toBe(MAX_PARTS);
  });

  it('refuses to overwrite a file that is already there (IO_ERROR naming it)', async () => {
    await fs.writeFile(path.join(dir, 'k.kit.tar'), 'old');
    const error = await write(data(10), undefined).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code).toBe('IO_ERROR');
    expect((error as AirlockError).path).toBe(path.join(dir, 'k.kit.tar'));
  });
});
