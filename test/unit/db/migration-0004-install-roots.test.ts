// Migration 4 (create at 3 with data, migrate to 4: the data is kept and install operations hang off it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { catalogVersion, openCatalogDb } from '../../../electron/core/db/catalog-db.ts';
import { CATALOG_MIGRATIONS } from '../../../electron/core/db/migrations/catalog-migrations.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-mig4-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('0004 adds install roots and install operations to a version-3 catalog and keeps its operations and audit records', () => {
  const file = path.join(tmp, 'catalog.db');
  const v3 = openCatalogDb(file, { migrations: CATALOG_MIGRATIONS.slice(0, 3) });
  expect(catalogVersion(v3)).toBe(3);
  const importOp = Number(v3.prepare(`INSERT INTO operations (type, status, started_at, details_json) VALUES ('import', 'succeeded', 's', '{"kit":"a.kit.tar"}')`).run().lastInsertRowid);
  v3.prepare(`INSERT INTO audit_events (seq, time, actor, host, type, operation_id, data_json, prev_hash, hash) VALUES (1, 't', 'a', 'h', 'import.done', ?, '{}', ?, ?)`).run(importOp, '0'.repeat(64), 'f'.repeat(64));
  expect(v3.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'install_operations'`).get()).toEqual({ n: 0 });
  v3.close();

  const v4 = openCatalogDb(file, { migrations: CATALOG_MIGRATIONS.slice(0, 4) });
  expect(catalogVersion(v4)).toBe(4);
  expect(v4.prepare('SELECT type, details_json FROM operations WHERE id = ?').get(importOp)).toEqual({ type: 'import', details_json: '{"kit":"a.kit.tar"}' });
  expect(v4.prepare('SELECT type, operation_id FROM audit_events').get()).toEqual({ type: 'import.done', operation_id: importOp });
  const installOp = Number(v4.prepare(`INSERT INTO operations (type, status, started_at) VALUES ('install', 'running', 's')`).run().lastInsertRowid);
  v4.prepare(`INSERT INTO install_roots (root, name, first_used_at, last_operation_id) VALUES ('/opt/notes', 'notes', 't', ?)`).run(installOp);
  v4.prepare(`INSERT INTO install_operations (operation_id, root, name, kind, from_version, to_version) VALUES (?, '/opt/notes', 'notes', 'upgrade', '1.0.0', '1.1.0')`).run(installOp);
  expect(v4.prepare(`SELECT o.type, i.kind, i.from_version, i.to_version FROM install_operations i JOIN operations o ON o.id = i.operation_id WHERE i.root = '/opt/notes'`).get())
    .toEqual({ type: 'install', kind: 'upgrade', from_version: '1.0.0', to_version: '1.1.0' });
  // An install operation belongs to a known root and a real operation.
  expect(() => v4.prepare(`INSERT INTO install_operations (operation_id, root, name, kind, to_version) VALUES (?, '/elsewhere', 'x', 'fresh', '1.0.0')`).run(importOp)).toThrow(/FOREIGN KEY/);
  expect(() => v4.prepare(`INSERT INTO install_operations (operation_id, root, name, kind, to_version) VALUES (999, '/opt/notes', 'x', 'fresh', '1.0.0')`).run()).toThrow(/FOREIGN KEY/);
  v4.close();
});
