import type { CatalogMigration } from '../catalog-migration.ts';

// Digests are stored as "sha256:<hex>" everywhere so a column can be compared
// with an OCI descriptor without reformatting.
export const migration0001Initial: CatalogMigration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      -- Long-running work of any kind (import now; install, rollback and
      -- evidence export reuse it). status: running | succeeded | failed |
      -- interrupted. Deliberately no CHECK on type or status so later issues
      -- add values without rebuilding the table.
      CREATE TABLE operations (
        id INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        error_code TEXT,
        error_message TEXT,
        details_json TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX operations_status ON operations(status, type);

      CREATE TABLE kits (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        first_imported_at TEXT NOT NULL
      );

      -- Every blob a release references. A file under blobs/sha256 that is not
      -- listed here is garbage from an interrupted import (complete and
      -- digest-checked, so a later import reuses it).
      CREATE TABLE blobs (
        digest TEXT PRIMARY KEY,
        size INTEGER NOT NULL CHECK (size >= 0),
        first_imported_at TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE releases (
        id INTEGER PRIMARY KEY,
        kit_id INTEGER NOT NULL REFERENCES kits(id),
        version TEXT NOT NULL,
        channel TEXT NOT NULL,
        created TEXT NOT NULL,
        calendar TEXT,
        description TEXT,
        -- kit.json's free-text publisher; the trusted identity is below.
        publisher TEXT,
        -- The trust-policy publisher whose key or identity verified the kit.
        trust_publisher TEXT NOT NULL,
        signer_kind TEXT NOT NULL,
        -- Key fingerprint, or "subject|issuer" for keyless signers: what
        -- KIT_PUBLISHER_CHANGED compares.
        signer_id TEXT NOT NULL,
        signature_json TEXT NOT NULL,
        sums_digest TEXT NOT NULL UNIQUE REFERENCES blobs(digest),
        bundle_digest TEXT NOT NULL REFERENCES blobs(digest),
        manifest_digest TEXT NOT NULL REFERENCES blobs(digest),
        file_count INTEGER NOT NULL,
        total_bytes INTEGER NOT NULL,
        imported_at TEXT NOT NULL,
        import_operation_id INTEGER NOT NULL REFERENCES operations(id),
        UNIQUE (kit_id, version)
      );

      CREATE TABLE release_files (
        release_id INTEGER NOT NULL REFERENCES releases(id),
        path TEXT NOT NULL,
        digest TEXT NOT NULL REFERENCES blobs(digest),
        size INTEGER NOT NULL,
        mode INTEGER NOT NULL,
        PRIMARY KEY (release_id, path)
      ) WITHOUT ROWID;
      CREATE INDEX release_files_digest ON release_files(digest);

      -- descriptor_json is the kit's own index.json entry (platform,
      -- annotations), kept whole so the registry's OCI index repeats it.
      CREATE TABLE release_images (
        release_id INTEGER NOT NULL REFERENCES releases(id),
        ref TEXT NOT NULL,
        digest TEXT NOT NULL REFERENCES blobs(digest),
        media_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        descriptor_json TEXT NOT NULL,
        PRIMARY KEY (release_id, ref, digest)
      ) WITHOUT ROWID;
      CREATE INDEX release_images_ref ON release_images(ref);
    `);
  },
};
