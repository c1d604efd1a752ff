// Gathers what the catalog recorded about one operation into an
// EvidenceModel: the operation row, the release it concerns (and that
// release's signed root files from the blob store), its audit records and the
// chain check up to its last record. Read-only; works for any operation type
// and says plainly which sections do not apply.
import { createHash } from 'node:crypto';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { SignatureVerdict } from '../../../shared/kit-verification.ts';
import type { CatalogDb } from '../db/catalog-db.ts';
import { parseSha256Sums } from '../kit/sha256sums.ts';
import { ReleaseCatalog, operationFromRow } from '../registry/release-catalog.ts';
import type { ReleaseDetail } from '../registry/registry-types.ts';
import { verifyAuditRecords, type AuditLog, type AuditRecord } from './audit-log.ts';
import {
  EVIDENCE_SCHEMA, type EvidenceAuditCheck, type EvidenceKit, type EvidenceMigration, type EvidenceModel, type EvidenceOperation,
  type EvidenceSection, type EvidenceStep, type EvidenceVerdict,
} from './evidence-model.ts';

export interface EvidenceSources {
  db: CatalogDb;
  audit: AuditLog;
  /** Bytes of a stored blob ("sha256:<hex>"). */
  readBlob(digest: string): Promise<Buffer>;
}

export interface EvidenceContext {
  airlockVersion: string;
  workstationFingerprint: string;
}

/** The kit's signed root files, byte for byte as imported. */
export interface KitRootFiles {
  manifest: Buffer;
  sums: Buffer;
  bundle: Buffer;
}

export interface CollectedEvidence {
  model: EvidenceModel;
  kitFiles: KitRootFiles | null;
}


/** The operation to export: the one asked for, or the latest that is no longer running. */
export function findOperation(db: CatalogDb, operationId?: number): EvidenceOperation {
  const row = (operationId === undefined
    ? db.prepare(`SELECT * FROM operations WHERE status != 'running' ORDER BY id DESC LIMIT 1`).get()
    : db.prepare('SELECT * FROM operations WHERE id = ?').get(operationId)) as Record<string, unknown> | undefined;
  if (!row) {
    throw new AirlockError('OPERATION_NOT_FOUND', operationId === undefined
      ? 'the catalog holds no finished operation yet; import or install a kit first'
      : `operation ${operationId} is not in the catalog`, { field: '--operation', ...(operationId === undefined ? {} : { details: { operationId } }) });
  }
  return operationFromRow(row);
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** "name@version", {name, version}, or separate fields: however the operation names its release. */
function releaseRefOf(details: Record<string, unknown>): { name: string; version: string } | null {
  const candidates: unknown[] = [details.release, details.kit, details.target, details.to, details];
  for (const c of candidates) {
    const s = str(c);
    if (s) {
      const at = s.lastIndexOf('@');
      if (at > 0 && at < s.length - 1) return { name: s.slice(0, at), version: s.slice(at + 1) };
      continue;
    }
    const o = obj(c);
    const name = str(o?.name);
    const version = str(o?.version);
    if (name && version) return { name, version };
  }
  return null;
}

function findRelease(db: CatalogDb, op: EvidenceOperation): ReleaseDetail | null {
  const catalog = new ReleaseCatalog(db);
  const imported = db
    .prepare('SELECT k.name, r.version FROM releases r JOIN kits k ON k.id = r.kit_id WHERE r.import_operation_id = ?')
    .get(op.id) as { name: string; version: string } | undefined;
  const ref = imported ?? releaseRefOf(op.details);
  if (!ref || !catalog.find(ref.name, ref.version)) return null;
  return catalog.detail(ref.name, ref.version);
}

const hex = (digest: string): string => (digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : digest);
const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function readRootFiles(sources: EvidenceSources, r: ReleaseDetail): Promise<KitRootFiles> {
  const read = async (digest: string, what: string): Promise<Buffer> => {
    const bytes = await sources.readBlob(digest);
    // The store names blobs by digest; a blob that no longer matches is a damaged store, not evidence.
    if (sha256Hex(bytes) !== hex(digest)) {
      throw new AirlockError('IO_ERROR', `the stored ${what} of ${r.name}@${r.version} no longer matches its digest ${digest}; run a registry check`, { path: digest });
    }
    return bytes;
  };
  return {
    manifest: await read(r.manifestDigest, 'kit.json'),
    sums: await read(r.sumsDigest, 'SHA256SUMS'),
    bundle: await read(r.bundleDigest, 'SHA256SUMS.sigstore.json'),
  };
}

function kitOf(r: ReleaseDetail, listedFileCount: number): EvidenceKit {
  return {
    name: r.name,
    version: r.version,
    channel: r.channel,
    created: r.created,
    publisher: r.publisher,
    description: r.description,
    sumsSha256: r.sumsSha256,
    bundleSha256: hex(r.bundleDigest),
    manifestSha256: hex(r.manifestDigest),
    fileCount: r.fileCount,
    listedFileCount,
    totalBytes: r.totalBytes,
    images: r.images.map((i) => ({ ref: i.ref, digest: i.digest, mediaType: i.mediaType, size: i.size })),
    signature: r.signature as SignatureVerdict,
    importedAt: r.importedAt,
    importOperationId: r.importOperationId,
  };
}

function stepsOf(details: Record<string, unknown>): EvidenceStep[] | null {
  if (!Array.isArray(details.steps)) return null;
  return details.steps.map((s, i) => {
    const o = obj(s) ?? {};
    const error = obj(o.error);
    return {
      name: str(o.name) ?? str(o.step) ?? str(o.id) ?? str(o.title) ?? `step ${i + 1}`,
      startedAt: str(o.startedAt) ?? str(o.started_at) ?? str(o.start),
      endedAt: str(o.endedAt) ?? str(o.ended_at) ?? str(o.end),
      outcome: str(o.outcome) ?? str(o.status) ?? str(o.result) ?? 'not recorded',
      detail: str(o.detail) ?? str(o.message) ?? (error ? [str(error.code), str(error.message)].filter(Boolean).join(': ') || null : null),
    };
  });
}

function migrationsOf(details: Record<string, unknown>): EvidenceMigration[] | null {
  if (!Array.isArray(details.migrations)) return null;
  const backups = Array.isArray(details.backups) ? details.backups.map(obj).filter((b): b is Record<string, unknown> => b !== null) : [];
  const backupFor = (database: string | null): string | null => {
    const b = backups.find((x) => str(x.database) === database) ?? (backups.length === 1 ? backups[0] : undefined);
    return b ? str(b.sha256) ?? str(b.backupSha256) : null;
  };
  return details.migrations.map((m) => {
    const o = obj(m) ?? {};
    const database = str(o.database) ?? str(o.databaseId);
    const backup = obj(o.backup);
    return {
      id: str(o.id) ?? '(no id)',
      database,
      sha256: str(o.sha256) ?? (str(o.digest) ? hex(str(o.digest)!) : null),
      backupSha256: str(o.backupSha256) ?? (backup ? str(backup.sha256) : null) ?? backupFor(database),
      outcome: str(o.outcome) ?? str(o.status) ?? null,
    };
  });
}

/**
 * What was rolled back: a rollback operation's own record, the automatic undo
 * of a failed install (its failed step and what was restored), and what
 * start-up recovery did to an interrupted operation.
 */
function rollbackOf(op: EvidenceOperation): Record<string, unknown> | null {
  const d = op.details;
  const out: Record<string, unknown> = {};
  const requested = obj(d.rollback);
  if (requested) Object.assign(out, requested);
  else if (op.type === 'rollback') Object.assign(out, { from: d.from ?? null, to: d.to ?? null });
  const undo = obj(d.undo);
  if (undo) out.automaticUndo = { failedStep: d.failedStep ?? null, ...undo };
  const recovery = obj(d.recovery);
  if (recovery) out.recovery = recovery;
  return Object.keys(out).length > 0 ? out : null;
}

function auditCheckOf(audit: AuditLog, records: AuditRecord[]): EvidenceAuditCheck {
  const last = records.at(-1);
  if (!last) return { ok: true, checkedThrough: 0, firstBadSeq: null, reason: null };
  // Only the chain up to this operation's last record: later appends (such as
  // the export's own record) must not change what this bundle says.
  const result = verifyAuditRecords(audit.list({ throughSeq: last.seq }));
  if (!result.ok) return { ok: false, checkedThrough: last.seq, firstBadSeq: result.firstBadSeq, reason: result.reason };
  // The operation's own records must be the ones in the chain (a record listed for the operation was read from the same table).
  return { ok: true, checkedThrough: last.seq, firstBadSeq: null, reason: null };
}

function verdictOf(op: EvidenceOperation, kit: EvidenceKit | null, audit: { records: AuditRecord[]; check: EvidenceAuditCheck }, preflight: Record<string, unknown> | null): EvidenceVerdict {
  const what = `${op.type} operation ${op.id}${kit ? ` (${kit.name}@${kit.version})` : ''}`;
  const reasons: string[] = [];
  let status: EvidenceVerdict['status'] = 'pass';
  if (op.status === 'running') {
    status = 'incomplete';
    reasons.push('The operation is still running (or its process stopped without recording an end).');
  } else if (op.status !== 'succeeded') {
    status = 'fail';
    reasons.push(`The operation ${op.status}${op.errorCode ? ` with ${op.errorCode}` : ''}${op.errorMessage ? `: ${op.errorMessage}` : ''}.`);
  } else {
    reasons.push(`The operation succeeded (${op.startedAt} to ${op.endedAt ?? 'no end recorded'}).`);
  }
  if (kit) {
    const s = kit.signature.signer;
    reasons.push(s.kind === 'key'
      ? `The kit's SHA256SUMS was verified against the pinned key ${s.fingerprint} (publisher "${kit.signature.publisher}").`
      : `The kit's SHA256SUMS was verified against the certificate identity ${s.subject} issued by ${s.issuer} (publisher "${kit.signature.publisher}").`);
  }
  const pfVerdict = preflight ? str(preflight.verdict) : null;
  if (pfVerdict === 'fail') reasons.push('The recorded preflight failed.');
  if (pfVerdict === 'warn') reasons.push('The recorded preflight passed with warnings that the operator acknowledged.');
  if (audit.records.length === 0) {
    if (status === 'pass') status = 'incomplete';
    reasons.push('No audit records were found for this operation, so the audit chain cannot vouch for it.');
  } else if (!audit.check.ok) {
    status = 'fail';
    reasons.push(`The audit chain is broken at record ${audit.check.firstBadSeq}: ${audit.check.reason}`);
  } else {
    reasons.push(`The audit chain is intact from record 1 through record ${audit.check.checkedThrough}.`);
  }
  const word = status === 'pass' ? 'PASS' : status === 'fail' ? 'FAIL' : 'INCOMPLETE';
  return { status, headline: `${word}: ${what}`, reasons };
}

export async function collectEvidence(sources: EvidenceSources, operationId: number | undefined, context: EvidenceContext): Promise<CollectedEvidence> {
  const op = findOperation(sources.db, operationId);
  const release = findRelease(sources.db, op);
  const kitFiles = release ? await readRootFiles(sources, release) : null;
  // Lines of SHA256SUMS: what an auditor counts with wc -l.
  const kit = release && kitFiles ? kitOf(release, parseSha256Sums(kitFiles.sums).length) : null;
  const records = sources.audit.list({ operationId: op.id });
  const last = records.at(-1);
  const check = auditCheckOf(sources.audit, records);
  const preflight = obj(op.details.preflight);
  const steps = stepsOf(op.details);
  const migrations = migrationsOf(op.details);
  const rollback = rollbackOf(op);
  const first = records[0];
  const shippedMigrations = release?.migrations.length ?? 0;
  const sections: EvidenceSection[] = [
    { file: 'kit.json', title: 'Kit manifest', included: kitFiles !== null, note: kitFiles ? null : 'No release is recorded for this operation, so there is no kit.json, SHA256SUMS or signature bundle.' },
    { file: 'SHA256SUMS', title: 'Signed checksum list', included: kitFiles !== null, note: kitFiles ? null : 'No release is recorded for this operation.' },
    { file: 'SHA256SUMS.sigstore.json', title: 'Kit signature bundle', included: kitFiles !== null, note: kitFiles ? null : 'No release is recorded for this operation.' },
    { file: 'verification.json', title: 'Signature and file verification', included: kit !== null, note: kit ? null : 'No release is recorded for this operation, so there is no verification result.' },
    { file: 'preflight.json', title: 'Preflight', included: preflight !== null, note: preflight ? null : 'No preflight was recorded with this operation.' },
    { file: 'operation.json', title: 'Operation and steps', included: true, note: steps ? null : 'The operation recorded no steps; the timeline lists its audit records instead.' },
    {
      file: 'migrations.json',
      title: 'Database migrations',
      included: migrations !== null,
      note: migrations ? null : `No migrations in this operation${shippedMigrations > 0 && op.type === 'import' ? ` (the kit ships ${shippedMigrations}; they run at install)` : ''}.`,
    },
    { file: 'rollback.json', title: 'Rollback', included: rollback !== null, note: rollback ? null : 'No rollback in this operation.' },
    { file: 'audit.jsonl', title: 'Audit records', included: true, note: records.length ? null : 'No audit records were found for this operation.' },
    { file: 'report.pdf', title: 'Report', included: true, note: null },
    { file: 'workstation.pub.pem', title: 'Workstation public key', included: true, note: null },
  ];
  const model: EvidenceModel = {
    schema: EVIDENCE_SCHEMA,
    airlockVersion: context.airlockVersion,
    operation: op,
    operator: first ? { actor: first.actor, host: first.host } : null,
    kit,
    preflight,
    steps,
    migrations,
    rollback,
    audit: { records, head: last ? { seq: last.seq, hash: last.hash } : null, check },
    workstationKey: { fingerprint: context.workstationFingerprint },
    sections,
    verdict: verdictOf(op, kit, { records, check }, preflight),
  };
  return { model, kitFiles };
}
