// Content-addressed blob store (DESIGN §2 rule 6), laid out so that it is at
// the same time the blob directory of an OCI Image Layout:
//   <registry>/oci/blobs/sha256/<hex>   committed blobs, never rewritten
//   <registry>/oci/oci-layout           marks the layout
//   <registry>/ingest/                  writes in progress, never visible
// A blob is written to ingest/, fsynced, and only then renamed to its digest
// name, so a file under blobs/ is always complete and correct.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { nodeStoreFs, type CrashHook, type StoreFs } from './store-fs.ts';

export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion":"1.0.0"}';
const HEX64 = /^[0-9a-f]{64}$/;
/** Bytes gathered before one write call: large enough to keep syscalls few, small enough to keep memory flat. */
const WRITE_BUFFER_BYTES = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export interface BlobStoreDeps {
  fs?: StoreFs;
  crash?: CrashHook;
}

export function hexOf(digest: string): string {
  const hex = digest.startsWith('sha256:') ? digest.slice(7) : digest;
  if (!HEX64.test(hex)) throw new AirlockError('INTERNAL', `not a sha256 digest: "${digest}"`);
  return hex;
}

function isErrno(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

/** Turns an fs failure in the store into a coded error naming the path; ENOSPC is a full disk. */
export function storeIoError(error: unknown, what: string, file: string): AirlockError {
  if (error instanceof AirlockError) return error;
  if (isErrno(error, 'ENOSPC', 'EDQUOT')) {
    return new AirlockError('INSUFFICIENT_SPACE', `the disk holding ${file} is full (${what})`, { path: file, cause: error });
  }
  return new AirlockError('IO_ERROR', `${what}: ${(error as Error).message}`, { path: file, cause: error });
}

/** fsyncs a directory so the renames in it survive power loss (a no-op where directories cannot be opened, e.g. Windows). */
async function syncDir(fsApi: StoreFs, dir: string): Promise<void> {
  let fd: number;
  try {
    fd = fsApi.openSync(dir, 'r');
  } catch (error) {
    if (isErrno(error, 'EISDIR', 'EPERM', 'EACCES', 'EINVAL')) return;
    throw error;
  }
  try {
    await fsApi.fsync(fd);
  } catch (error) {
    if (!isErrno(error, 'EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'EBADF')) throw error;
  } finally {
    fsApi.closeSync(fd);
  }
}

/** Writes all of `bytes` to the fd synchronously (short writes happen on some file systems). */
function writeAllSync(fsApi: StoreFs, fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.byteLength) offset += fsApi.writeSync(fd, bytes, offset, bytes.byteLength - offset);
}

async function writeAll(fsApi: StoreFs, fd: number, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) offset += await fsApi.write(fd, bytes, offset, bytes.byteLength - offset);
}

export class BlobStore {
  readonly registryDir: string;
  readonly ociDir: string;
  readonly blobsDir: string;
  readonly ingestDir: string;
  readonly fs: StoreFs;
  private readonly crash: CrashHook;

  constructor(registryDir: string, deps: BlobStoreDeps = {}) {
    this.registryDir = registryDir;
    this.ociDir = path.join(registryDir, 'oci');
    this.blobsDir = path.join(this.ociDir, 'blobs', 'sha256');
    this.ingestDir = path.join(registryDir, 'ingest');
    this.fs = deps.fs ?? nodeStoreFs;
    this.crash = deps.crash ?? (() => {});
  }

  /** Creates the directories and the oci-layout marker. */
  async init(): Promise<void> {
    try {
      await this.fs.mkdir(this.blobsDir, { recursive: true });
      await this.fs.mkdir(this.ingestDir, { recursive: true });
    } catch (error) {
      throw storeIoError(error, 'cannot create the registry folders', this.registryDir);
    }
    const marker = path.join(this.ociDir, OCI_LAYOUT_FILE);
    let current: string | undefined;
    try {
      current = await this.fs.readFile(marker, 'utf8');
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw storeIoError(error, 'cannot read the OCI layout marker', marker);
    }
    if (current !== OCI_LAYOUT_CONTENT) await this.writeFileAtomic(marker, Buffer.from(OCI_LAYOUT_CONTENT));
  }

  blobPath(digest: string): string {
    return path.join(this.blobsDir, hexOf(digest));
  }

  /** Size of the committed blob, or undefined when it is absent. */
  async size(digest: string): Promise<number | undefined> {
    try {
      const st = await this.fs.stat(this.blobPath(digest));
      return st.isFile() ? st.size : undefined;
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return undefined;
      throw storeIoError(error, 'cannot read the blob store', this.blobPath(digest));
    }
  }

  /** A blob counts as present when its file exists with the expected size: files only get their name after their digest was checked. */
  async has(digest: string, size: number): Promise<boolean> {
    return (await this.size(digest)) === size;
  }

  async read(digest: string): Promise<Buffer> {
    try {
      return await this.fs.readFile(this.blobPath(digest));
    } catch (error) {
      throw storeIoError(error, 'cannot read a blob', this.blobPath(digest));
    }
  }

  /** Re-hashes a committed blob (consistency checks and tests; imports never do this for present blobs). */
  async computeDigest(digest: string): Promise<string | undefined> {
    const file = this.blobPath(digest);
    if (!fs.existsSync(file)) return undefined;
    const hash = createHash('sha256');
    for await (const chunk of fs.createReadStream(file, { highWaterMark: WRITE_BUFFER_BYTES })) hash.update(chunk as Buffer);
    return `sha256:${hash.digest('hex')}`;
  }

  /** Every committed blob, as "sha256:<hex>"; names that are not digests are ignored. */
  async listDigests(): Promise<string[]> {
    const names = await this.fs.readdir(this.blobsDir).catch((error: unknown) => {
      if (isErrno(error, 'ENOENT')) return [] as string[];
      throw storeIoError(error, 'cannot list the blob store', this.blobsDir);
    });
    return names.filter((n) => HEX64.test(n)).map((n) => `sha256:${n}`).sort();
  }

  /** Starts a write into ingest/; `expectedSize`, when known, lets the writer close its file as soon as the last byte is in. */
  async createWriter(expectedSize?: number): Promise<BlobWriter> {
    const file = path.join(this.ingestDir, `${process.pid}-${randomBytes(8).toString('hex')}`);
    let fd: number;
    try {
      fd = this.fs.openSync(file, 'wx', 0o644);
    } catch (error) {
      throw storeIoError(error, 'cannot create a file in the ingest folder', file);
    }
    this.crash('ingest-opened');
    return new BlobWriter(this, fd, file, expectedSize, this.crash);
  }

  /** Writes bytes whose digest is computed here (small things); returns the digest. */
  async putBytes(bytes: Uint8Array): Promise<{ digest: string; written: boolean }> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (await this.has(digest, bytes.byteLength)) return { digest, written: false };
    const writer = await this.createWriter(bytes.byteLength);
    try {
      await writer.write(bytes);
      const outcome = await writer.commit(digest, bytes.byteLength);
      return { digest, written: outcome === 'written' };
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  /** Makes the renames into blobs/ durable; called once before the catalog commits. */
  async syncBlobsDir(): Promise<void> {
    try {
      await syncDir(this.fs, this.blobsDir);
    } catch (error) {
      throw storeIoError(error, 'cannot flush the blob store folder', this.blobsDir);
    }
  }

  /** Removes everything in ingest/: leftovers of an interrupted write. Only safe under the registry lock. */
  async cleanIngest(): Promise<number> {
    let names: string[];
    try {
      names = await this.fs.readdir(this.ingestDir);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return 0;
      throw storeIoError(error, 'cannot list the ingest folder', this.ingestDir);
    }
    for (const name of names) {
      const file = path.join(this.ingestDir, name);
      try {
        await this.fs.rm(file, { recursive: true, force: true });
      } catch (error) {
        throw storeIoError(error, 'cannot remove an ingest leftover', file);
      }
    }
    return names.length;
  }

  /**
   * Replaces a small file atomically: temp file in the same folder, fsync,
   * rename, fsync the folder. Readers see the old or the new content, never a mix.
   */
  async writeFileAtomic(file: string, bytes: Uint8Array, hooks: { opened?: () => void; written?: () => void; synced?: () => void; renamed?: () => void } = {}): Promise<void> {
    const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    let fd: number | undefined;
    try {
      fd = this.fs.openSync(tmp, 'wx', 0o644);
      hooks.opened?.();
      const half = Math.floor(bytes.byteLength / 2);
      writeAllSync(this.fs, fd, bytes.subarray(0, half));
      hooks.written?.();
      writeAllSync(this.fs, fd, bytes.subarray(half));
      await this.fs.fsync(fd);
      this.fs.closeSync(fd);
      fd = undefined;
      hooks.synced?.();
      await this.fs.rename(tmp, file);
      hooks.renamed?.();
      await syncDir(this.fs, path.dirname(file));
    } catch (error) {
      if (fd !== undefined) {
        try {
          this.fs.closeSync(fd);
        } catch {
          // Closing after a failed write; the write's error is the one to report.
        }
      }
      await this.fs.rm(tmp, { force: true }).catch(() => {});
      throw storeIoError(error, `cannot write ${path.basename(file)}`, file);
    }
  }

  /** Removes temp files of interrupted atomic writes in the OCI folder. */
  async cleanOciTemps(): Promise<void> {
    const names = await this.fs.readdir(this.ociDir).catch(() => [] as string[]);
    for (const name of names) {
      if (name.includes('.tmp-')) await this.fs.rm(path.join(this.ociDir, name), { force: true });
    }
  }
}

/**
 * One blob being written. A blob whose size is known and at most 1 MiB (most
 * files of a kit) is written synchronously chunk by chunk, straight from the
 * producer's buffer. Larger ones are copied into owned buffers (the producer
 * reuses its read buffers) and written in 1 MiB slices from two alternating
 * buffers, one slice in flight while the next fills. When the expected size
 * is known, the file is fsynced and closed as soon as its last byte is in, so
 * a writer waiting for its commit (the verifier defers commits when a kit's
 * root files come last) holds neither memory nor a file descriptor.
 * commit() checks the size and renames the file to its digest, unless that
 * blob already exists.
 *
 * The digest itself comes from the caller: the kit verifier hashes exactly the
 * chunks it hands over and calls commit only when that hash matched the
 * signed SHA256SUMS, so hashing them a second time here would cost a full CPU
 * pass over the kit without adding a guarantee.
 */
export class BlobWriter {
  readonly ingestPath: string;
  private readonly store: BlobStore;
  private readonly fd: number;
  private readonly crash: CrashHook;
  private readonly expectedSize: number | undefined;
  private readonly direct: boolean;
  private buffers: [Buffer, Buffer];
  private current = 0;
  private filled = 0;
  private inFlight: Promise<void> | undefined;
  private bytesWritten = 0;
  private received = 0;
  private sealing: Promise<void> | undefined;
  private closed = false;
  private crashedMidWrite = false;

  constructor(store: BlobStore, fd: number, ingestPath: string, expectedSize: number | undefined, crash: CrashHook) {
    this.store = store;
    this.fd = fd;
    this.ingestPath = ingestPath;
    this.crash = crash;
    this.expectedSize = expectedSize;
    this.direct = expectedSize !== undefined && expectedSize <= WRITE_BUFFER_BYTES;
    this.buffers = this.direct ? [EMPTY, EMPTY] : [Buffer.allocUnsafe(WRITE_BUFFER_BYTES), Buffer.allocUnsafe(WRITE_BUFFER_BYTES)];
  }

  get size(): number {
    return this.received;
  }

  async write(chunk: Uint8Array): Promise<void> {
    try {
      if (this.sealing || (this.expectedSize !== undefined && this.received + chunk.byteLength > this.expectedSize)) {
        throw new AirlockError('INTERNAL', `more bytes than the expected ${this.expectedSize} for ${this.ingestPath}`, { path: this.ingestPath });
      }
      if (this.direct) {
        writeAllSync(this.store.fs, this.fd, chunk);
        this.bytesWritten += chunk.byteLength;
        this.afterSlice();
      } else {
        let offset = 0;
        while (offset < chunk.byteLength) {
          const buffer = this.buffers[this.current]!;
          const n = Math.min(buffer.length - this.filled, chunk.byteLength - offset);
          buffer.set(chunk.subarray(offset, offset + n), this.filled);
          this.filled += n;
          offset += n;
          if (this.filled === buffer.length) await this.flush();
        }
      }
      this.received += chunk.byteLength;
      if (this.expectedSize !== undefined && this.received === this.expectedSize) this.startSeal();
    } catch (error) {
      await this.abort();
      throw storeIoError(error, 'cannot write into the ingest folder', this.ingestPath);
    }
  }

  private afterSlice(): void {
    if (!this.crashedMidWrite) {
      this.crashedMidWrite = true;
      this.crash('ingest-written');
    }
  }

  /** Starts writing the filled buffer; waits only for the previous slice, so reading and writing overlap. */
  private async flush(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    if (this.filled === 0) return;
    const slice = this.buffers[this.current]!.subarray(0, this.filled);
    const length = this.filled;
    this.current = 1 - this.current;
    this.filled = 0;
    const pending = writeAll(this.store.fs, this.fd, slice).then(() => {
      this.bytesWritten += length;
      this.afterSlice();
    });
    // Keep a rejection observed until someone awaits it.
    pending.catch(() => {});
    this.inFlight = pending;
  }

  /** Writes what is left, fsyncs and closes, without making the caller wait. */
  private startSeal(): void {
    this.sealing ??= (async () => {
      await this.flush();
      if (this.inFlight) await this.inFlight;
      this.inFlight = undefined;
      this.buffers = [EMPTY, EMPTY];
      await this.store.fs.fsync(this.fd);
      this.closed = true;
      this.store.fs.closeSync(this.fd);
      this.crash('ingest-fsynced');
    })();
    this.sealing.catch(() => {});
  }

  /**
   * Makes the blob durable under its digest name. Returns 'present' when the
   * blob already existed (the ingest copy is then dropped, never renamed over
   * it). `knownAbsent` skips that check when the caller made it under the
   * registry lock.
   */
  async commit(digest: string, expectedSize: number, opts: { knownAbsent?: boolean } = {}): Promise<'written' | 'present'> {
    const target = this.store.blobPath(digest);
    try {
      this.startSeal();
      await this.sealing;
      if (this.bytesWritten !== expectedSize) {
        throw new AirlockError('INTERNAL', `blob writer got ${this.bytesWritten} bytes for ${digest}, expected ${expectedSize}`, { path: this.ingestPath });
      }
      if (!opts.knownAbsent && (await this.store.has(digest, expectedSize))) {
        await this.store.fs.unlink(this.ingestPath);
        return 'present';
      }
      this.crash('blob-before-rename');
      await this.store.fs.rename(this.ingestPath, target);
      this.crash('blob-renamed');
      return 'written';
    } catch (error) {
      await this.abort();
      throw storeIoError(error, `cannot store blob ${digest}`, target);
    }
  }

  /** Drops the ingest file; safe to call more than once. */
  async abort(): Promise<void> {
    if (this.inFlight) await this.inFlight.catch(() => {});
    if (this.sealing) await this.sealing.catch(() => {});
    this.inFlight = undefined;
    this.buffers = [EMPTY, EMPTY];
    if (!this.closed) {
      this.closed = true;
      try {
        this.store.fs.closeSync(this.fd);
      } catch {
        // Already unusable; removing the file is what matters.
      }
    }
    await this.store.fs.rm(this.ingestPath, { force: true }).catch(() => {});
  }
}
