import { AirlockError } from '../../../shared/airlock-error.ts';
import { formatBytes } from '../../../shared/format.ts';
import { Registry } from '../../core/registry/registry.ts';
import type { ImportResult } from '../../core/registry/registry-types.ts';
import { SignatureVerifier } from '../../core/trust/signature-verifier.ts';
import { resolveTrustPolicy } from '../../core/trust/trust-policy.ts';
import type { CommandSpec } from '../cli-types.ts';
import { TRUST_OPTIONS, TRUST_USAGE, trustInputFromOptions } from '../trust-flags.ts';
import { describeSigner } from './kit-verify.ts';

function parseWait(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) throw new AirlockError('USAGE', `--wait takes a number of seconds, got "${value}"`, { field: '--wait' });
  return n;
}

export function importText(r: ImportResult, dataDir: string): string {
  const rel = r.release;
  if (r.status === 'unchanged') {
    return [
      r.blobsWritten > 0
        ? `OK  ${rel.name}@${rel.version} is already imported; ${r.blobsWritten} missing blob(s) were restored from the kit, the catalog is unchanged`
        : `OK  ${rel.name}@${rel.version} is already imported; nothing changed`,
      `  how:        ${r.check === 'quick' ? 'signature valid, SHA256SUMS identical to the imported release, every blob present with its size (files not re-hashed)' : 'verified in full; identical to the imported release'}`,
      `  imported:   ${rel.importedAt}`,
      `  SHA256SUMS: sha256:${rel.sumsSha256}`,
    ].join('\n');
  }
  return [
    `OK  imported ${rel.name}@${rel.version} into ${dataDir}`,
    `  channel:    ${rel.channel}`,
    `  publisher:  ${rel.publisher ?? '(not stated)'}; trusted as "${rel.trustPublisher}"`,
    `  signer:     ${describeSigner(rel.signer)}`,
    `  files:      ${rel.fileCount} (${formatBytes(rel.totalBytes)}); ${r.blobsWritten} blob(s) written (${formatBytes(r.bytesWritten)}), ${r.blobsReused} already in the store`,
    `  images:     ${rel.imageCount}`,
    `  SHA256SUMS: sha256:${rel.sumsSha256}`,
  ].join('\n');
}

export const kitImportCommand: CommandSpec = {
  words: ['kit', 'import'],
  summary: 'verify a kit and import it into the local registry (idempotent, resumable)',
  usage: `kit import KIT ${TRUST_USAGE} [--wait SECONDS] [--json]`,
  help: [
    'Verifies the kit as "kit verify" does and stores it in the same pass. Importing a kit again changes',
    'nothing; an interrupted import resumes from the blobs already stored. --wait SECONDS waits for another',
    'import into the same registry to finish (default: fail at once with REGISTRY_LOCKED).',
  ].join('\n'),
  options: { ...TRUST_OPTIONS, wait: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const waitSeconds = parseWait(ctx.options.wait as string | undefined);
    const policy = await resolveTrustPolicy(trustInputFromOptions(ctx));
    const kitPath = ctx.resolvePath(ctx.positionals[0]!);
    const registry = await Registry.open(ctx.dataDir);
    try {
      const result = await registry.import(kitPath, {
        signature: new SignatureVerifier(policy),
        onProgress: ctx.progress,
        signal: ctx.signal,
        waitSeconds,
        command: `airlock kit import ${ctx.positionals[0]!}`,
      });
      return { json: { import: result }, text: importText(result, ctx.dataDir) };
    } finally {
      registry.close();
    }
  },
};
