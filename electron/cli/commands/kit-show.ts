import { formatBytes } from '../../../shared/format.ts';
import { Registry } from '../../core/registry/registry.ts';
import type { ReleaseDetail } from '../../core/registry/registry-types.ts';
import type { CommandSpec } from '../cli-types.ts';
import { parseReleaseRef } from '../release-ref.ts';
import { describeSigner } from './kit-verify.ts';


export const modeText = (mode: number): string => (mode & 0o100 ? 'rwxr-xr-x' : 'rw-r--r--');

export function showText(d: ReleaseDetail): string {
  const lines = [
    `${d.name}@${d.version}`,
    `  channel:     ${d.channel}${d.calendar ? ` (calendar ${d.calendar})` : ''}`,
    `  created:     ${d.created}`,
    `  publisher:   ${d.publisher ?? '(not stated)'}; trusted as "${d.trustPublisher}"`,
    `  signer:      ${describeSigner(d.signer)}`,
    `  signature:   ${d.signature.content}, ${d.signature.tlogEntries.length} log entries, ${d.signature.timestamps.length} timestamps`,
    `  SHA256SUMS:  ${d.sumsDigest}`,
    `  imported:    ${d.importedAt} (operation ${d.importOperationId})`,
  ];
  if (d.description) lines.push(`  description: ${d.description}`);
  lines.push('', `Files (${d.files.length}, ${formatBytes(d.totalBytes)}):`);
  for (const f of d.files) lines.push(`  ${modeText(f.mode)}  ${formatBytes(f.size).padStart(9)}  ${f.digest.slice(7, 19)}  ${f.path}`);
  lines.push('', `Images (${d.images.length}):`);
  for (const i of d.images) lines.push(`  ${i.ref}  ${i.digest}  ${i.mediaType}`);
  lines.push('', `SBOM packages (${d.packages.length} from ${d.sboms.length} SBOM${d.sboms.length === 1 ? '' : 's'}):`);
  for (const p of d.packages) lines.push(`  ${p.name} ${p.version ?? '(no version)'}  ${p.license ?? '(no license stated)'}${p.purl ? `  ${p.purl}` : ''}`);
  if (d.attestations.length > 0) {
    lines.push('', `Attestations (${d.attestations.length}):`);
    for (const a of d.attestations) lines.push(`  ${a.path}  ${a.predicateType}`);
  }
  if (d.migrations.length > 0) {
    lines.push('', `Migrations (${d.migrations.length}):`);
    for (const m of d.migrations) lines.push(`  ${m.id} → ${m.database}${m.destructive ? ' (destructive)' : ''}  ${m.path}`);
  }
  return lines.join('\n');
}

export const kitShowCommand: CommandSpec = {
  words: ['kit', 'show'],
  summary: 'show one imported release: files, images, SBOM packages, signer',
  usage: 'kit show NAME@VERSION [--json]',
  options: {},
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const ref = parseReleaseRef(ctx.positionals[0]!);
    const registry = await Registry.open(ctx.dataDir);
    try {
      const release = registry.show(ref.name, ref.version);
      return { json: { release }, text: showText(release) };
    } finally {
      registry.close();
    }
  },
};
