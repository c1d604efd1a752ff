import { describe, expect, it } from 'vitest';
import { AirlockError, toErrorPayload } from '../../../shared/airlock-error.ts';
import { ERROR_CATALOG, ERROR_CODES } from '../../../shared/error-catalog.ts';

// Codes other tools rely on (KIT-FORMAT.md); renaming one breaks them.
const NORMATIVE = [
  'KIT_PART_DIGEST', 'KIT_PART_MISSING', 'KIT_ENTRY_TYPE', 'KIT_ENTRY_MODE', 'KIT_PATH_UNSAFE', 'KIT_PATH_COLLISION',
  'KIT_UNLISTED_FILE', 'KIT_MISSING_FILE', 'KIT_DIGEST_MISMATCH', 'KIT_SUMS_MALFORMED', 'KIT_UNSIGNED', 'SIG_INVALID',
  'SIG_UNTRUSTED', 'SIG_TLOG', 'SIG_TIMESTAMP', 'KIT_SCHEMA', 'KIT_MANIFEST_INVALID', 'OCI_BLOB_DIGEST', 'OCI_BLOB_MISSING',
  'MIGRATION_CHANGED', 'MIGRATION_DESTRUCTIVE', 'KIT_DOWNGRADE', 'KIT_PUBLISHER_CHANGED',
];

describe('error catalog', () => {
  it('holds every normative KIT-FORMAT code', () => {
    for (const code of NORMATIVE) expect(ERROR_CODES).toContain(code);
  });

  it('gives every code a title and a remedy that says what to do', () => {
    for (const code of ERROR_CODES) {
      const e = ERROR_CATALOG[code];
      expect(e.title.length, code).toBeGreaterThan(3);
      expect(e.remedy.length, code).toBeGreaterThan(20);
      expect(e.remedy, code).not.toMatch(/something went wrong/i);
    }
  });

  it('only usage errors exit with 2', () => {
    for (const code of ERROR_CODES) expect(ERROR_CATALOG[code].exit).toBe(code === 'USAGE' ? 2 : 1);
  });
});

describe('AirlockError payloads', () => {
  it('round-trips through a payload with path, field and details', () => {
    const e = new AirlockError('KIT_DIGEST_MISMATCH', 'payload/a differs', { path: 'payload/a', details: { expected: 'x' } });
    const p = e.toPayload();
    expect(p).toEqual({ code: 'KIT_DIGEST_MISMATCH', message: 'payload/a differs', path: 'payload/a', remedy: ERROR_CATALOG.KIT_DIGEST_MISMATCH.remedy, details: { expected: 'x' } });
    const back = AirlockError.fromPayload(JSON.parse(JSON.stringify(p)));
    expect(back.code).toBe('KIT_DIGEST_MISMATCH');
    expect(back.path).toBe('payload/a');
  });

  it('turns unexpected errors into INTERNAL, never into a kit verdict', () => {
    expect(toErrorPayload(new TypeError('boom')).code).toBe('INTERNAL');
    expect(toErrorPayload({ code: 'ENOENT', message: 'x' }).code).toBe('INTERNAL');
    expect(toErrorPayload('text').message).toBe('text');
  });
});
