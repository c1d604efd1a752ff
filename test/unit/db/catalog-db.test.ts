import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { catalogVersion, migrateCatalog, openCatalogDb } from '../../../electron/core/db/catalog-db.ts';
import { CATALOG_MIGRATIONS, CATALOG_SCHEMA_VERSION } from '../../../electron/core/db/migrations/catalog-migrations.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-catalog-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('openCatalogDb', () => {
  it('creates a catalog at the latest schema with WAL, foreign keys and a busy timeout', () => {
    const db = openCatalogDb(path.join(tmp, 'sub', 'catalog.db'));
    try {
      expect(catalogVersion(db)).toBe(CATALOG_SCHEMA_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
      expect(() => db.prepare('INSERT INTO release_files (release_id, path, digest, size, mode) VALUES (99, ?, ?, 1, 420)').run('x', 'sha256:00')).toThrow(/FOREIGN KEY/);
    } finally {
      db.close();
    }
  });

  it('numbers the migrations 1..n without gaps', () => {
    expect(CATALOG_MIGRATIONS.map((m) => m.version)).toEqual(CATALOG_MIGRATIONS.map((_, i) => i + 1));
  });

  it('opens an up-to-date catalog again without changing it', () => {
    const file = path.join(tmp, 'catalog.db');
    openCatalogDb(file).close();
    const db = openCatalogDb(file);
    try {
      expect(migrateCatalog(db)).toEqual({ from: CATALOG_SCHEMA_VERSION, to: CATALOG_SCHEMA_VERSION });
    } finally {
      db.close();
    }
  });

  it('refuses a catalog from a newer Airlock with CATALOG_TOO_NEW and leaves it untouched', () => {
    const file = path.join(tmp, 'catalog.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE future (x)');
    raw.pragma(`user_version = ${CATALOG_SCHEMA_VERSION + 1}`);
    raw.close();
    const before = fs.readFileSync(file);
    let error: unknown;
    try {
      openCatalogDb(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code).toBe('CATALOG_TOO_NEW');
    expect((error as AirlockError).path).toBe(file);
    expect((error as AirlockError).message).toContain(`schema version ${CATALOG_SCHEMA_VERSION + 1}`);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('reports a file that is not a database as IO_ERROR naming it', () => {
    const file = path.join(tmp, 'catalog.db');
    fs.writeFileSync(file, 'this is not sqlite, just text that is long enough to have a header '.repeat(20));
    expect(() => openCatalogDb(file)).toThrow(expect.objectContaining({ code: 'IO_ERROR', path: file }));
  });
});
