// DESIGN/issue 4: after a crash at any instant, the NEXT airlock command of any
// kind finds either the old release with the old data or the new one with the
// new data, and says what it did. Commands that work on an install root
// (install, rollback, status) recover that root themselves and report it in
// their own output; every other command runs this first.
import fs from 'node:fs';
import path from 'node:path';
import { toErrorPayload } from '../../shared/airlock-error.ts';
import { CATALOG_FILE } from '../core/data-dir.ts';
import type { RecoveryReport } from '../core/install/install-types.ts';
import type { CommandContext } from './cli-types.ts';

export interface StartupRecovery {
  recovered: RecoveryReport[];
  /** Set when recovery could not run; the command still runs, and says so. */
  warning?: string;
}

export async function recoverInterruptedInstalls(ctx: CommandContext): Promise<StartupRecovery> {
  // No catalog yet: nothing was ever installed from this data directory.
  if (!fs.existsSync(path.join(ctx.dataDir, CATALOG_FILE))) return { recovered: [] };
  try {
    // Loaded only when there is a catalog: most commands never need the install service.
    const { openInstallService } = await import('./commands/install.ts');
    const { service, registry } = await openInstallService(ctx);
    try {
      return { recovered: await service.recoverAll() };
    } finally {
      registry.close();
    }
  } catch (error) {
    const p = toErrorPayload(error);
    return { recovered: [], warning: `could not check for interrupted installs (${p.code}: ${p.message})` };
  }
}

export function startupRecoveryLines(r: StartupRecovery): string[] {
  const lines = r.recovered.map((x) => `airlock: recovered an interrupted ${x.type} of ${x.to}: ${x.message}.`);
  if (r.warning) lines.push(`airlock: warning: ${r.warning}`);
  return lines;
}
