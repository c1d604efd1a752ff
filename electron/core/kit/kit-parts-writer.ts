// Where the archive bytes go: one file, or byte ranges of at most `splitSize`
// bytes in `<kitfile>.part001`… plus the `<kitfile>.parts.json` index
// (KIT-FORMAT §1). Every file is hashed as it is written and fsynced before it
// is closed, so the index can be written without reading anything back.
import { createHash, type Hash } from 'node:crypto';
import { open, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { MAX_KIT_PARTS, PARTS_INDEX_SCHEMA, PARTS_INDEX_SUFFIX, type ParsedPartsIndex, type PartsIndexEntry } from './parts-index.ts';

/** 4 GiB − 64 KiB: below FAT32's 4 GiB − 1 byte file size limit. */
export const FAT32_PART_SIZE = 4_294_901_760;
export const MIN_PART_SIZE = 1024 * 1024;
export const MAX_PARTS = MAX_KIT_PARTS;

export type WrittenPart = PartsIndexEntry;

export function partName(kitFileName: string, index: number): string {
  return `${kitFileName}.part${String(index).padStart(3, '0')}`;
}

export function partsIndexName(kitFileName: string): string {
  return `${kitFileName}${PARTS_INDEX_SUFFIX}`;
}

/** `fat32` or a whole number of bytes, at least MIN_PART_SIZE. */
export function parseSplitSize(value: string): number {
  const text = value.trim().toLowerCase();
  if (text === 'fat32') return FAT32_PART_SIZE;
  if (!/^[0-9]+$/.test(text)) {
    throw new AirlockError('USAGE', `--split-size must be a number of bytes or "fat32", not "${value}"`, { field: '--split-size' });
  }
  const n = Number(text);
  checkSplitSize(n);
  return n;
}

export function checkSplitSize(n: number): void {
  if (!Number.isSafeInteger(n) || n < MIN_PART_SIZE) {
    throw new AirlockError('USAGE', `--split-size must be at least ${MIN_PART_SIZE} bytes (1 MiB); got ${n}`, { field: '--split-size' });
  }
}

function tooManyParts(splitSize: number, knownSize?: number): AirlockError {
  const need = knownSize === undefined ? '' : `; this kit is ${knownSize} bytes, so use --split-size ${Math.ceil(knownSize / MAX_PARTS)} or more`;
  return new AirlockError('USAGE', `a split kit has at most ${MAX_PARTS} parts, and parts of ${splitSize} bytes would need more${need}`, {
    field: '--split-size',
    details: { splitSize, maxParts: MAX_PARTS, ...(knownSize === undefined ? {} : { size: knownSize }) },
  });
}

/** Refuses up front when the final size is known (uncompressed kits). */
export function checkPartCount(size: number, splitSize: number): void {
  if (Math.ceil(size / splitSize) > MAX_PARTS) throw tooManyParts(splitSize, size);
}

function ioError(file: string, error: unknown): AirlockError {
  if (error instanceof AirlockError) return error;
  return new AirlockError('IO_ERROR', `cannot write ${file}: ${(error as Error).message}`, { path: file, cause: error });
}

/**
 * A Writable that puts the archive into `dir`: as `fileName` when splitSize is
 * undefined, else as numbered parts. Parts are opened only when bytes arrive,
 * so an archive that ends exactly on a part boundary has no empty last part.
 */
export class KitPartsWriter extends Writable {
  private readonly dir: string;
  private readonly fileName: string;
  private readonly splitSize: number | undefined;
  private readonly whole = createHash('sha256');
  private readonly written: WrittenPart[] = [];
  private current: { name: string; handle: FileHandle; hash: Hash; size: number } | undefined;
  private total = 0;
  private wholeSha256: string | undefined;
  private readonly durable: boolean;

  /** durable: false skips fsync (tests that write hundreds of tiny parts). */
  constructor(opts: { dir: string; fileName: string; splitSize?: number; durable?: boolean }) {
    super({ highWaterMark: 1024 * 1024 });
    this.dir = opts.dir;
    this.fileName = opts.fileName;
    this.splitSize = opts.splitSize;
    this.durable = opts.durable ?? true;
  }

  /** Files written so far, in order (names relative to dir). */
  get files(): string[] {
    const names = this.written.map((p) => p.name);
    if (this.current) names.push(this.current.name);
    return names;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeChunk(chunk).then(() => callback(), (error: unknown) => callback(error as Error));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.closeCurrent()
      .then(async () => {
        if (this.written.length === 0) await this.openNext(); // an empty archive is still a file
        await this.closeCurrent();
        this.wholeSha256 = this.whole.digest('hex');
      })
      .then(() => callback(), (error: unknown) => callback(error as Error));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const current = this.current;
    this.current = undefined;
    if (!current) {
      callback(error);
      return;
    }
    current.handle.close().then(() => callback(error), () => callback(error));
  }

  private async writeChunk(chunk: Buffer): Promise<void> {
    this.whole.update(chunk);
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.current) await this.openNext();
      const current = this.current!;
      const room = this.splitSize === undefined ? chunk.length - offset : this.splitSize - current.size;
      const piece = chunk.subarray(offset, offset + Math.min(room, chunk.length - offset));
      await writeAll(current.handle, piece, path.join(this.dir, current.name));
      current.hash.update(piece);
      current.size += piece.length;
      this.total += piece.length;
      offset += piece.length;
      if (this.splitSize !== undefined && current.size >= this.splitSize) await this.closeCurrent();
    }
  }

  private async openNext(): Promise<void> {
    const index = this.written.length + 1;
    if (this.splitSize !== undefined && index > MAX_PARTS) throw tooManyParts(this.splitSize);
    const name = this.splitSize === undefined ? this.fileName : partName(this.fileName, index);
    const file = path.join(this.dir, name);
    let handle: FileHandle;
    try {
      handle = await open(file, 'wx');
    } catch (error) {
      throw ioError(file, error);
    }
    this.current = { name, handle, hash: createHash('sha256'), size: 0 };
  }

  private async closeCurrent(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    const file = path.join(this.dir, current.name);
    try {
      if (this.durable) await current.handle.sync();
    } catch (error) {
      await current.handle.close().catch(() => undefined);
      throw ioError(file, error);
    }
    try {
      await current.handle.close();
    } catch (error) {
      throw ioError(file, error);
    }
    this.written.push({ name: current.name, size: current.size, sha256: current.hash.digest('hex') });
  }

  /** After 'finish': the parts (or the one file), the total size and the whole archive's SHA-256. */
  result(): { parts: WrittenPart[]; size: number; sha256: string } {
    if (this.wholeSha256 === undefined) throw new Error('KitPartsWriter.result() called before the stream finished');
    return { parts: [...this.written], size: this.total, sha256: this.wholeSha256 };
  }

  /** Writes `<kitfile>.parts.json` next to the parts and returns its name. */
  async writeIndex(): Promise<{ name: string; index: ParsedPartsIndex }> {
    const { parts, size, sha256 } = this.result();
    const index: ParsedPartsIndex = { schema: PARTS_INDEX_SCHEMA, kit: this.fileName, size, sha256, parts };
    const name = partsIndexName(this.fileName);
    const file = path.join(this.dir, name);
    try {
      await writeFile(file, JSON.stringify(index, null, 2) + '\n', { flag: 'wx' });
      const handle = await open(file, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw ioError(file, error);
    }
    return { name, index };
  }
}

async function writeAll(handle: FileHandle, bytes: Buffer, file: string): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    let n: number;
    try {
      ({ bytesWritten: n } = await handle.write(bytes, done, bytes.length - done));
    } catch (error) {
      throw ioError(file, error);
    }
    done += n;
  }
}
