// Opens the audit chain of a data folder for the commands that only read or
// check it (no registry lock or import recovery needed: appends take SQLite's
// write lock themselves).
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { openCatalogDb, type CatalogDb } from '../db/catalog-db.ts';
import { CATALOG_FILE } from '../registry/registry.ts';
import { AuditLog, defaultAuditIdentity, type AuditHead, type AuditLogDeps } from './audit-log.ts';
import { loadOrCreateWorkstationKey, type WorkstationKey } from './workstation-key.ts';

export interface OpenAuditLog {
  db: CatalogDb;
  log: AuditLog;
  close(): void;
}

export function openAuditLog(dataDir: string, deps: Partial<AuditLogDeps> = {}): OpenAuditLog {
  const db = openCatalogDb(path.join(dataDir, CATALOG_FILE));
  const identity = deps.actor !== undefined && deps.host !== undefined ? { actor: deps.actor, host: deps.host } : defaultAuditIdentity();
  const log = new AuditLog(db, { clock: deps.clock ?? (() => new Date()), actor: deps.actor ?? identity.actor, host: deps.host ?? identity.host });
  return {
    db,
    log,
    close: () => {
      if (db.open) db.close();
    },
  };
}

/** Parses "SEQ:HASH" (as printed by audit verify and recorded in evidence bundles). */
export function parseAuditHead(text: string, field = '--head'): AuditHead {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (!m) throw new AirlockError('USAGE', `${field} takes SEQ:HASH (a record number, a colon and 64 lowercase hex digits), got "${text}"`, { field });
  return { seq: Number(m[1]), hash: m[2]! };
}

export function formatAuditHead(head: AuditHead): string {
  return `${head.seq}:${head.hash}`;
}

/** Loads (or on first use creates) the workstation key; a new key is recorded in the audit chain. */
export function recordedWorkstationKey(dataDir: string): WorkstationKey {
  const key = loadOrCreateWorkstationKey(dataDir);
  if (key.created) {
    const audit = openAuditLog(dataDir);
    try {
      audit.log.append({ type: 'workstation-key.create', data: { fingerprint: key.fingerprint, publicKeyPath: key.publicKeyPath } });
    } finally {
      audit.close();
    }
  }
  return key;
}
