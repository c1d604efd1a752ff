// `airlock status --root DIR`: the active release, the retained ones, the
// last operation, and what the start-up recovery did, if anything.
import type { InstallStatus } from '../../core/install/install-types.ts';
import type { CommandSpec } from '../cli-types.ts';
import { openInstallService, rootOption } from './install.ts';

export function statusText(s: InstallStatus): string {
  const lines: string[] = [];
  if (s.recovery) lines.push(`Recovered an interrupted operation: ${s.recovery.message}.`, '');
  if (s.busy) lines.push(`Another Airlock process is working on this root: "${s.busy.command}" (pid ${s.busy.pid} on ${s.busy.host}, since ${s.busy.startedAt}); what follows may change when it finishes.`, '');
  if (!s.exists) {
    lines.push(`${s.root} does not exist: nothing is installed there.`);
    return lines.join('\n');
  }
  lines.push(`Install root ${s.root}${s.name ? ` (${s.name})` : ''}`);
  lines.push(`  active:      ${s.active ?? 'none'}   (switch: ${s.switchStrategy === 'symlink' ? 'symlink "current"' : 'pointer file current.json'})`);
  lines.push(`  retained:    ${s.releases.length} (keep ${s.keep})`);
  for (const r of s.releases) {
    const tags = [r.active ? 'active' : '', r.rollbackTarget ? 'rollback target' : '', r.dirPresent ? '' : 'FOLDER MISSING'].filter(Boolean).join(', ');
    const backup = r.leftBackup
      ? r.leftBackup.databases.some((d) => d.problem)
        ? `backup UNUSABLE: ${r.leftBackup.databases.map((d) => d.problem).filter(Boolean).join('; ')}`
        : `backup from operation ${r.leftBackup.operationId} (${r.leftBackup.takenAt})`
      : r.active ? '' : 'no backup recorded';
    lines.push(`    ${r.version.padEnd(12)} activated ${r.activatedAt}${tags ? `  [${tags}]` : ''}${backup ? `  ${backup}` : ''}`);
  }
  const op = s.lastOperation;
  if (!op) {
    lines.push('  last operation: none recorded in this data folder');
  } else {
    lines.push(`  last operation: #${op.id} ${op.type} ${op.kind ?? ''} ${op.from ? `${op.from} → ` : ''}${op.to ?? ''}: ${op.status.toUpperCase()} (${op.startedAt}${op.endedAt ? ` – ${op.endedAt}` : ''})`.replace(/\s+:/, ':'));
    if (op.error) lines.push(`    ${op.failedStep ? `failed step: ${op.failedStep}; ` : ''}${op.error.code}: ${op.error.message}`);
    if (op.recovery && !s.recovery) lines.push(`    recovery: ${op.recovery.message}`);
    lines.push(`    steps: ${op.steps.map((x) => `${x.name} ${x.outcome}`).join(', ') || 'none'}`);
  }
  return lines.join('\n');
}

export const statusCommand: CommandSpec = {
  words: ['status'],
  recoversItself: true,
  summary: 'show the installed release, the retained releases and the last operation of an install root',
  usage: 'status --root DIR [--json]',
  help: 'Like every command that touches an install root, it first finishes or undoes an operation a killed process left in flight, and says what it did.',
  options: { root: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const root = rootOption(ctx);
    const { service, registry } = await openInstallService(ctx);
    try {
      const status = await service.status(root);
      return { json: { status }, text: statusText(status) };
    } finally {
      registry.close();
    }
  },
};
