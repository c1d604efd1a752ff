import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { PathCollisionGuard, checkEntryMode, isExecutable, normalizeKitPath, printable } from '../../../electron/core/kit/kit-path-rules.ts';
import { UNSAFE_PATHS } from '../../helpers/tar-fixtures.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    return (error as AirlockError).code;
  }
  return 'accepted';
}


describe('normalizeKitPath', () => {
  it.each(UNSAFE_PATHS)('refuses %s with KIT_PATH_UNSAFE naming the path', (_name, p) => {
    try {
      normalizeKitPath(p);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(AirlockError);
      expect((error as AirlockError).code).toBe('KIT_PATH_UNSAFE');
      expect((error as AirlockError).path).toBe(printable(p));
    }
  });

  it.each([
    ['payload/app/config.json', 'payload/app/config.json'],
    ['./payload/x', 'payload/x'],
    ['commodity/consul.txt', 'commodity/consul.txt'],
    ['COM10', 'COM10'],
    ['lpt', 'lpt'],
    ['.hidden', '.hidden'],
    ['a/..b', 'a/..b'],
    ['café.txt', 'café.txt'],
    [`${'d'.repeat(100)}/${'d'.repeat(100)}/${'f'.repeat(38)}`, `${'d'.repeat(100)}/${'d'.repeat(100)}/${'f'.repeat(38)}`],
  ])('accepts %s', (raw, normal) => {
    expect(normalizeKitPath(raw)).toBe(normal);
  });

  it('strips the trailing slash of directories only when asked', () => {
    expect(normalizeKitPath('payload/bin/', { directory: true })).toBe('payload/bin');
    expect(normalizeKitPath('./payload/', { directory: true })).toBe('payload');
    expect(codeOf(() => normalizeKitPath('payload/bin/'))).toBe('KIT_PATH_UNSAFE');
  });

  it('makes control characters visible in messages', () => {
    expect(printable('a\u001b[31mb')).toBe('a\\x1b[31mb');
  });
});

describe('checkEntryMode', () => {
  it.each([
    ['set-uid', 0o4755],
    ['set-gid', 0o2755],
    ['sticky', 0o1777],
  ])('refuses %s with KIT_ENTRY_MODE', (_name, mode) => {
    expect(codeOf(() => checkEntryMode('bin/x', mode))).toBe('KIT_ENTRY_MODE');
  });

  it('accepts plain modes and reads only the owner-executable bit', () => {
    expect(codeOf(() => checkEntryMode('x', 0o755))).toBe('accepted');
    expect(codeOf(() => checkEntryMode('x', 0o600))).toBe('accepted');
    expect(isExecutable(0o755)).toBe(true);
    expect(isExecutable(0o655)).toBe(false);
    expect(isExecutable(0o011)).toBe(false);
  });
});

describe('PathCollisionGuard', () => {
  const run = (...entries: Array<[string, 'file' | 'dir']>) => {
    const g = new PathCollisionGuard();
    return codeOf(() => entries.forEach(([p, k]) => g.add(p, k)));
  };

  it('refuses a duplicate', () => {
    expect(run(['a/b.txt', 'file'], ['a/b.txt', 'file'])).toBe('KIT_PATH_COLLISION');
  });

  it('refuses case twins', () => {
    expect(run(['a/README', 'file'], ['a/readme', 'file'])).toBe('KIT_PATH_COLLISION');
    expect(run(['Docs', 'dir'], ['docs', 'dir'])).toBe('KIT_PATH_COLLISION');
  });

  it('refuses a file used as a folder, in either order', () => {
    expect(run(['a', 'file'], ['a/b', 'file'])).toBe('KIT_PATH_COLLISION');
    expect(run(['a/b', 'file'], ['A', 'file'])).toBe('KIT_PATH_COLLISION');
  });

  it('names both paths', () => {
    const g = new PathCollisionGuard();
    g.add('payload/Config.json', 'file');
    try {
      g.add('payload/config.json', 'file');
      throw new Error('accepted');
    } catch (error) {
      expect((error as AirlockError).path).toBe('payload/config.json');
      expect((error as AirlockError).details).toEqual({ other: 'payload/Config.json' });
    }
  });

  it('accepts folders with their files, and directory records after files', () => {
    expect(run(['a/b', 'file'], ['a', 'dir'], ['a/c', 'file'], ['ab', 'file'])).toBe('accepted');
  });
});
