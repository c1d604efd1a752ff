// What an evidence bundle says, as one plain value: the exporter writes its
// JSON files from it and the PDF report draws it, so the two can never tell
// different stories. Everything here comes from recorded data (catalog rows,
// audit records, stored blobs); nothing is measured at export time.
import type { SignatureVerdict } from '../../../shared/kit-verification.ts';
import type { OperationRow } from '../registry/release-catalog.ts';
import type { AuditHead, AuditRecord } from './audit-log.ts';

export const EVIDENCE_SCHEMA = 'airlock.evidence/v1';

/** The operation row as recorded, details unchanged. */
export type EvidenceOperation = OperationRow;

export interface EvidenceImage {
  ref: string;
  digest: string;
  mediaType: string;
  size: number;
}

export interface EvidenceKit {
  name: string;
  version: string;
  channel: string;
  created: string;
  /** kit.json's free-text publisher. */
  publisher: string | null;
  description: string | null;
  /** Hex SHA-256 of SHA256SUMS: the kit's identity. */
  sumsSha256: string;
  bundleSha256: string;
  manifestSha256: string;
  /** Regular files in the kit, the root files included, as the verifier counted them. */
  fileCount: number;
  /** Lines of SHA256SUMS. */
  listedFileCount: number;
  totalBytes: number;
  images: EvidenceImage[];
  signature: SignatureVerdict;
  importedAt: string;
  importOperationId: number;
}

export interface EvidenceStep {
  name: string;
  startedAt: string | null;
  endedAt: string | null;
  outcome: string;
  detail: string | null;
}

export interface EvidenceMigration {
  id: string;
  database: string | null;
  sha256: string | null;
  backupSha256: string | null;
  outcome: string | null;
}

export interface EvidenceAuditCheck {
  ok: boolean;
  /** Records 1..checkedThrough were checked (the chain up to this operation's last event). */
  checkedThrough: number;
  firstBadSeq: number | null;
  reason: string | null;
}

export interface EvidenceSection {
  /** File in the bundle, e.g. "preflight.json". */
  file: string;
  title: string;
  included: boolean;
  /** Why it is absent, in plain words ("No migrations in this operation"). */
  note: string | null;
}

export interface EvidenceVerdict {
  status: 'pass' | 'fail' | 'incomplete';
  headline: string;
  reasons: string[];
}

export interface EvidenceModel {
  schema: typeof EVIDENCE_SCHEMA;
  airlockVersion: string;
  operation: EvidenceOperation;
  /** The OS user and host that ran the operation, from its audit records; null when none were recorded. */
  operator: { actor: string; host: string } | null;
  kit: EvidenceKit | null;
  preflight: Record<string, unknown> | null;
  steps: EvidenceStep[] | null;
  migrations: EvidenceMigration[] | null;
  rollback: Record<string, unknown> | null;
  audit: { records: AuditRecord[]; head: AuditHead | null; check: EvidenceAuditCheck };
  workstationKey: { fingerprint: string };
  sections: EvidenceSection[];
  verdict: EvidenceVerdict;
}
