import { formatBytes } from '../../../shared/format.ts';
import { Registry } from '../../core/registry/registry.ts';
import type { ReleaseSummary } from '../../core/registry/registry-types.ts';
import type { CommandSpec } from '../cli-types.ts';
import type { SignerIdentity } from '../../../shared/kit-verification.ts';

/** Short enough for a table row; `kit show` prints the full identity. */
function shortSigner(signer: SignerIdentity): string {
  return signer.kind === 'key' ? `key ${signer.fingerprint.slice(0, 16)}…` : `${signer.subject} (${signer.issuer})`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

export function listText(releases: ReleaseSummary[]): string {
  if (releases.length === 0) return 'The registry holds no releases yet; import one with "airlock kit import KIT".';
  const rows = [['NAME@VERSION', 'CHANNEL', 'SIZE', 'PUBLISHER', 'SIGNER', 'IMPORTED']];
  for (const r of releases) {
    rows.push([`${r.name}@${r.version}`, r.channel, formatBytes(r.totalBytes), r.publisher ?? `(${r.trustPublisher})`, shortSigner(r.signer), r.importedAt]);
  }
  return table(rows);
}

export const kitListCommand: CommandSpec = {
  words: ['kit', 'list'],
  summary: 'list the releases in the local registry',
  usage: 'kit list [--json]',
  options: {},
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const registry = await Registry.open(ctx.dataDir);
    try {
      const releases = registry.list();
      return { json: { releases }, text: listText(releases) };
    } finally {
      registry.close();
    }
  },
};
