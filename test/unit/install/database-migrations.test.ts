// Backups, restores and the migration runner on real SQLite files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { backupDatabase, backupProblem, restoreDatabase, sha256File } from '../../../electron/core/install/database-backup.ts';
import { readAppliedMigrations, runMigrations, uniqueIndexLookup, type MigrationToRun } from '../../../electron/core/install/migration-runner.ts';
import { createHash } from 'node:crypto';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-dbmig-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function makeDb(file: string, mode: 'delete' | 'wal' = 'delete'): void {
  const db = new Database(file);
  db.pragma(`journal_mode = ${mode}`);
  db.exec("CREATE TABLE t (x TEXT); CREATE UNIQUE INDEX t_x ON t(x); INSERT INTO t VALUES ('a'), ('b');");
  db.prepare('INSERT INTO t VALUES (?)').run('c');
  db.close();
}

const mig = (id: string, sql: string): MigrationToRun => ({ id, database: 'main', path: `migrations/${id}.sql`, sha256: createHash('sha256').update(sql).digest('hex'), sql });
const now = (): Date => new Date('2026-11-20T10:00:00Z');

describe('database backup and restore', () => {
  it.each(['delete', 'wal'] as const)('the online backup of a %s-mode database is byte-identical to it, and a restore puts the bytes back', async (mode) => {
    const file = path.join(tmp, 'data', 'app.db');
    fs.mkdirSync(path.dirname(file));
    makeDb(file, mode);
    const stateDir = path.join(tmp, '.airlock');
    const rec = await backupDatabase({ id: 'main', relPath: 'app.db', file, backupFile: path.join(stateDir, 'backups', '7', 'main.sqlite'), stateDir });
    const before = sha256File(file);
    expect(rec).toMatchObject({ id: 'main', state: 'present', sha256: before, file: 'backups/7/main.sqlite' });
    expect(sha256File(path.join(stateDir, rec.file!))).toBe(before);
    // Change the database, leave a hot WAL/journal behind, then restore.
    const db = new Database(file);
    db.exec("INSERT INTO t VALUES ('changed')");
    db.close();
    fs.writeFileSync(file + '-journal', 'stale');
    expect(restoreDatabase(rec, file, stateDir)).toEqual({ sha256: before });
    expect(sha256File(file)).toBe(before);
    expect(fs.existsSync(file + '-journal')).toBe(false);
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 3 });
    check.close();
  });

  it('records an absent database, whose restore deletes it', async () => {
    const file = path.join(tmp, 'none.db');
    const rec = await backupDatabase({ id: 'main', relPath: 'none.db', file, backupFile: path.join(tmp, 'b', 'main.sqlite'), stateDir: tmp });
    expect(rec).toEqual({ id: 'main', path: 'none.db', state: 'absent', sha256: null, size: null, file: null });
    makeDb(file);
    fs.writeFileSync(file + '-wal', 'x');
    restoreDatabase(rec, file, tmp);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(file + '-wal')).toBe(false);
  });

  it('refuses to restore from a missing or corrupt backup, and says which', async () => {
    const file = path.join(tmp, 'app.db');
    makeDb(file);
    const rec = await backupDatabase({ id: 'main', relPath: 'app.db', file, backupFile: path.join(tmp, 'b', 'main.sqlite'), stateDir: tmp });
    fs.appendFileSync(path.join(tmp, rec.file!), 'x');
    expect(backupProblem(rec, tmp)).toContain('is corrupt');
    expect(() => restoreDatabase(rec, file, tmp)).toThrow(/is corrupt/);
    fs.rmSync(path.join(tmp, rec.file!));
    expect(backupProblem(rec, tmp)).toContain('is missing');
    const error = (() => {
      try {
        restoreDatabase(rec, file, tmp);
      } catch (e) {
        return e as AirlockError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('BACKUP_FAILED');
  });
});

describe('migration runner', () => {
  it('applies in order, one transaction each, records them, and skips what was applied with the same sha256', () => {
    const file = path.join(tmp, 'app.db');
    const m1 = mig('0001_a', 'CREATE TABLE a (x); INSERT INTO a VALUES (1);');
    const m2 = mig('0002_b', 'CREATE TABLE b (y);');
    const between: string[] = [];
    const out = runMigrations({ file, databaseId: 'main', migrations: [m1, m2], kit: 'app', version: '1.0.0', now, betweenStatements: (id, n) => between.push(`${id}#${n}`) });
    expect(out.map((o) => [o.id, o.outcome, o.statements])).toEqual([['0001_a', 'applied', 2], ['0002_b', 'applied', 1]]);
    expect(between).toEqual(['0001_a#1']);
    expect(readAppliedMigrations(file)).toEqual([
      { id: '0001_a', sha256: m1.sha256, appliedAt: '2026-11-20T10:00:00.000Z', kit: 'app', version: '1.0.0' },
      { id: '0002_b', sha256: m2.sha256, appliedAt: '2026-11-20T10:00:00.000Z', kit: 'app', version: '1.0.0' },
    ]);
    const again = runMigrations({ file, databaseId: 'main', migrations: [m1, m2], kit: 'app', version: '1.1.0', now });
    expect(again.map((o) => o.outcome)).toEqual(['skipped', 'skipped']);
  });

  it('MIGRATION_CHANGED for an applied id with another sha256', () => {
    const file = path.join(tmp, 'app.db');
    runMigrations({ file, databaseId: 'main', migrations: [mig('0001_a', 'CREATE TABLE a (x);')], kit: 'app', version: '1.0.0', now });
    const before = sha256File(file);
    expect(() => runMigrations({ file, databaseId: 'main', migrations: [mig('0001_a', 'CREATE TABLE a (x, y);')], kit: 'app', version: '1.1.0', now }))
      .toThrow(expect.objectContaining({ code: 'MIGRATION_CHANGED', path: 'migrations/0001_a.sql' }));
    expect(sha256File(file)).toBe(before);
  });

  it('a failing statement rolls its whole migration back and names the statement (earlier migrations stay committed)', () => {
    const file = path.join(tmp, 'app.db');
    const good = mig('0001_a', 'CREATE TABLE a (x);');
    const bad = mig('0002_b', 'CREATE TABLE b (y);\nINSERT INTO b VALUES (1);\nINSERT INTO nope VALUES (1);');
    let error: AirlockError | undefined;
    try {
      runMigrations({ file, databaseId: 'main', migrations: [good, bad], kit: 'app', version: '1.0.0', now });
    } catch (e) {
      error = e as AirlockError;
    }
    expect(error?.code).toBe('MIGRATION_FAILED');
    expect(error?.message).toContain('statement 3');
    expect(error?.details).toMatchObject({ migration: '0002_b', statement: 3 });
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all()).toEqual([{ name: 'a' }, { name: 'airlock_migrations' }]);
    db.close();
    expect(readAppliedMigrations(file).map((m) => m.id)).toEqual(['0001_a']);
  });

  it('the guard sees the live database: dropping a unique index is destructive', () => {
    const file = path.join(tmp, 'app.db');
    makeDb(file);
    expect(uniqueIndexLookup(file)('t_x')).toBe(true);
    const seen: string[] = [];
    expect(() => runMigrations({
      file, databaseId: 'main', migrations: [mig('0001_drop', 'DROP INDEX t_x;')], kit: 'app', version: '2.0.0', now,
      guard: (_m, analysis) => {
        seen.push(...analysis.destructive.map((f) => f.kind));
        throw new AirlockError('MIGRATION_DESTRUCTIVE', 'refused');
      },
    })).toThrow(expect.objectContaining({ code: 'MIGRATION_DESTRUCTIVE' }));
    expect(seen).toEqual(['drop-unique-index']);
    expect(uniqueIndexLookup(file)('t_x')).toBe(true);
  });
});
