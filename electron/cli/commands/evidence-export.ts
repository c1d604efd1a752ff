import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { AuditLog, defaultAuditIdentity } from '../../core/evidence/audit-log.ts';
import { exportEvidence, type EvidenceExportResult } from '../../core/evidence/evidence-exporter.ts';
import { EVIDENCE_FILES } from '../../core/evidence/evidence-files.ts';
import { Registry } from '../../core/registry/registry.ts';
import { defaultResourcesDir } from '../../core/trust/trust-policy.ts';
import { readAppVersion } from '../../core/app-version.ts';
import type { CommandSpec } from '../cli-types.ts';
import { workstationKeyFor } from './evidence-key.ts';

function parseOperation(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,15}$/.test(value)) throw new AirlockError('USAGE', `--operation takes an operation id (a positive whole number), got "${value}"`, { field: '--operation' });
  return Number(value);
}

/** Every file but the checksum list and its signature is listed in the checksum list. */
function listedCount(files: readonly { path: string }[]): number {
  return files.filter((f) => f.path !== EVIDENCE_FILES.evidenceSums && f.path !== EVIDENCE_FILES.evidenceBundle).length;
}

export function exportText(r: EvidenceExportResult): string {
  return [
    `OK  evidence for ${r.operationType} operation ${r.operationId} written to ${r.outDir}`,
    ...(r.tarPath ? [`  archive:     ${r.tarPath}`] : []),
    `  verdict:     ${r.verdict.headline}`,
    `  files:       ${r.files.length}: ${listedCount(r.files)} listed in ${EVIDENCE_FILES.evidenceSums}, which is signed by the workstation key`,
    `  audit head:  ${r.auditHead ? `${r.auditHead.seq}:${r.auditHead.hash}` : 'none (no audit records for this operation)'}`,
    `  workstation: ${r.workstationFingerprint}`,
    `  check it:    airlock evidence verify ${r.outDir}`,
  ].join('\n');
}

export const evidenceExportCommand: CommandSpec = {
  words: ['evidence', 'export'],
  summary: 'write the evidence bundle (JSON, signed checksums, report.pdf) of one operation',
  usage: 'evidence export [--operation ID] --out DIR [--tar] [--json]',
  help: [
    'Without --operation, the latest finished operation. DIR must not exist or be empty; the bundle appears',
    'there complete or not at all. --tar also writes DIR.tar with the same files. Exporting the same',
    'operation again gives the same bytes, except EVIDENCE.SHA256SUMS.sigstore.json (a fresh signature).',
  ].join('\n'),
  options: { operation: { type: 'string' }, out: { type: 'string' }, tar: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const out = ctx.options.out as string | undefined;
    if (out === undefined) throw new AirlockError('USAGE', '--out DIR is required: the folder to write the evidence bundle to', { field: '--out' });
    const operationId = parseOperation(ctx.options.operation as string | undefined);
    const workstationKey = workstationKeyFor(ctx.dataDir);
    const registry = await Registry.open(ctx.dataDir);
    try {
      const identity = defaultAuditIdentity();
      const result = await exportEvidence({
        db: registry.catalog.db,
        audit: new AuditLog(registry.catalog.db, { clock: () => new Date(), ...identity }),
        readBlob: (digest) => registry.store.read(digest),
        workstationKey,
        airlockVersion: readAppVersion(),
        fontsDir: path.join(defaultResourcesDir(), 'fonts'),
      }, { outDir: ctx.resolvePath(out), tar: ctx.options.tar === true, ...(operationId === undefined ? {} : { operationId }) });
      return { json: { export: result }, text: exportText(result) };
    } finally {
      registry.close();
    }
  },
};
