// The audit records of a kit import, built here so the importer only has to
// hand them to the chain: "kit.verify" (the signature and every file checked)
// and "kit.import" (the release stored), or one record for a failed attempt.
// A re-import that changes nothing records nothing, as it writes nothing.
import type { ErrorPayload } from '../../../shared/airlock-error.ts';
import type { SignatureVerdict } from '../../../shared/kit-verification.ts';
import type { AuditEventInput } from './audit-log.ts';

export interface ImportedReleaseFacts {
  name: string;
  version: string;
  /** "sha256:<hex>". */
  sumsDigest: string;
  signature: SignatureVerdict;
  fileCount: number;
  totalBytes: number;
  operationId: number;
}

export interface ImportStats {
  blobsWritten: number;
  blobsReused: number;
  bytesWritten: number;
}

const hex = (digest: string): string => (digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : digest);

export function importSucceededEvents(r: ImportedReleaseFacts, kitPath: string, stats: ImportStats): AuditEventInput[] {
  const kit = `${r.name}@${r.version}`;
  return [
    {
      type: 'kit.verify',
      operationId: r.operationId,
      data: {
        kit,
        kitPath,
        sumsSha256: hex(r.sumsDigest),
        signer: r.signature.signer,
        publisher: r.signature.publisher,
        tlogEntries: r.signature.tlogEntries.map((e) => e.logIndex),
        files: r.fileCount,
        totalBytes: r.totalBytes,
        result: 'verified',
      },
    },
    {
      type: 'kit.import',
      operationId: r.operationId,
      data: { kit, sumsSha256: hex(r.sumsDigest), result: 'imported', ...stats },
    },
  ];
}

const VERIFY_CODE = /^(KIT_|SIG_|OCI_)/;

/** One record for a failed or cancelled import; "kit.verify" when the kit itself failed its checks. */
export function importFailedEvent(kitPath: string, operationId: number | null, error: ErrorPayload): AuditEventInput {
  return {
    type: VERIFY_CODE.test(error.code) ? 'kit.verify' : 'kit.import',
    operationId,
    data: {
      kitPath,
      result: error.code === 'CANCELLED' ? 'cancelled' : 'failed',
      errorCode: error.code,
      message: error.message,
      ...(error.path !== undefined ? { path: error.path } : {}),
      ...(error.field !== undefined ? { field: error.field } : {}),
    },
  };
}
