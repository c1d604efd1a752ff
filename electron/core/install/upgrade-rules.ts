// Which installs are allowed over which (KIT-FORMAT §5 requires.upgradeFrom,
// §8 downgrade and publisher rules).
import semver from 'semver';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { SignerIdentity } from '../../../shared/kit-verification.ts';
import type { ResolvedTrustPolicy } from '../trust/trust-policy.ts';
import type { OperationKind } from './install-journal.ts';

export function kindOf(from: string | null, to: string): Exclude<OperationKind, 'rollback'> {
  if (from === null) return 'fresh';
  const c = semver.compare(to, from);
  return c > 0 ? 'upgrade' : c < 0 ? 'downgrade' : 'repair';
}

/** requires.upgradeFrom: the installed version must satisfy the range (prereleases included) to upgrade in place. */
export function checkUpgradePath(range: string | undefined, from: string | null, to: string): AirlockError | null {
  if (range === undefined || from === null || from === to) return null;
  if (semver.validRange(range) === null) {
    return new AirlockError('KIT_MANIFEST_INVALID', `kit.json field "requires.upgradeFrom": "${range}" is not a SemVer range`, { field: 'requires.upgradeFrom' });
  }
  if (semver.satisfies(from, range, { includePrerelease: true })) return null;
  return new AirlockError('UPGRADE_PATH_INVALID', `${to} upgrades only from versions in "${range}" (requires.upgradeFrom); ${from} is installed`, {
    field: 'requires.upgradeFrom',
    details: { installed: from, upgradeFrom: range, to },
  });
}

/**
 * Whether the trust policy lets this signer's kits downgrade: the publisher
 * whose pinned key or keyless identity matches the release's signer decides
 * (allowDowngrade, default no). Without a policy the answer is no.
 */
export function downgradeAllowed(policy: ResolvedTrustPolicy | undefined, signer: SignerIdentity): { allowed: boolean; publisher: string | null } {
  if (!policy) return { allowed: false, publisher: null };
  for (const p of policy.publishers) {
    const matches = signer.kind === 'key'
      ? p.keys.some((k) => k.fingerprint === signer.fingerprint)
      : p.keyless.some((r) => r.issuer === signer.issuer && r.matchesSubject(signer.subject));
    if (matches) return { allowed: p.allowDowngrade, publisher: p.name };
  }
  return { allowed: false, publisher: null };
}

export function downgradeError(from: string, to: string, publisher: string | null, policySource: string | null): AirlockError {
  const why = policySource === null
    ? 'no trust policy was given (pass --policy FILE with allowDowngrade for this publisher)'
    : publisher === null
      ? `the trust policy ${policySource} names no publisher whose key or identity signed ${to}`
      : `publisher "${publisher}" in ${policySource} does not set allowDowngrade`;
  return new AirlockError('KIT_DOWNGRADE', `${to} is older than the installed ${from}, and ${why}`, { details: { installed: from, to, publisher } });
}

export function publisherChanged(name: string, installed: { version: string; signerId: string }, next: { version: string; signerId: string }): AirlockError | null {
  if (installed.signerId === next.signerId) return null;
  return new AirlockError('KIT_PUBLISHER_CHANGED', `${name}@${installed.version} is installed from signer ${installed.signerId}; ${name}@${next.version} was signed by ${next.signerId}`, {
    details: { installed: installed.signerId, kit: next.signerId },
  });
}
