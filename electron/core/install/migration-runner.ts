// Applies a kit's migrations (KIT-FORMAT §7): in kit order, one transaction
// each, recorded in the database's own table airlock_migrations. An id
// already applied with the same sha256 is skipped; with another sha256 it is
// MIGRATION_CHANGED. The statements of a file run one by one inside its
// transaction, so a failure names the statement and a crash test can stop the
// process between two of them.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { analyzeMigration, checkForbidden, type MigrationAnalysis, type UniqueIndexLookup } from './migration-analysis.ts';

export const MIGRATIONS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS airlock_migrations (
  id TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  kit TEXT NOT NULL,
  version TEXT NOT NULL
)`;

export interface AppliedMigration {
  id: string;
  sha256: string;
  appliedAt: string;
  kit: string;
  version: string;
}

export interface MigrationToRun {
  id: string;
  database: string;
  /** Kit path of the SQL file. */
  path: string;
  /** Hex sha256 of the SQL bytes. */
  sha256: string;
  sql: string;
}

export interface MigrationOutcome {
  id: string;
  database: string;
  sha256: string;
  outcome: 'applied' | 'skipped';
  statements: number;
}

/** What airlock_migrations says, or an empty list when the database or the table does not exist. */
export function readAppliedMigrations(file: string): AppliedMigration[] {
  if (!fs.existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'airlock_migrations'`).get();
    if (!table) return [];
    return db.prepare('SELECT id, sha256, applied_at AS appliedAt, kit, version FROM airlock_migrations ORDER BY id').all() as AppliedMigration[];
  } finally {
    db.close();
  }
}

/** A lookup of index uniqueness in an existing database (read-only); answers undefined for unknown indexes. */
export function uniqueIndexLookup(file: string): UniqueIndexLookup {
  if (!fs.existsSync(file)) return () => undefined;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const unique = new Map<string, boolean>();
  try {
    const indexes = db.prepare(`SELECT name, tbl_name AS tbl FROM sqlite_master WHERE type = 'index'`).all() as Array<{ name: string; tbl: string }>;
    for (const ix of indexes) {
      const list = db.prepare('SELECT name, "unique" AS u FROM pragma_index_list(?)').all(ix.tbl) as Array<{ name: string; u: number }>;
      const row = list.find((r) => r.name === ix.name);
      unique.set(ix.name.toLowerCase(), row?.u === 1);
    }
  } finally {
    db.close();
  }
  return (name) => unique.get(name);
}

export function migrationChanged(m: { id: string; path: string; sha256: string }, applied: AppliedMigration, database: string): AirlockError {
  return new AirlockError('MIGRATION_CHANGED', `migration ${m.id} was applied to database ${database} with sha256 ${applied.sha256} (by ${applied.kit} ${applied.version} at ${applied.appliedAt}); the kit's ${m.path} has sha256 ${m.sha256}`, {
    path: m.path,
    details: { migration: m.id, database, appliedSha256: applied.sha256, kitSha256: m.sha256, appliedBy: `${applied.kit}@${applied.version}` },
  });
}

export interface RunMigrationsInput {
  /** Absolute database file. */
  file: string;
  databaseId: string;
  migrations: MigrationToRun[];
  kit: string;
  version: string;
  now: () => Date;
  /** Called between two statements of a migration (crash tests). */
  betweenStatements?: (migrationId: string, statement: number) => void;
  /** Called after each migration committed. */
  afterMigration?: (outcome: MigrationOutcome) => void;
  /**
   * Judges a migration just before it runs, against the live database (the
   * plan judged it against the database as it was); throws to refuse it.
   */
  guard?: (migration: MigrationToRun, analysis: MigrationAnalysis) => void;
}

function liveUniqueIndexLookup(db: Database.Database): UniqueIndexLookup {
  return (name) => {
    const ix = db.prepare(`SELECT name, tbl_name AS tbl FROM sqlite_master WHERE type = 'index' AND lower(name) = ?`).get(name) as { name: string; tbl: string } | undefined;
    if (!ix) return undefined;
    const row = (db.prepare('SELECT name, "unique" AS u FROM pragma_index_list(?)').all(ix.tbl) as Array<{ name: string; u: number }>).find((r) => r.name === ix.name);
    return row?.u === 1;
  };
}

/** Applies the migrations of one database in order; throws on the first failure, leaving earlier ones committed (the caller restores the backup). */
export function runMigrations(input: RunMigrationsInput): MigrationOutcome[] {
  fs.mkdirSync(path.dirname(input.file), { recursive: true });
  const db = new Database(input.file);
  const outcomes: MigrationOutcome[] = [];
  try {
    db.pragma('busy_timeout = 10000');
    for (const m of input.migrations) {
      db.exec('BEGIN IMMEDIATE');
      let statementNo = 0;
      try {
        db.exec(MIGRATIONS_TABLE_SQL);
        const applied = db.prepare('SELECT id, sha256, applied_at AS appliedAt, kit, version FROM airlock_migrations WHERE id = ?').get(m.id) as AppliedMigration | undefined;
        if (applied) {
          db.exec('ROLLBACK');
          if (applied.sha256 !== m.sha256) throw migrationChanged(m, applied, input.databaseId);
          const outcome: MigrationOutcome = { id: m.id, database: input.databaseId, sha256: m.sha256, outcome: 'skipped', statements: 0 };
          outcomes.push(outcome);
          continue;
        }
        const analysis = analyzeMigration(m.sql, liveUniqueIndexLookup(db));
        checkForbidden(m.id, m.path, analysis);
        input.guard?.(m, analysis);
        for (const [i, s] of analysis.statements.entries()) {
          statementNo = i + 1;
          if (i > 0) input.betweenStatements?.(m.id, i);
          db.exec(s.text);
        }
        statementNo = 0;
        db.prepare('INSERT INTO airlock_migrations (id, sha256, applied_at, kit, version) VALUES (?, ?, ?, ?, ?)')
          .run(m.id, m.sha256, input.now().toISOString(), input.kit, input.version);
        db.exec('COMMIT');
        const outcome: MigrationOutcome = { id: m.id, database: input.databaseId, sha256: m.sha256, outcome: 'applied', statements: analysis.statements.length };
        outcomes.push(outcome);
        input.afterMigration?.(outcome);
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        if (error instanceof AirlockError) {
          if (error.code === 'MIGRATION_FAILED' || error.code === 'MIGRATION_CHANGED' || error.code === 'MIGRATION_DESTRUCTIVE') throw error;
        }
        const where = statementNo > 0 ? `statement ${statementNo}` : 'its bookkeeping';
        throw new AirlockError('MIGRATION_FAILED', `migration ${m.id} failed at ${where} on database ${input.databaseId}: ${(error as Error).message}`, {
          path: m.path,
          cause: error,
          details: { migration: m.id, database: input.databaseId, statement: statementNo },
        });
      }
    }
  } finally {
    db.close();
  }
  return outcomes;
}
