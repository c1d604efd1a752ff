import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { KitManifest } from '../../../shared/kit-manifest.ts';
import { runHealthChecks } from '../../../electron/core/install/health-checks.ts';
import { InstallLayout } from '../../../electron/core/install/install-layout.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-health-'));
  fs.mkdirSync(path.join(tmp, 'releases', '1.0.0', 'bin'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'releases', '1.0.0', 'bin', 'app'), '');
  fs.mkdirSync(path.join(tmp, 'data'));
  const db = new Database(path.join(tmp, 'data', 'app.db'));
  db.exec("CREATE TABLE t (x); INSERT INTO t VALUES ('ok'), ('two');");
  db.close();
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const manifest = (health: unknown[]): KitManifest => ({
  schema: 'airlock.kit/v1', name: 'app', version: '1.0.0', created: '2026-01-01T00:00:00Z',
  databases: [{ id: 'main', engine: 'sqlite', path: 'app.db' }], health,
} as KitManifest);

it('runs file and read-only SQL checks and reports each verdict', () => {
  const layout = new InstallLayout(tmp);
  const dir = layout.releaseDir('1.0.0');
  const before = fs.readFileSync(path.join(tmp, 'data', 'app.db'));
  const { ok, results } = runHealthChecks(manifest([
    { type: 'file', path: 'bin/app' },
    { type: 'sql', database: 'main', query: 'SELECT x FROM t ORDER BY rowid', expect: { rows: 2, equals: 'ok' } },
    { type: 'file', path: 'bin/missing' },
    { type: 'sql', database: 'main', query: 'SELECT count(*) FROM t', expect: { equals: 3 } },
    { type: 'sql', database: 'main', query: 'DELETE FROM t', expect: { rows: 0 } },
    { type: 'sql', database: 'main', query: 'SELECT * FROM nope', expect: { rows: 0 } },
  ]), layout, dir);
  expect(ok).toBe(false);
  expect(results.map((r) => r.ok)).toEqual([true, true, false, false, false, false]);
  expect(results[3]!.observed).toBe('first value 2, expected 3');
  expect(results[4]!.observed).toContain('not a read-only statement');
  expect(results[5]!.observed).toContain('no such table');
  // Read-only: the database is untouched.
  expect(fs.readFileSync(path.join(tmp, 'data', 'app.db'))).toEqual(before);
  expect(runHealthChecks(manifest([]), layout, dir)).toEqual({ ok: true, results: [] });
});
