// Where a kit's bytes come from (KIT-FORMAT §1): a directory (unpacked kit), one
// archive file, or the parts of a split kit found through their index or through
// any one part. Archive bytes are streamed in large reads with one read always
// in flight, so the disk works while the caller hashes; nothing is held beyond
// the chunk in hand.
import { createHash, type Hash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open, readdir, readFile, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { MAX_KIT_PARTS, PARTS_INDEX_MAX_BYTES, PARTS_INDEX_SUFFIX, parsePartsIndex } from './parts-index.ts';

/** Big reads keep per-chunk overhead negligible next to hashing. */
export const KIT_READ_CHUNK_BYTES = 1024 * 1024;

export interface KitArchiveFile {
  /** File name (for parts, as in the index). */
  name: string;
  /** Path to open, built from the path the caller gave. */
  path: string;
  size: number;
  /** Expected sha256 of this part (split kits with an index), else null. */
  sha256: string | null;
}

export interface KitDirectorySource {
  kind: 'directory';
  path: string;
}

export interface KitArchiveSource {
  kind: 'archive';
  path: string;
  /** The archive file, or the parts in order. */
  files: KitArchiveFile[];
  split: boolean;
  /** The parts index used, if any. */
  indexPath: string | null;
  /** Whole-archive sha256 from the parts index, if any. */
  wholeSha256: string | null;
  bytesTotal: number;
}

export type KitSource = KitDirectorySource | KitArchiveSource;

export function cancelledError(): AirlockError {
  return new AirlockError('CANCELLED', 'kit reading was cancelled');
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

/** Wraps a file-system error: a missing file is KIT_NOT_FOUND, anything else IO_ERROR. */
export function fsError(error: unknown, file: string, what = 'read'): AirlockError {
  if (error instanceof AirlockError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new AirlockError('KIT_NOT_FOUND', `kit not found: ${file}`, { path: file, cause: error });
  return new AirlockError('IO_ERROR', `cannot ${what} ${file}: ${(error as Error).message}`, { path: file, cause: error });
}

const PART_RE = /^(.+)\.part(\d{3})$/;

function partFileName(kitFile: string, n: number): string {
  return `${kitFile}.part${String(n).padStart(3, '0')}`;
}

/** Decides what `kitPath` is and checks that every part of a split kit is present before anything is read. */
export async function openKitSource(kitPath: string): Promise<KitSource> {
  let st;
  try {
    st = await stat(kitPath);
  } catch (error) {
    throw fsError(error, kitPath);
  }
  if (st.isDirectory()) return { kind: 'directory', path: kitPath };
  if (!st.isFile()) throw new AirlockError('KIT_FORMAT', `not a kit: ${kitPath} is neither a file nor a directory`, { path: kitPath });

  const dir = path.dirname(kitPath);
  const base = path.basename(kitPath);
  if (base.endsWith(PARTS_INDEX_SUFFIX)) return openPartsIndex(kitPath);
  const m = PART_RE.exec(base);
  if (m) {
    const kitFile = m[1]!;
    const indexPath = path.join(dir, kitFile + PARTS_INDEX_SUFFIX);
    if (await exists(indexPath)) return openPartsIndex(indexPath);
    return openConsecutiveParts(dir, kitFile, kitPath);
  }
  return {
    kind: 'archive',
    path: kitPath,
    files: [{ name: base, path: kitPath, size: st.size, sha256: null }],
    split: false,
    indexPath: null,
    wholeSha256: null,
    bytesTotal: st.size,
  };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw fsError(error, p);
  }
}

async function openPartsIndex(indexPath: string): Promise<KitArchiveSource> {
  let bytes: Buffer;
  try {
    const st = await stat(indexPath);
    if (st.size > PARTS_INDEX_MAX_BYTES) {
      throw new AirlockError('KIT_PARTS_INVALID', `${indexPath} is larger than ${PARTS_INDEX_MAX_BYTES} bytes`, { path: indexPath });
    }
    bytes = await readFile(indexPath);
  } catch (error) {
    throw fsError(error, indexPath);
  }
  const index = parsePartsIndex(bytes, indexPath);
  const dir = path.dirname(indexPath);
  const files: KitArchiveFile[] = [];
  for (const [i, part] of index.parts.entries()) {
    const partPath = path.join(dir, part.name);
    let size: number;
    try {
      const st = await stat(partPath);
      if (!st.isFile()) throw new Error('not a regular file');
      size = st.size;
    } catch (error) {
      throw new AirlockError('KIT_PART_MISSING', `part ${i + 1} of ${index.parts.length} is missing: ${partPath}`, {
        path: partPath,
        details: { part: part.name, index: i + 1, count: index.parts.length },
        cause: error,
      });
    }
    if (size !== part.size) {
      throw new AirlockError('KIT_PART_MISSING', `part ${i + 1} of ${index.parts.length} is incomplete: ${partPath} has ${size} bytes, the index says ${part.size}`, {
        path: partPath,
        details: { part: part.name, index: i + 1, count: index.parts.length, size, expectedSize: part.size },
      });
    }
    files.push({ name: part.name, path: partPath, size, sha256: part.sha256 });
  }
  return { kind: 'archive', path: indexPath, files, split: true, indexPath, wholeSha256: index.sha256, bytesTotal: index.size };
}

/** Without an index, the parts are `<kitFile>.part001` … `.partNNN` with no gap. */
async function openConsecutiveParts(dir: string, kitFile: string, given: string): Promise<KitArchiveSource> {
  let names: string[];
  try {
    names = await readdir(dir === '' ? '.' : dir);
  } catch (error) {
    throw fsError(error, dir);
  }
  const numbers = new Set<number>();
  for (const name of names) {
    const m = PART_RE.exec(name);
    if (m && m[1] === kitFile) numbers.add(Number(m[2]));
  }
  const last = Math.max(...numbers);
  if (last > MAX_KIT_PARTS) throw new AirlockError('KIT_FORMAT', `a split kit has at most ${MAX_KIT_PARTS} parts`, { path: given });
  const files: KitArchiveFile[] = [];
  let total = 0;
  for (let n = 1; n <= last; n++) {
    const name = partFileName(kitFile, n);
    const partPath = path.join(dir, name);
    if (!numbers.has(n)) {
      throw new AirlockError('KIT_PART_MISSING', `part ${n} of the split kit is missing: ${partPath} (parts up to ${partFileName(kitFile, last)} are present)`, {
        path: partPath,
        details: { part: name, index: n },
      });
    }
    let size: number;
    try {
      const st = await stat(partPath);
      if (!st.isFile()) throw new AirlockError('KIT_PART_MISSING', `${partPath} is not a regular file`, { path: partPath, details: { part: name, index: n } });
      size = st.size;
    } catch (error) {
      throw fsError(error, partPath);
    }
    files.push({ name, path: partPath, size, sha256: null });
    total += size;
  }
  return { kind: 'archive', path: given, files, split: true, indexPath: null, wholeSha256: null, bytesTotal: total };
}

/**
 * A ring of read buffers. Fresh 1 MiB buffers cost a page fault per 4 KiB on
 * every read (and RSS until the GC runs); reusing two makes reading as cheap
 * as a copy. Safe because the consumer of readFileChunks finishes with a chunk
 * before it asks for the next one, while one more read is in flight.
 */
export class ChunkRing {
  private readonly buffers: Buffer[] = [];
  private next = 0;
  readonly chunkBytes: number;

  constructor(chunkBytes = KIT_READ_CHUNK_BYTES, count = 2) {
    this.chunkBytes = chunkBytes;
    for (let i = 0; i < count; i++) this.buffers.push(Buffer.allocUnsafeSlow(chunkBytes));
  }

  take(): Buffer {
    const buf = this.buffers[this.next]!;
    this.next = (this.next + 1) % this.buffers.length;
    return buf;
  }
}

/**
 * Yields `size` bytes of an open file in chunks, with the next read already in
 * flight while the caller works on the current chunk. A chunk is only valid
 * until the caller asks for the next one (the ring reuses it); copy to keep it.
 */
export async function* readFileChunks(fh: FileHandle, file: string, size: number, ring: ChunkRing, signal?: AbortSignal): AsyncGenerator<Buffer, void, undefined> {
  const readAt = async (pos: number): Promise<Buffer> => {
    const n = Math.min(ring.chunkBytes, size - pos);
    const buf = ring.take();
    const { bytesRead } = await fh.read(buf, 0, n, pos);
    return buf.subarray(0, bytesRead);
  };
  let pos = 0;
  let pending: Promise<Buffer> | undefined = size > 0 ? readAt(0) : undefined;
  try {
    while (pending) {
      let buf: Buffer;
      try {
        buf = await pending;
      } catch (error) {
        pending = undefined;
        throw fsError(error, file);
      }
      pending = undefined;
      throwIfCancelled(signal);
      if (buf.length === 0) throw new AirlockError('IO_ERROR', `${file} became shorter while it was being read`, { path: file });
      pos += buf.length;
      if (pos < size) pending = readAt(pos);
      yield buf;
    }
  } finally {
    // Never close the handle (or reuse its buffer) under a read still in flight.
    if (pending) await pending.catch(() => undefined);
  }
}

interface PartProgress {
  file: KitArchiveFile;
  index: number;
  /** Running digest of this part, null once it has been checked. */
  hash: Hash | null;
  pos: number;
}

/**
 * Streams an archive's bytes (all parts in order), checking each part's digest
 * as it ends and the whole digest at the end. When something downstream fails
 * while a part is being read, `explainFailure` finishes hashing that part so a
 * damaged part is reported as such (the admin must learn which stick is bad).
 */
export class ArchiveByteReader {
  bytesRead = 0;
  private readonly source: KitArchiveSource;
  private readonly signal: AbortSignal | undefined;
  private readonly onBytes: ((n: number) => void) | undefined;
  private readonly ring: ChunkRing;
  private readonly whole: Hash | null;
  private current: PartProgress | null = null;
  private failure: AirlockError | null = null;

  constructor(source: KitArchiveSource, opts: { signal?: AbortSignal; onBytes?: (n: number) => void; chunkBytes?: number } = {}) {
    this.source = source;
    this.signal = opts.signal;
    this.onBytes = opts.onBytes;
    this.ring = new ChunkRing(opts.chunkBytes ?? KIT_READ_CHUNK_BYTES);
    this.whole = source.wholeSha256 !== null ? createHash('sha256') : null;
  }

  async *chunks(): AsyncGenerator<Buffer, void, undefined> {
    for (const [index, file] of this.source.files.entries()) {
      yield* this.readPart(file, index);
    }
    if (this.whole) {
      const digest = this.whole.digest('hex');
      if (this.bytesRead !== this.source.bytesTotal || digest !== this.source.wholeSha256) {
        this.failure = new AirlockError(
          'KIT_PARTS_INVALID',
          `${this.source.indexPath}: every part matches, but together they do not match the index's whole-kit sha256 and size`,
          { path: this.source.indexPath ?? this.source.path, field: 'sha256', details: { expected: this.source.wholeSha256, actual: digest, size: this.bytesRead } },
        );
        throw this.failure;
      }
    }
  }

  private async *readPart(file: KitArchiveFile, index: number): AsyncGenerator<Buffer, void, undefined> {
    throwIfCancelled(this.signal);
    let fh: FileHandle;
    try {
      fh = await open(file.path, 'r');
    } catch (error) {
      throw fsError(error, file.path, 'open');
    }
    const state: PartProgress = { file, index, hash: file.sha256 !== null ? createHash('sha256') : null, pos: 0 };
    this.current = state;
    try {
      for await (const buf of readFileChunks(fh, file.path, file.size, this.ring, this.signal)) {
        // Digest and position move together, so explainFailure sees a consistent pair.
        state.hash?.update(buf);
        this.whole?.update(buf);
        state.pos += buf.length;
        this.bytesRead += buf.length;
        this.onBytes?.(buf.length);
        if (state.pos === file.size && state.hash) {
          const digest = state.hash.digest('hex');
          state.hash = null;
          if (digest !== file.sha256) {
            this.failure = this.partDigestError(state, digest);
            throw this.failure;
          }
        }
        yield buf;
      }
      if (this.current === state) this.current = null;
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  private partDigestError(state: PartProgress, actual: string, cause?: unknown): AirlockError {
    const count = this.source.files.length;
    return new AirlockError(
      'KIT_PART_DIGEST',
      `part ${state.index + 1} of ${count} is damaged: the sha256 of ${state.file.path} does not match the parts index`,
      {
        path: state.file.path,
        details: { part: state.file.name, index: state.index + 1, count, expected: state.file.sha256, actual },
        ...(cause === undefined ? {} : { cause }),
      },
    );
  }

  /**
   * Given an error raised downstream, returns the error to report: KIT_PART_DIGEST
   * when the part being read when it happened turns out damaged, else the error.
   */
  async explainFailure(error: unknown): Promise<unknown> {
    if (error instanceof AirlockError && (error.code === 'KIT_PART_DIGEST' || error.code === 'CANCELLED')) return error;
    if (this.failure) return this.failure;
    const state = this.current;
    if (!state || !state.hash || state.file.sha256 === null) return error;
    const hash = state.hash.copy();
    let pos = state.pos;
    let fh: FileHandle | undefined;
    try {
      fh = await open(state.file.path, fsConstants.O_RDONLY);
      const buf = Buffer.allocUnsafe(Math.min(this.ring.chunkBytes, Math.max(1, state.file.size - pos)));
      while (pos < state.file.size) {
        if (this.signal?.aborted) return cancelledError();
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, state.file.size - pos), pos);
        if (bytesRead === 0) break;
        hash.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
    } catch {
      return error;
    } finally {
      await fh?.close().catch(() => undefined);
    }
    const digest = hash.digest('hex');
    if (pos === state.file.size && digest === state.file.sha256) return error;
    return this.partDigestError(state, digest, error);
  }
}
