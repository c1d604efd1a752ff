import { recordedWorkstationKey } from '../../core/evidence/audit-catalog.ts';
import { formatFingerprint } from '../../core/evidence/workstation-key.ts';
import type { CommandSpec } from '../cli-types.ts';

/** The CLI's name for the shared helper. */
export const workstationKeyFor = recordedWorkstationKey;

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
