// Migration 1 (create at 0, migrate to 1, write and read the data it holds).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { catalogVersion, migrateCatalog } from '../../../electron/core/db/catalog-db.ts';
import { CATALOG_MIGRATIONS } from '../../../electron/core/db/migrations/catalog-migrations.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-mig1-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('0001 creates operations, kits, blobs, releases, files and images on an empty catalog', () => {
  const db = new Database(path.join(tmp, 'catalog.db'));
  db.pragma('foreign_keys = ON');
  // At version 0 a catalog is an empty file; something unrelated may be there already.
  db.exec('CREATE TABLE keep_me (v TEXT)');
  db.prepare('INSERT INTO keep_me VALUES (?)').run('before');
  expect(catalogVersion(db)).toBe(0);

  expect(migrateCatalog(db, CATALOG_MIGRATIONS.slice(0, 1))).toEqual({ from: 0, to: 1 });

  expect(db.prepare('SELECT v FROM keep_me').get()).toEqual({ v: 'before' });
  const op = Number(db.prepare(`INSERT INTO operations (type, status, started_at) VALUES ('import', 'running', '2026-01-01T00:00:00Z')`).run().lastInsertRowid);
  db.prepare(`INSERT INTO kits (name, first_imported_at) VALUES ('demo', 't')`).run();
  for (const d of ['sha256:aa', 'sha256:bb', 'sha256:cc', 'sha256:dd']) db.prepare('INSERT INTO blobs VALUES (?, 1, ?)').run(d, 't');
  const release = Number(db.prepare(`
    INSERT INTO releases (kit_id, version, channel, created, publisher, trust_publisher, signer_kind, signer_id, signature_json,
      sums_digest, bundle_digest, manifest_digest, file_count, total_bytes, imported_at, import_operation_id)
    VALUES (1, '1.0.0', 'stable', 'c', 'p', 'cli-keys', 'key', 'fp', '{}', 'sha256:aa', 'sha256:bb', 'sha256:cc', 1, 1, 't', ?)`).run(op).lastInsertRowid);
  db.prepare(`INSERT INTO release_files VALUES (?, 'payload/x', 'sha256:dd', 1, 493)`).run(release);
  db.prepare(`INSERT INTO release_images VALUES (?, 'r.example/a:1', 'sha256:dd', 'application/vnd.oci.image.manifest.v1+json', 1, '{}')`).run(release);
  expect(db.prepare('SELECT r.version, k.name, f.path, f.mode, i.ref FROM releases r JOIN kits k ON k.id = r.kit_id JOIN release_files f ON f.release_id = r.id JOIN release_images i ON i.release_id = r.id').get())
    .toEqual({ version: '1.0.0', name: 'demo', path: 'payload/x', mode: 0o755, ref: 'r.example/a:1' });
  // The same SHA256SUMS cannot be two releases.
  expect(() => db.prepare(`
    INSERT INTO releases (kit_id, version, channel, created, trust_publisher, signer_kind, signer_id, signature_json,
      sums_digest, bundle_digest, manifest_digest, file_count, total_bytes, imported_at, import_operation_id)
    VALUES (1, '1.0.1', 'stable', 'c', 'cli-keys', 'key', 'fp', '{}', 'sha256:aa', 'sha256:bb', 'sha256:cc', 1, 1, 't', ?)`).run(op)).toThrow(/UNIQUE/);
  db.close();
});
