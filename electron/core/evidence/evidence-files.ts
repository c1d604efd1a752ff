// The bundle's file names and the JSON documents the exporter writes from the
// EvidenceModel. Kept apart from the writing so the verifier shares the names
// and the tests can read the documents' shapes in one place.
import type { EvidenceModel } from './evidence-model.ts';
import { canonicalJson, canonicalJsonPretty } from './canonical-json.ts';

export const EVIDENCE_FILES = {
  manifest: 'manifest.json',
  kitManifest: 'kit.json',
  sums: 'SHA256SUMS',
  sumsBundle: 'SHA256SUMS.sigstore.json',
  verification: 'verification.json',
  preflight: 'preflight.json',
  operation: 'operation.json',
  migrations: 'migrations.json',
  rollback: 'rollback.json',
  audit: 'audit.jsonl',
  report: 'report.pdf',
  workstationKey: 'workstation.pub.pem',
  evidenceSums: 'EVIDENCE.SHA256SUMS',
  evidenceBundle: 'EVIDENCE.SHA256SUMS.sigstore.json',
} as const;

export const AUDIT_SLICE_SCHEMA = 'airlock.audit-slice/v1';

export function manifestDocument(m: EvidenceModel): string {
  const op = m.operation;
  return canonicalJsonPretty({
    schema: m.schema,
    airlock: { version: m.airlockVersion },
    operation: { id: op.id, type: op.type, status: op.status, startedAt: op.startedAt, endedAt: op.endedAt, errorCode: op.errorCode, errorMessage: op.errorMessage },
    operator: m.operator,
    kit: m.kit ? { name: m.kit.name, version: m.kit.version, sumsSha256: m.kit.sumsSha256 } : null,
    signer: m.kit ? m.kit.signature.signer : null,
    verdict: m.verdict,
    audit: { head: m.audit.head, check: m.audit.check, records: m.audit.records.length },
    workstationKey: { fingerprint: m.workstationKey.fingerprint, file: EVIDENCE_FILES.workstationKey },
    sections: m.sections,
    recheck: [
      'Compare workstationKey.fingerprint with the workstation\'s own ("airlock evidence key") out of band.',
      'sha256sum -c EVIDENCE.SHA256SUMS',
      'Verify EVIDENCE.SHA256SUMS.sigstore.json over EVIDENCE.SHA256SUMS with workstation.pub.pem.',
      'Verify SHA256SUMS.sigstore.json over SHA256SUMS with the publisher\'s key; sha256sum SHA256SUMS equals kit.sumsSha256.',
    ],
  });
}

export function verificationDocument(m: EvidenceModel): string | null {
  const k = m.kit;
  if (!k) return null;
  return canonicalJsonPretty({
    kit: { name: k.name, version: k.version, channel: k.channel, created: k.created, publisher: k.publisher },
    sha256: { 'SHA256SUMS': k.sumsSha256, 'SHA256SUMS.sigstore.json': k.bundleSha256, 'kit.json': k.manifestSha256 },
    signature: k.signature,
    files: {
      listedInSha256Sums: k.listedFileCount,
      inKit: k.fileCount,
      matched: k.fileCount,
      mismatched: 0,
      missing: 0,
      unlisted: 0,
      totalBytes: k.totalBytes,
      result: 'every file matched its SHA-256 in the signed SHA256SUMS',
    },
    images: k.images,
    verifiedBy: { operationId: k.importOperationId, at: k.importedAt },
  });
}

export function operationDocument(m: EvidenceModel): string {
  const op = m.operation;
  return canonicalJsonPretty({
    id: op.id,
    type: op.type,
    status: op.status,
    startedAt: op.startedAt,
    endedAt: op.endedAt,
    errorCode: op.errorCode,
    errorMessage: op.errorMessage,
    steps: m.steps,
    details: op.details,
  });
}

export function auditDocument(m: EvidenceModel): string {
  const header = { schema: AUDIT_SLICE_SCHEMA, operationId: m.operation.id, head: m.audit.head, check: m.audit.check, records: m.audit.records.length };
  return [header, ...m.audit.records].map((r) => `${canonicalJson(r)}\n`).join('');
}

export function preflightDocument(m: EvidenceModel): string | null {
  return m.preflight ? canonicalJsonPretty(m.preflight) : null;
}

export function migrationsDocument(m: EvidenceModel): string | null {
  return m.migrations ? canonicalJsonPretty({ migrations: m.migrations }) : null;
}

export function rollbackDocument(m: EvidenceModel): string | null {
  return m.rollback ? canonicalJsonPretty(m.rollback) : null;
}
