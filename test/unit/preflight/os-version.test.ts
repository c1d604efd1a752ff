import { describe, expect, it } from 'vitest';
import { releaseLine, versionMatches } from '../../../electron/core/preflight/os-version.ts';

describe('versionMatches', () => {
  it.each([
    ['8', '8.10', true],
    ['8', '8', true],
    ['9', '9.4', true],
    ['8', '9.4', false],
    ['9', '8.9', false],
    ['22.04', '22.04', true],
    ['22.04', '22.04.4', true],
    ['22.04', '22.10', false],
    ['22.04', '22', false],
    ['20.04', '22.04', false],
    ['12', '12', true],
    ['12', '11', false],
    ['1', '10', false],
    ['10', '11', false],
    ['11', '11', true],
    ['22.4', '22.04', true],
    ['9', 'unknown', false],
    ['9', '', false],
    ['x', '9', false],
  ])('requirement %s against host %s → %s', (required, host, want) => {
    expect(versionMatches(required, host)).toBe(want);
  });
});

describe('releaseLine', () => {
  it('keeps the major for RHEL-like versions and major.minor for Ubuntu', () => {
    expect(releaseLine('rhel', '9.4')).toBe('9');
    expect(releaseLine('rocky', '8.10')).toBe('8');
    expect(releaseLine('ubuntu', '22.04')).toBe('22.04');
    expect(releaseLine('ubuntu', '22.04.4')).toBe('22.04');
    expect(releaseLine('debian', '12')).toBe('12');
  });
});
