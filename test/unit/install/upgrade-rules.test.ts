import { describe, expect, it } from 'vitest';
import { checkUpgradePath, downgradeAllowed, downgradeError, kindOf, publisherChanged } from '../../../electron/core/install/upgrade-rules.ts';
import type { ResolvedTrustPolicy } from '../../../electron/core/trust/trust-policy.ts';

const policy = (allowDowngrade: boolean): ResolvedTrustPolicy => ({
  source: '/etc/airlock/policy.json',
  publishers: [
    { name: 'other', field: 'publishers[0]', keys: [{ fingerprint: 'ff', keyHint: 'h', publicPem: '', source: 'x' } as never], keyless: [], trustedRoot: undefined, allowDowngrade: true, tlogThreshold: 0, timestampThreshold: 0, ctlogThreshold: 0 },
    { name: 'acme', field: 'publishers[1]', keys: [{ fingerprint: 'aa', keyHint: 'h', publicPem: '', source: 'x' } as never], keyless: [], trustedRoot: undefined, allowDowngrade, tlogThreshold: 0, timestampThreshold: 0, ctlogThreshold: 0 },
    { name: 'ci', field: 'publishers[2]', keys: [], keyless: [{ issuer: 'https://issuer', subject: 'me', matchesSubject: (s: string) => s === 'me', describe: 'me' }], trustedRoot: undefined, allowDowngrade: true, tlogThreshold: 1, timestampThreshold: 1, ctlogThreshold: 1 },
  ],
});

describe('upgrade rules', () => {
  it('classifies fresh, upgrade, downgrade and repair by SemVer precedence', () => {
    expect(kindOf(null, '1.0.0')).toBe('fresh');
    expect(kindOf('1.0.0', '1.0.1')).toBe('upgrade');
    expect(kindOf('1.0.0', '1.0.0-rc.1')).toBe('downgrade');
    expect(kindOf('1.10.0', '1.9.0')).toBe('downgrade');
    expect(kindOf('2.0.0', '2.0.0')).toBe('repair');
  });

  it('requires.upgradeFrom is a SemVer range the installed version must satisfy', () => {
    expect(checkUpgradePath('>=1.4.0 <2.0.0', '1.5.2', '2.0.0')).toBeNull();
    expect(checkUpgradePath('^1.4.0', '1.5.0-rc.1', '2.0.0')).toBeNull();
    expect(checkUpgradePath(undefined, '0.1.0', '2.0.0')).toBeNull();
    expect(checkUpgradePath('^1.4.0', null, '2.0.0')).toBeNull();
    expect(checkUpgradePath('^1.4.0', '1.3.9', '2.0.0')?.code).toBe('UPGRADE_PATH_INVALID');
    expect(checkUpgradePath('not a range !!', '1.0.0', '2.0.0')?.code).toBe('KIT_MANIFEST_INVALID');
  });

  it('a downgrade is allowed only by the publisher whose key or identity signed the kit', () => {
    expect(downgradeAllowed(undefined, { kind: 'key', keyHint: 'h', fingerprint: 'aa' })).toEqual({ allowed: false, publisher: null });
    expect(downgradeAllowed(policy(false), { kind: 'key', keyHint: 'h', fingerprint: 'aa' })).toEqual({ allowed: false, publisher: 'acme' });
    expect(downgradeAllowed(policy(true), { kind: 'key', keyHint: 'h', fingerprint: 'aa' })).toEqual({ allowed: true, publisher: 'acme' });
    expect(downgradeAllowed(policy(true), { kind: 'key', keyHint: 'h', fingerprint: 'zz' })).toEqual({ allowed: false, publisher: null });
    expect(downgradeAllowed(policy(false), { kind: 'keyless', subject: 'me', issuer: 'https://issuer', certificateSha256: 'c' })).toEqual({ allowed: true, publisher: 'ci' });
    expect(downgradeError('2.0.0', '1.0.0', 'acme', '/p.json').message).toContain('does not set allowDowngrade');
  });

  it('KIT_PUBLISHER_CHANGED compares signer identities', () => {
    expect(publisherChanged('notes', { version: '1.0.0', signerId: 'aa' }, { version: '1.1.0', signerId: 'aa' })).toBeNull();
    expect(publisherChanged('notes', { version: '1.0.0', signerId: 'aa' }, { version: '1.1.0', signerId: 'bb' })?.code).toBe('KIT_PUBLISHER_CHANGED');
  });
});
