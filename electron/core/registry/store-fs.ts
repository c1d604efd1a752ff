// The file-system calls the registry makes, gathered so tests can inject
// faults (ENOSPC on a write, EIO on fsync) without mocking Node itself.
//
// Blob files are written through plain file descriptors: opening, small
// writes and closing are synchronous (microseconds, and a kit holds thousands
// of small files whose every asynchronous call would wait in libuv's four-
// thread pool behind the fsyncs); fsync, large writes and renames, which can
// take milliseconds, run asynchronously so reading the kit goes on meanwhile.
import fsSync from 'node:fs';
import fs from 'node:fs/promises';

export interface StoreFs {
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  /** Asynchronous write at the current position. */
  write(fd: number, buffer: Uint8Array, offset: number, length: number): Promise<number>;
  fsync(fd: number): Promise<void>;
  closeSync(fd: number): void;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  stat: typeof fs.stat;
  mkdir: typeof fs.mkdir;
  readdir(path: string): Promise<string[]>;
  rm: typeof fs.rm;
  readFile: typeof fs.readFile;
}

export const nodeStoreFs: StoreFs = {
  openSync: (p, flags, mode) => fsSync.openSync(p, flags, mode),
  writeSync: (fd, buffer, offset, length) => fsSync.writeSync(fd, buffer, offset, length),
  write: (fd, buffer, offset, length) => new Promise((resolve, reject) => {
    fsSync.write(fd, buffer, offset, length, null, (error, written) => (error ? reject(error) : resolve(written)));
  }),
  fsync: (fd) => new Promise((resolve, reject) => {
    fsSync.fsync(fd, (error) => (error ? reject(error) : resolve()));
  }),
  closeSync: (fd) => fsSync.closeSync(fd),
  rename: (from, to) => fs.rename(from, to),
  unlink: (p) => fs.unlink(p),
  stat: fs.stat,
  mkdir: fs.mkdir,
  readdir: (p) => fs.readdir(p),
  rm: fs.rm,
  readFile: fs.readFile,
};

/**
 * Called at the named points of the write path. Production passes nothing;
 * the crash-safety test passes a hook that SIGKILLs the process at one point.
 */
export type CrashHook = (point: CrashPoint) => void;

/** Every point the crash test can stop the import at, in the order an import passes them. */
export const CRASH_POINTS = [
  'lock-acquired',
  'recovery-done',
  'operation-started',
  'ingest-opened',
  'ingest-written',
  'ingest-fsynced',
  'blob-before-rename',
  'blob-renamed',
  'root-files-done',
  'between-blobs',
  'blobs-written',
  'blobs-dir-fsynced',
  'catalog-tx-begun',
  'catalog-tx-release-inserted',
  'catalog-tx-files-inserted',
  'catalog-tx-before-commit',
  'catalog-committed',
  'index-temp-opened',
  'index-temp-written',
  'index-temp-fsynced',
  'index-renamed',
  'import-done',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];
