import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { chooseCompression, chooseSourceDateEpoch, compressionFromName } from '../../../electron/cli/commands/kit-build.ts';

function usageField(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code).toBe('USAGE');
    return (error as AirlockError).field;
  }
  throw new Error('expected USAGE');
}

describe('kit build options', () => {
  it('reads the compression from a conventional output name', () => {
    expect(compressionFromName('/x/app-1.0.0.kit.tar')).toBe('none');
    expect(compressionFromName('app.kit.tar.gz')).toBe('gzip');
    expect(compressionFromName('APP.TGZ')).toBe('gzip');
    expect(compressionFromName('app.kit.tar.zst')).toBe('zstd');
    expect(compressionFromName('app.kit')).toBeUndefined();
  });

  it('takes --compress, else the name, else gzip, and refuses a flag that contradicts the name', () => {
    expect(chooseCompression(undefined, 'a.kit.tar.zst')).toBe('zstd');
    expect(chooseCompression(undefined, 'a.kit')).toBe('gzip');
    expect(chooseCompression('none', 'a.kit')).toBe('none');
    expect(chooseCompression('zstd', 'a.kit.tar.zst')).toBe('zstd');
    expect(usageField(() => chooseCompression('gzip', 'a.kit.tar'))).toBe('--compress');
    expect(usageField(() => chooseCompression('bzip2', 'a.kit'))).toBe('--compress');
  });

  it('takes the epoch from the flag, else SOURCE_DATE_EPOCH, else leaves it to kit.json', () => {
    expect(chooseSourceDateEpoch('86400', { SOURCE_DATE_EPOCH: '5' })).toBe(86400);
    expect(chooseSourceDateEpoch(undefined, { SOURCE_DATE_EPOCH: '5' })).toBe(5);
    expect(chooseSourceDateEpoch(undefined, {})).toBeUndefined();
    expect(chooseSourceDateEpoch(undefined, { SOURCE_DATE_EPOCH: '' })).toBeUndefined();
    expect(usageField(() => chooseSourceDateEpoch('-1', {}))).toBe('--source-date-epoch');
    expect(usageField(() => chooseSourceDateEpoch('1.5', {}))).toBe('--source-date-epoch');
    expect(usageField(() => chooseSourceDateEpoch(undefined, { SOURCE_DATE_EPOCH: 'now' }))).toBe('SOURCE_DATE_EPOCH');
    expect(usageField(() => chooseSourceDateEpoch('99999999999', {}))).toBe('--source-date-epoch');
  });
});
