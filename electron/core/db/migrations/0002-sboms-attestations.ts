import type { CatalogMigration } from '../catalog-migration.ts';

// What a release says about itself beyond its files: SBOM documents and the
// packages they list, attestations, and the database migrations it ships
// (for the install step, which applies them from their blobs).
export const migration0002SbomsAttestations: CatalogMigration = {
  version: 2,
  name: 'sboms-attestations',
  up(db) {
    db.exec(`
      CREATE TABLE release_sboms (
        release_id INTEGER NOT NULL REFERENCES releases(id),
        path TEXT NOT NULL,
        format TEXT NOT NULL,
        spec_version TEXT NOT NULL,
        digest TEXT NOT NULL REFERENCES blobs(digest),
        subject TEXT,
        PRIMARY KEY (release_id, path)
      ) WITHOUT ROWID;

      CREATE TABLE sbom_packages (
        id INTEGER PRIMARY KEY,
        release_id INTEGER NOT NULL,
        sbom_path TEXT NOT NULL,
        name TEXT NOT NULL,
        version TEXT,
        license TEXT,
        purl TEXT,
        FOREIGN KEY (release_id, sbom_path) REFERENCES release_sboms(release_id, path)
      );
      CREATE INDEX sbom_packages_release ON sbom_packages(release_id, name);

      CREATE TABLE release_attestations (
        release_id INTEGER NOT NULL REFERENCES releases(id),
        path TEXT NOT NULL,
        predicate_type TEXT NOT NULL,
        digest TEXT NOT NULL REFERENCES blobs(digest),
        size INTEGER NOT NULL,
        PRIMARY KEY (release_id, path)
      ) WITHOUT ROWID;

      CREATE TABLE release_migrations (
        release_id INTEGER NOT NULL REFERENCES releases(id),
        seq INTEGER NOT NULL,
        id TEXT NOT NULL,
        database_id TEXT NOT NULL,
        path TEXT NOT NULL,
        digest TEXT NOT NULL REFERENCES blobs(digest),
        destructive INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (release_id, seq)
      ) WITHOUT ROWID;
    `);
  },
};
