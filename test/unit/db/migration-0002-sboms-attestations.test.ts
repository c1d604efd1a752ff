// Migration 2 (create at 1 with data, migrate to 2, the data is kept and the new tables hang off it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { catalogVersion, migrateCatalog, openCatalogDb } from '../../../electron/core/db/catalog-db.ts';
import { CATALOG_MIGRATIONS } from '../../../electron/core/db/migrations/catalog-migrations.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-mig2-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('0002 adds SBOM, attestation and migration tables to a version-1 catalog and keeps its releases', () => {
  const file = path.join(tmp, 'catalog.db');
  const v1 = openCatalogDb(file, { migrations: CATALOG_MIGRATIONS.slice(0, 1) });
  expect(catalogVersion(v1)).toBe(1);
  const op = Number(v1.prepare(`INSERT INTO operations (type, status, started_at, ended_at, details_json) VALUES ('import', 'succeeded', 's', 'e', '{"kit":"a.kit.tar"}')`).run().lastInsertRowid);
  v1.prepare(`INSERT INTO kits (name, first_imported_at) VALUES ('demo', 't')`).run();
  for (const d of ['sha256:aa', 'sha256:bb', 'sha256:cc', 'sha256:dd']) v1.prepare('INSERT INTO blobs VALUES (?, 3, ?)').run(d, 't');
  v1.prepare(`
    INSERT INTO releases (kit_id, version, channel, created, publisher, trust_publisher, signer_kind, signer_id, signature_json,
      sums_digest, bundle_digest, manifest_digest, file_count, total_bytes, imported_at, import_operation_id)
    VALUES (1, '1.0.0', 'lts', 'c', 'p', 'cli-keys', 'key', 'fp', '{}', 'sha256:aa', 'sha256:bb', 'sha256:cc', 1, 3, 't', ?)`).run(op);
  v1.prepare(`INSERT INTO release_files VALUES (1, 'sbom/x.json', 'sha256:dd', 3, 420)`).run();
  expect(v1.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'sbom_packages'`).get()).toEqual({ n: 0 });
  v1.close();

  const v2 = openCatalogDb(file, { migrations: CATALOG_MIGRATIONS.slice(0, 2) });
  expect(catalogVersion(v2)).toBe(2);
  expect(migrateCatalog(v2, CATALOG_MIGRATIONS.slice(0, 2))).toEqual({ from: 2, to: 2 });
  expect(v2.prepare('SELECT r.version, r.channel, k.name, o.details_json FROM releases r JOIN kits k ON k.id = r.kit_id JOIN operations o ON o.id = r.import_operation_id').get())
    .toEqual({ version: '1.0.0', channel: 'lts', name: 'demo', details_json: '{"kit":"a.kit.tar"}' });
  v2.prepare(`INSERT INTO release_sboms VALUES (1, 'sbom/x.json', 'spdx-json', 'SPDX-2.3', 'sha256:dd', NULL)`).run();
  v2.prepare(`INSERT INTO sbom_packages (release_id, sbom_path, name, version, license, purl) VALUES (1, 'sbom/x.json', 'zlib', '1.3', 'Zlib', 'pkg:generic/zlib@1.3')`).run();
  v2.prepare(`INSERT INTO release_attestations VALUES (1, 'att/prov.json', 'https://slsa.dev/provenance/v1', 'sha256:dd', 3)`).run();
  v2.prepare(`INSERT INTO release_migrations VALUES (1, 0, '0001_init', 'main', 'migrations/0001_init.sql', 'sha256:dd', 0)`).run();
  expect(v2.prepare('SELECT p.name, s.format FROM sbom_packages p JOIN release_sboms s ON s.release_id = p.release_id AND s.path = p.sbom_path').get())
    .toEqual({ name: 'zlib', format: 'spdx-json' });
  // Packages must belong to a catalogued SBOM of a catalogued release.
  expect(() => v2.prepare(`INSERT INTO sbom_packages (release_id, sbom_path, name) VALUES (1, 'sbom/other.json', 'x')`).run()).toThrow(/FOREIGN KEY/);
  v2.close();
});
