import type { CatalogMigration } from '../catalog-migration.ts';

// The tamper-evident audit chain (electron/core/evidence/audit-log.ts). Each
// row carries the hash of the row before it, so editing, deleting, inserting
// or reordering rows breaks the chain at the first changed record.
// seq is assigned by the writer (head + 1), not by AUTOINCREMENT, because it
// is part of the hashed content. operation_id has no foreign key on purpose:
// the chain must stay readable and verifiable whatever happens to other tables.
export const migration0003AuditChain: CatalogMigration = {
  version: 3,
  name: 'audit-chain',
  up(db) {
    db.exec(`
      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY CHECK (seq >= 1),
        time TEXT NOT NULL,
        actor TEXT NOT NULL,
        host TEXT NOT NULL,
        type TEXT NOT NULL,
        operation_id INTEGER,
        data_json TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_events_operation ON audit_events(operation_id, seq);
    `);
  },
};
