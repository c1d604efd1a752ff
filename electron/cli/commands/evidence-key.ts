import { openAuditLog } from '../../core/evidence/audit-catalog.ts';
import { formatFingerprint, loadOrCreateWorkstationKey, type WorkstationKey } from '../../core/evidence/workstation-key.ts';
import type { CommandSpec } from '../cli-types.ts';

/** Loads (or on first use creates) the workstation key; a new key is recorded in the audit chain. */
export function workstationKeyFor(dataDir: string): WorkstationKey {
  const key = loadOrCreateWorkstationKey(dataDir);
  if (key.created) {
    const audit = openAuditLog(dataDir);
    try {
      audit.log.append({ type: 'workstation-key.create', data: { fingerprint: key.fingerprint, publicKeyPath: key.publicKeyPath } });
    } finally {
      audit.close();
    }
  }
  return key;
}

export const evidenceKeyCommand: CommandSpec = {
  words: ['evidence', 'key'],
  summary: 'show the workstation key that signs evidence bundles (made on first use)',
  usage: 'evidence key [--json]',
  help: 'Give the fingerprint to your auditors over a channel you trust; they compare it with the one in each evidence bundle.',
  options: {},
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const key = workstationKeyFor(ctx.dataDir);
    return {
      json: { workstationKey: { fingerprint: key.fingerprint, publicKeyPem: key.publicKeyPem, keyPath: key.keyPath, publicKeyPath: key.publicKeyPath, created: key.created } },
      text: [
        `Workstation key${key.created ? ' (created now)' : ''}`,
        `  fingerprint: ${key.fingerprint}`,
        `  read aloud:  ${formatFingerprint(key.fingerprint)}`,
        `  public key:  ${key.publicKeyPath}`,
        `  private key: ${key.keyPath} (owner only; never copy it off this workstation)`,
      ].join('\n'),
    };
  },
};
