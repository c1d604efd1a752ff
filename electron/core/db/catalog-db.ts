// Opens Airlock's catalog (better-sqlite3) with the pragmas every caller
// relies on, and brings its schema up to date (DESIGN §2 rule 7).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { CatalogMigration } from './catalog-migration.ts';
import { CATALOG_MIGRATIONS } from './migrations/catalog-migrations.ts';

export type CatalogDb = Database.Database;

export interface OpenCatalogOptions {
  /** Schema history to apply; tests pass a prefix to build an older catalog. */
  migrations?: readonly CatalogMigration[];
  /** Milliseconds a writer waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

export function catalogVersion(db: CatalogDb): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkHistory(migrations: readonly CatalogMigration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`catalog migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
}

function tooNew(file: string, found: number, known: number): AirlockError {
  return new AirlockError('CATALOG_TOO_NEW', `the catalog ${file} has schema version ${found}, but this Airlock knows versions up to ${known}`, {
    path: file,
    details: { found, known },
  });
}

/**
 * Applies the steps after the catalog's user_version, each in its own
 * IMMEDIATE transaction with the version bump inside it, so a crash leaves
 * the catalog at a whole step and two processes opening a fresh catalog at
 * once do not both apply a step.
 */
export function migrateCatalog(db: CatalogDb, migrations: readonly CatalogMigration[] = CATALOG_MIGRATIONS, file = db.name): { from: number; to: number } {
  checkHistory(migrations);
  const from = catalogVersion(db);
  if (from > migrations.length) throw tooNew(file, from, migrations.length);
  for (const m of migrations.slice(from)) {
    db.transaction(() => {
      // Re-read under the write lock: another process may have applied it.
      if (catalogVersion(db) >= m.version) return;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: catalogVersion(db) };
}

/** Opens (creating if needed) the catalog file and migrates it to the latest schema. */
export function openCatalogDb(file: string, options: OpenCatalogOptions = {}): CatalogDb {
  const migrations = options.migrations ?? CATALOG_MIGRATIONS;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (error) {
    throw new AirlockError('IO_ERROR', `cannot create the data folder ${path.dirname(file)}: ${(error as Error).message}`, { path: path.dirname(file), cause: error });
  }
  let db: CatalogDb;
  try {
    db = new Database(file);
  } catch (error) {
    throw new AirlockError('IO_ERROR', `cannot open the catalog ${file}: ${(error as Error).message}`, { path: file, cause: error });
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    // Refuse a newer catalog before anything (even the journal mode) is written to it.
    const found = catalogVersion(db);
    if (found > migrations.length) throw tooNew(file, found, migrations.length);
    db.pragma('journal_mode = WAL');
    // FULL: a commit that was reported is on disk; the catalog commits once per import.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrateCatalog(db, migrations, file);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof AirlockError) throw error;
    throw new AirlockError('IO_ERROR', `cannot open the catalog ${file}: ${(error as Error).message}`, { path: file, cause: error });
  }
}
