// The index of a split kit, `<kitfile>.parts.json` (KIT-FORMAT §1). It is a
// convenience, not a trust root, but it is read before anything is verified, so
// every field is checked as hostile input: part names must be plain file names
// that stay in the index's folder.
import { AirlockError } from '../../../shared/airlock-error.ts';
import { printable } from './kit-path-rules.ts';

export const PARTS_INDEX_SCHEMA = 'airlock.parts/v1';
export const PARTS_INDEX_SUFFIX = '.parts.json';
export const MAX_KIT_PARTS = 999;
/** A well-formed index of 999 parts is ~200 KiB. */
export const PARTS_INDEX_MAX_BYTES = 1024 * 1024;

export interface PartsIndexEntry {
  name: string;
  size: number;
  sha256: string;
}

export interface ParsedPartsIndex {
  schema: typeof PARTS_INDEX_SCHEMA;
  kit: string;
  size: number;
  sha256: string;
  parts: PartsIndexEntry[];
}

const HEX64 = /^[0-9a-f]{64}$/;

/** A plain file name: no directory part, nothing a file system would reinterpret. */
export function isPlainFileName(name: string): boolean {
  if (name === '' || name === '.' || name === '..') return false;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f || ch === '/' || ch === '\\' || ch === ':') return false;
  }
  return Buffer.byteLength(name, 'utf8') <= 255;
}

function invalid(indexPath: string, field: string, why: string): AirlockError {
  return new AirlockError('KIT_PARTS_INVALID', `${indexPath}: "${field}" ${why}`, { path: indexPath, field });
}

function isByteCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Parses and checks a parts index; `indexPath` is used in messages only. */
export function parsePartsIndex(bytes: Uint8Array, indexPath: string): ParsedPartsIndex {
  if (bytes.byteLength > PARTS_INDEX_MAX_BYTES) {
    throw new AirlockError('KIT_PARTS_INVALID', `${indexPath} is larger than ${PARTS_INDEX_MAX_BYTES} bytes`, { path: indexPath });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new AirlockError('KIT_PARTS_INVALID', `${indexPath} is not valid UTF-8 JSON: ${(error as Error).message}`, { path: indexPath, cause: error });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new AirlockError('KIT_PARTS_INVALID', `${indexPath} is not a JSON object`, { path: indexPath });
  }
  const o = doc as Record<string, unknown>;
  if (o.schema !== PARTS_INDEX_SCHEMA) throw invalid(indexPath, 'schema', `must be "${PARTS_INDEX_SCHEMA}"`);
  if (typeof o.kit !== 'string' || !isPlainFileName(o.kit)) throw invalid(indexPath, 'kit', 'must be a plain file name');
  if (!isByteCount(o.size)) throw invalid(indexPath, 'size', 'must be a byte count');
  if (typeof o.sha256 !== 'string' || !HEX64.test(o.sha256)) throw invalid(indexPath, 'sha256', 'must be 64 lower-case hex digits');
  if (!Array.isArray(o.parts) || o.parts.length === 0 || o.parts.length > MAX_KIT_PARTS) {
    throw invalid(indexPath, 'parts', `must list 1 to ${MAX_KIT_PARTS} parts`);
  }
  const names = new Set<string>();
  let total = 0;
  const parts: PartsIndexEntry[] = o.parts.map((p: unknown, i: number) => {
    const field = `parts[${i}]`;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw invalid(indexPath, field, 'must be an object');
    const part = p as Record<string, unknown>;
    if (typeof part.name !== 'string' || !isPlainFileName(part.name)) {
      throw invalid(indexPath, `${field}.name`, `must be a plain file name in the index's folder${typeof part.name === 'string' ? ` (got "${printable(part.name)}")` : ''}`);
    }
    if (names.has(part.name.toLowerCase())) throw invalid(indexPath, `${field}.name`, `repeats "${printable(part.name)}"`);
    names.add(part.name.toLowerCase());
    if (!isByteCount(part.size)) throw invalid(indexPath, `${field}.size`, 'must be a byte count');
    if (typeof part.sha256 !== 'string' || !HEX64.test(part.sha256)) throw invalid(indexPath, `${field}.sha256`, 'must be 64 lower-case hex digits');
    total += part.size;
    return { name: part.name, size: part.size, sha256: part.sha256 };
  });
  if (total !== o.size) throw invalid(indexPath, 'size', `is ${o.size} but the parts add up to ${total} bytes`);
  return { schema: PARTS_INDEX_SCHEMA, kit: o.kit, size: o.size, sha256: o.sha256, parts };
}
