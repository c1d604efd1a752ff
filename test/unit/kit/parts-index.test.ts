import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { isPlainFileName, parsePartsIndex } from '../../../electron/core/kit/parts-index.ts';

const HEX = 'c'.repeat(64);
const good = () => ({
  schema: 'airlock.parts/v1',
  kit: 'app-1.0.0.kit.tar',
  size: 30,
  sha256: HEX,
  parts: [
    { name: 'app-1.0.0.kit.tar.part001', size: 20, sha256: HEX },
    { name: 'app-1.0.0.kit.tar.part002', size: 10, sha256: HEX },
  ],
});

function refused(doc: unknown): AirlockError {
  try {
    parsePartsIndex(Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)), 'x.parts.json');
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code).toBe('KIT_PARTS_INVALID');
    expect((error as AirlockError).path).toBe('x.parts.json');
    return error as AirlockError;
  }
  throw new Error('accepted');
}

describe('parsePartsIndex', () => {
  it('reads a valid index', () => {
    const index = parsePartsIndex(Buffer.from(JSON.stringify(good())), 'x.parts.json');
    expect(index.parts.map((p) => p.name)).toEqual(['app-1.0.0.kit.tar.part001', 'app-1.0.0.kit.tar.part002']);
  });

  it('refuses text that is not JSON', () => {
    refused('{"schema": ');
  });

  it.each([
    ['schema', { ...good(), schema: 'airlock.parts/v2' }],
    ['kit', { ...good(), kit: '../app.kit.tar' }],
    ['size', { ...good(), size: -1 }],
    ['sha256', { ...good(), sha256: 'C'.repeat(64) }],
    ['parts', { ...good(), parts: [] }],
    ['parts[0].name', { ...good(), parts: [{ name: '../../etc/passwd', size: 30, sha256: HEX }] }],
    ['parts[0].name', { ...good(), parts: [{ name: 'sub/app.part001', size: 30, sha256: HEX }] }],
    ['parts[0].name', { ...good(), parts: [{ name: 'C:app.part001', size: 30, sha256: HEX }] }],
    ['parts[1].name', { ...good(), parts: [good().parts[0], { ...good().parts[0] }] }],
    ['parts[1].size', { ...good(), parts: [good().parts[0], { ...good().parts[1], size: 1.5 }] }],
    ['parts[0].sha256', { ...good(), parts: [{ ...good().parts[0], sha256: 'xyz' }, good().parts[1]] }],
    ['size', { ...good(), size: 31 }],
  ])('refuses a bad "%s" naming the field', (field, doc) => {
    expect(refused(doc).field).toBe(field);
  });

  it('treats part names as plain file names only', () => {
    expect(isPlainFileName('kit.tar.part001')).toBe(true);
    for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'c:x', 'a\u0000b', 'a\nb']) expect(isPlainFileName(bad)).toBe(false);
  });
});
