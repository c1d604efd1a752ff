// Backing up and restoring the databases kit.json names, byte for byte.
//
// The backup is SQLite's online backup (better-sqlite3 db.backup()), so it is
// a consistent copy even if something else has the database open. The backup
// API copies every page verbatim but then rewrites bookkeeping fields of the
// copy's 100-byte header (file change counter, schema cookie,
// version-valid-for, the SQLite version that wrote it). Airlock puts the
// source's header back, so the copy is byte-identical to the database file
// and its sha256 equals the database's own; the equality is then checked, so
// a copy that differs anywhere else is refused, never trusted. A restore then puts the very same bytes
// back, and the check "sha256 after restore = sha256 before the install" holds.
// If the source changed while it was being copied (the application is still
// writing), the two differ and the backup is refused instead of trusted.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { ioError, isErrno, syncDirSync } from './atomic-file.ts';

/** The files SQLite keeps next to a database; stale ones must go before a restored file is put back. */
export const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'] as const;
const SQLITE_HEADER_BYTES = 100;

export interface DatabaseBackupRecord {
  id: string;
  /** kit.json's path, relative to <root>/data. */
  path: string;
  /** "absent": the database did not exist; restoring it means deleting it. */
  state: 'present' | 'absent';
  /** Hex sha256 of the database file when it was backed up (= of the backup file). */
  sha256: string | null;
  size: number | null;
  /** The backup file, relative to the install root's .airlock folder. */
  file: string | null;
}

export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** sha256 of the file, or null when it does not exist. */
export function sha256IfExists(file: string): string | null {
  try {
    return sha256File(file);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw ioError(error, 'cannot read a database', file);
  }
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Makes the database file hold every committed change (a WAL is checkpointed
 * into it, a hot rollback journal is rolled back by opening it), so that its
 * bytes are the database.
 */
function settle(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    // Reading the schema rolls back a hot journal left by a killed writer.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    const mode = String(db.pragma('journal_mode', { simple: true }));
    if (mode.toLowerCase() === 'wal') db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/**
 * Backs up one database into `backupFile` (absolute). `stateDir` is the
 * folder the record's `file` is relative to.
 */
export async function backupDatabase(input: { id: string; relPath: string; file: string; backupFile: string; stateDir: string }): Promise<DatabaseBackupRecord> {
  const { id, relPath, file, backupFile } = input;
  if (!fs.existsSync(file)) return { id, path: relPath, state: 'absent', sha256: null, size: null, file: null };
  try {
    fs.mkdirSync(path.dirname(backupFile), { recursive: true });
    fs.rmSync(backupFile, { force: true });
    settle(file);
    const before = sha256File(file);
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      await db.backup(backupFile);
    } finally {
      db.close();
    }
    const source = fs.readFileSync(file);
    const fd = fs.openSync(backupFile, 'r+');
    try {
      fs.writeSync(fd, source, 0, Math.min(SQLITE_HEADER_BYTES, source.length), 0);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    syncDirSync(path.dirname(backupFile));
    const after = sha256File(file);
    const copy = sha256File(backupFile);
    if (before !== after || copy !== before) {
      throw new AirlockError('BACKUP_FAILED', `the database ${id} (${file}) changed while it was being backed up; stop the application that uses it and run the command again`, {
        path: file,
        details: { database: id, before, after, backup: copy },
      });
    }
    return { id, path: relPath, state: 'present', sha256: before, size: source.length, file: path.relative(input.stateDir, backupFile).split(path.sep).join('/') };
  } catch (error) {
    if (error instanceof AirlockError) throw error;
    throw new AirlockError('BACKUP_FAILED', `cannot back up the database ${id} (${file}): ${(error as Error).message}`, { path: file, cause: error, details: { database: id } });
  }
}

/** Checks that a recorded backup is still there with the recorded sha256; returns why not, or null. */
export function backupProblem(record: DatabaseBackupRecord, stateDir: string): string | null {
  if (record.state === 'absent') return null;
  if (record.file === null || record.sha256 === null) return `the backup record of database ${record.id} names no file`;
  const file = path.join(stateDir, ...record.file.split('/'));
  const actual = sha256IfExists(file);
  if (actual === null) return `the backup of database ${record.id} (${file}) is missing`;
  if (actual !== record.sha256) return `the backup of database ${record.id} (${file}) is corrupt: sha256 ${actual}, recorded ${record.sha256}`;
  return null;
}

function removeSideFiles(file: string): void {
  for (const suffix of SQLITE_SIDE_FILES) fs.rmSync(file + suffix, { force: true });
}

/**
 * Puts a database back exactly as recorded: the backup's bytes copied to a
 * temp file, fsynced, stale journal/WAL files removed, renamed over the
 * database, and the result's sha256 compared with the record. "absent"
 * deletes the database. Safe to repeat after a crash at any point.
 */
export function restoreDatabase(record: DatabaseBackupRecord, file: string, stateDir: string): { sha256: string | null } {
  try {
    if (record.state === 'absent') {
      removeSideFiles(file);
      fs.rmSync(file, { force: true });
      if (fs.existsSync(path.dirname(file))) syncDirSync(path.dirname(file));
      return { sha256: null };
    }
    const problem = backupProblem(record, stateDir);
    if (problem) throw new AirlockError('BACKUP_FAILED', `cannot restore: ${problem}`, { path: file, details: { database: record.id } });
    const backup = path.join(stateDir, ...record.file!.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.airlock-restore-${randomBytes(4).toString('hex')}`;
    try {
      fs.copyFileSync(backup, tmp);
      fsyncFile(tmp);
      // A hot journal left next to the database would be "rolled back" onto the restored file.
      removeSideFiles(file);
      fs.renameSync(tmp, file);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    syncDirSync(path.dirname(file));
    const restored = sha256File(file);
    if (restored !== record.sha256) {
      throw new AirlockError('BACKUP_FAILED', `database ${record.id} was restored but its sha256 is ${restored}, not the recorded ${record.sha256}`, { path: file, details: { database: record.id } });
    }
    return { sha256: restored };
  } catch (error) {
    if (error instanceof AirlockError) throw error;
    throw ioError(error, `cannot restore the database ${record.id}`, file);
  }
}

/** Removes restore temp files left by a crash in restoreDatabase. */
export function removeRestoreTemps(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (/\.airlock-restore-[0-9a-f]{8}$/.test(name)) fs.rmSync(path.join(dir, name), { force: true });
}
