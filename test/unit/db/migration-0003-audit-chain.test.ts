// Migration 3 (create at 2 with data, migrate to 3, the data is kept and the audit chain table works).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { catalogVersion, migrateCatalog, openCatalogDb } from '../../../electron/core/db/catalog-db.ts';
import { CATALOG_MIGRATIONS } from '../../../electron/core/db/migrations/catalog-migrations.ts';
import { AuditLog } from '../../../electron/core/evidence/audit-log.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-mig3-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('0003 adds the audit_events table to a version-2 catalog and keeps its operations', () => {
  const file = path.join(tmp, 'catalog.db');
  const v2 = openCatalogDb(file, { migrations: CATALOG_MIGRATIONS.slice(0, 2) });
  expect(catalogVersion(v2)).toBe(2);
  v2.prepare(`INSERT INTO operations (type, status, started_at, ended_at, details_json) VALUES ('import', 'succeeded', 's', 'e', '{"kit":"a.kit.tar"}')`).run();
  expect(v2.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'audit_events'`).get()).toEqual({ n: 0 });
  v2.close();

  const v3 = openCatalogDb(file, { migrations: CATALOG_MIGRATIONS.slice(0, 3) });
  expect(catalogVersion(v3)).toBe(3);
  expect(migrateCatalog(v3, CATALOG_MIGRATIONS.slice(0, 3))).toEqual({ from: 3, to: 3 });
  expect(v3.prepare('SELECT type, details_json FROM operations').get()).toEqual({ type: 'import', details_json: '{"kit":"a.kit.tar"}' });
  const log = new AuditLog(v3, { clock: () => new Date('2026-03-01T10:00:00Z'), actor: 'alice', host: 'ws1' });
  const first = log.append({ type: 'kit.import', operationId: 1, data: { kit: 'demo' } });
  expect(v3.prepare('SELECT seq, operation_id, data_json, prev_hash, hash FROM audit_events').get())
    .toEqual({ seq: 1, operation_id: 1, data_json: '{"kit":"demo"}', prev_hash: '0'.repeat(64), hash: first.hash });
  // seq is the chain position: a second row with the same seq is refused, never silently forked.
  expect(() => v3.prepare(`INSERT INTO audit_events VALUES (1, 't', 'a', 'h', 'x', NULL, '{}', 'p', 'h')`).run()).toThrow(/UNIQUE|PRIMARY/);
  expect(() => v3.prepare(`INSERT INTO audit_events VALUES (0, 't', 'a', 'h', 'x', NULL, '{}', 'p', 'h')`).run()).toThrow(/CHECK/);
  v3.close();
});
