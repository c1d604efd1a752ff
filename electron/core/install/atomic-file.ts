// Small files of an install root (journal, state, pointer file) are replaced
// whole: temp file in the same folder, fsync, rename, fsync the folder. A
// reader, or a process started after a SIGKILL, sees the old content or the
// new one, never a torn write. Synchronous on purpose: the install steps are
// ordered by these writes and a crash point must fall between two of them.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';

function errnoOf(error: unknown): string {
  return typeof error === 'object' && error !== null ? String((error as NodeJS.ErrnoException).code ?? '') : '';
}

/** fsyncs a directory so renames in it survive power loss; a no-op where directories cannot be opened (Windows). */
export function syncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'EBADF'].includes(errnoOf(error))) {
      throw new AirlockError('IO_ERROR', `cannot flush the folder ${dir}: ${(error as Error).message}`, { path: dir, cause: error });
    }
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes bytes to a new file and fsyncs it before returning. */
export function writeFileDurableSync(file: string, bytes: Uint8Array, mode = 0o644): void {
  const fd = fs.openSync(file, 'wx', mode);
  try {
    let offset = 0;
    while (offset < bytes.byteLength) offset += fs.writeSync(fd, bytes, offset, bytes.byteLength - offset);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function ioError(error: unknown, what: string, file: string): AirlockError {
  if (error instanceof AirlockError) return error;
  const code = errnoOf(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new AirlockError('INSUFFICIENT_SPACE', `the disk holding ${file} is full (${what})`, { path: file, cause: error });
  }
  return new AirlockError('IO_ERROR', `${what}: ${(error as Error).message}`, { path: file, cause: error });
}

/** Replaces `file` atomically with `bytes`. */
export function writeFileAtomicSync(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileDurableSync(tmp, bytes);
    fs.renameSync(tmp, file);
    syncDirSync(path.dirname(file));
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw ioError(error, `cannot write ${path.basename(file)}`, file);
  }
}

export function writeJsonAtomicSync(file: string, value: unknown): void {
  writeFileAtomicSync(file, Buffer.from(JSON.stringify(value, null, 2) + '\n'));
}

/** The parsed JSON document, or undefined when the file does not exist. */
export function readJsonSync(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw ioError(error, `cannot read ${path.basename(file)}`, file);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AirlockError('INSTALL_ROOT_INVALID', `${file} is not valid JSON (${(error as Error).message}); it was not written by Airlock or was damaged`, { path: file, cause: error });
  }
}

/** Removes temp files left by interrupted atomic writes in `dir`. */
export function removeAtomicTemps(dir: string): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 0;
    throw ioError(error, 'cannot list a folder', dir);
  }
  let removed = 0;
  for (const name of names) {
    if (/\.tmp-\d+-[0-9a-f]{8}$/.test(name)) {
      fs.rmSync(path.join(dir, name), { force: true, recursive: true });
      removed++;
    }
  }
  return removed;
}

export function isErrno(error: unknown, ...codes: string[]): boolean {
  return codes.includes(errnoOf(error));
}
