// A deterministic JSON text for hashing and for evidence files: object keys
// sorted (by UTF-16 code units, as Array.prototype.sort and RFC 8785 do), no
// whitespace, the same escapes as JSON.stringify. Two equal values always give
// the same bytes, so a hash over the text is a hash over the value.
import { AirlockError } from '../../../shared/airlock-error.ts';

function fail(where: string, why: string): never {
  throw new AirlockError('INTERNAL', `cannot write ${where} as canonical JSON: ${why}`, { field: where });
}

function write(value: unknown, where: string, out: string[]): void {
  if (value === null) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      // NaN and Infinity have no JSON form; JSON.stringify would silently write null.
      if (!Number.isFinite(value)) fail(where, `${value} is not a finite number`);
      out.push(JSON.stringify(value));
      return;
    case 'object':
      break;
    default:
      fail(where, `a ${typeof value} has no JSON form`);
  }
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      // As JSON.stringify does: an undefined array slot is written as null.
      write(item === undefined ? null : item, `${where}[${i}]`, out);
    });
    out.push(']');
    return;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    fail(where, `${(value as object).constructor?.name ?? 'an object'} is not a plain object`);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  out.push('{');
  keys.forEach((key, i) => {
    if (i > 0) out.push(',');
    out.push(JSON.stringify(key), ':');
    write(record[key], `${where}.${key}`, out);
  });
  out.push('}');
}

/** Canonical JSON text of a plain JSON value (objects, arrays, strings, finite numbers, booleans, null). */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, '$', out);
  return out.join('');
}

/**
 * The same value as readable, still deterministic text: sorted keys, two-space
 * indent, LF, a final newline. Used for the evidence bundle's JSON files, which
 * people read and whose bytes must not change between two exports.
 */
export function canonicalJsonPretty(value: unknown): string {
  // Parse the canonical text back so the indenting pass sees sorted keys and
  // already-validated values.
  return `${JSON.stringify(JSON.parse(canonicalJson(value)), null, 2)}\n`;
}
