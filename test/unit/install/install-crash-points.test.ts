import { describe, expect, it } from 'vitest';
import { CRASH_ENV, crashHookFromEnv } from '../../../electron/core/install/install-crash-points.ts';

describe('AIRLOCK_CRASH_AT', () => {
  it('is off unless it names a known point', () => {
    expect(crashHookFromEnv({})).toBeUndefined();
    expect(crashHookFromEnv({ [CRASH_ENV]: 'nowhere' })).toBeUndefined();
  });

  it('kills at the first (or n-th) pass of the named point only', () => {
    const kills: string[] = [];
    const hook = crashHookFromEnv({ [CRASH_ENV]: 'install-migration-mid#2' }, () => kills.push('kill'))!;
    hook('install-switched');
    hook('install-migration-mid');
    expect(kills).toEqual([]);
    hook('install-migration-mid');
    expect(kills).toEqual(['kill']);
    hook('install-migration-mid');
    expect(kills).toEqual(['kill']);
  });
});
