import type { CatalogMigration } from '../catalog-migration.ts';

// Install operations (electron/core/install). The operation itself, its steps,
// backups, migrations and preflight report live in operations.details_json,
// which the evidence export reads; these tables index operations by install
// root, so `airlock status` finds a root's history and a start-up recovery
// can find every root this catalog has worked on.
export const migration0004InstallRoots: CatalogMigration = {
  version: 4,
  name: 'install-roots',
  up(db) {
    db.exec(`
      CREATE TABLE install_roots (
        root TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        first_used_at TEXT NOT NULL,
        last_operation_id INTEGER REFERENCES operations(id)
      ) WITHOUT ROWID;

      -- kind: fresh | upgrade | downgrade | repair | rollback
      CREATE TABLE install_operations (
        operation_id INTEGER PRIMARY KEY REFERENCES operations(id),
        root TEXT NOT NULL REFERENCES install_roots(root),
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        from_version TEXT,
        to_version TEXT NOT NULL
      );
      CREATE INDEX install_operations_root ON install_operations(root, operation_id);
    `);
  },
};
