import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { compareUtf8, formatSha256Sums, parseSha256Sums } from '../../../electron/core/kit/sha256sums.ts';
import { MALFORMED_SUMS } from '../../helpers/tar-fixtures.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);


describe('parseSha256Sums', () => {
  it.each(MALFORMED_SUMS)('refuses %s with KIT_SUMS_MALFORMED and the line number', (_name, text, line) => {
    try {
      parseSha256Sums(Buffer.from(text));
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(AirlockError);
      expect((error as AirlockError).code).toBe('KIT_SUMS_MALFORMED');
      expect((error as AirlockError).details).toEqual({ line });
    }
  });

  it('refuses invalid UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from(`${A}  payload/`), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
    expect(() => parseSha256Sums(bytes)).toThrow(expect.objectContaining({ code: 'KIT_SUMS_MALFORMED' }));
  });

  it('reads sha256sum text and binary lines, sorted byte-wise', () => {
    const text = `${A}  Zeta\n${B} *payload/é.txt\n${A}  payload/z\n`;
    // "é" (0xC3 0xA9) sorts after "z" byte-wise though not in UTF-16 order of some strings.
    const sorted = formatSha256Sums([
      { path: 'payload/z', sha256: A },
      { path: 'payload/é.txt', sha256: B },
      { path: 'Zeta', sha256: A },
    ]);
    expect(sorted).toBe(`${A}  Zeta\n${A}  payload/z\n${B}  payload/é.txt\n`);
    expect(parseSha256Sums(Buffer.from(sorted)).map((e) => e.path)).toEqual(['Zeta', 'payload/z', 'payload/é.txt']);
    expect(() => parseSha256Sums(Buffer.from(text))).toThrow(expect.objectContaining({ code: 'KIT_SUMS_MALFORMED' }));
  });

  it('accepts an empty list', () => {
    expect(parseSha256Sums(new Uint8Array())).toEqual([]);
  });

  it('compares UTF-8 byte-wise, not UTF-16', () => {
    // U+FF5E (EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in UTF-8 but after it in UTF-16.
    expect(compareUtf8('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect('\uff5e' < '\u{1f600}').toBe(false);
  });
});
