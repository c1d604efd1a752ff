import { Registry } from '../../core/registry/registry.ts';
import type { ReleaseDiff } from '../../core/registry/registry-types.ts';
import type { CommandSpec } from '../cli-types.ts';
import { parseReleaseRef } from '../release-ref.ts';

const short = (digest: string): string => digest.slice(7, 19);
const versions = (v: string[]): string => (v.length === 0 ? '(no version)' : v.join(', '));

export function diffText(d: ReleaseDiff): string {
  const lines = [`${d.from.name}@${d.from.version} → ${d.to.name}@${d.to.version}`];
  const section = (title: string, counts: { added: unknown[]; removed: unknown[]; changed: unknown[]; unchanged: number }): void => {
    lines.push('', `${title}: ${counts.added.length} added, ${counts.removed.length} removed, ${counts.changed.length} changed, ${counts.unchanged} unchanged`);
  };
  section('Files', d.files);
  for (const f of d.files.added) lines.push(`  + ${f.path}`);
  for (const f of d.files.removed) lines.push(`  - ${f.path}`);
  for (const f of d.files.changed) {
    const mode = f.from.mode !== f.to.mode ? ` mode ${f.from.mode.toString(8)} → ${f.to.mode.toString(8)}` : '';
    lines.push(`  ~ ${f.path}  ${short(f.from.digest)} → ${short(f.to.digest)}${mode}`);
  }
  section('Images', d.images);
  for (const i of d.images.added) lines.push(`  + ${i.ref}  ${i.digest}`);
  for (const i of d.images.removed) lines.push(`  - ${i.ref}  ${i.digest}`);
  for (const i of d.images.changed) lines.push(`  ~ ${i.ref}  ${i.from.digest} → ${i.to.digest}`);
  section('SBOM packages', d.packages);
  for (const p of d.packages.added) lines.push(`  + ${p.name} ${versions(p.versions)}${p.purl ? `  ${p.purl}` : ''}`);
  for (const p of d.packages.removed) lines.push(`  - ${p.name} ${versions(p.versions)}${p.purl ? `  ${p.purl}` : ''}`);
  for (const p of d.packages.changed) {
    const lic = p.from.licenses.join(', ') !== p.to.licenses.join(', ') ? `; license ${p.from.licenses.join(', ') || '(none)'} → ${p.to.licenses.join(', ') || '(none)'}` : '';
    lines.push(`  ~ ${p.name} ${versions(p.from.versions)} → ${versions(p.to.versions)}${lic}`);
  }
  return lines.join('\n');
}

export const kitDiffCommand: CommandSpec = {
  words: ['kit', 'diff'],
  summary: 'compare two imported releases: files, images and SBOM packages added, removed, changed',
  usage: 'kit diff NAME@VERSION NAME@VERSION [--json]',
  options: {},
  positionals: { min: 2, max: 2 },
  async run(ctx) {
    const a = parseReleaseRef(ctx.positionals[0]!, 'A');
    const b = parseReleaseRef(ctx.positionals[1]!, 'B');
    const registry = await Registry.open(ctx.dataDir);
    try {
      const diff = registry.diff(a, b);
      return { json: { diff }, text: diffText(diff) };
    } finally {
      registry.close();
    }
  },
};
