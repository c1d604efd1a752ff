// Header encoding for the deterministic kit archive (KIT-FORMAT §2).
//
// Why not node-tar (the project's tar dependency, used for reading)? Checked
// against tar 7.5: its Pack copies the source mode verbatim (set-uid, group and
// other bits included) with no hook to normalize it; it packs only files that
// exist under one cwd, while SHA256SUMS and its bundle are generated in memory
// and stale copies in the input folder must be ignored; and it reads each file
// on its own, so the builder could not re-hash the bytes it packs and notice a
// file that changed after SHA256SUMS was written. A ustar header is 512 bytes
// of fixed fields, so the few rules we need are written out here instead.
import { Buffer } from 'node:buffer';

export const TAR_BLOCK = 512;
/** Largest size an 11-digit octal ustar field holds (8 GiB − 1); larger files get a pax `size` record. */
export const USTAR_MAX_SIZE = 0o77777777777;
/** Largest mtime the ustar field holds (year 2242). */
export const USTAR_MAX_MTIME = 0o77777777777;

export interface TarFileHeader {
  /** Normalized kit path (already checked by kit-path-rules). */
  path: string;
  size: number;
  /** 0o644 or 0o755. */
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
}

function octal(value: number, width: number): string {
  // width includes the trailing NUL.
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function putString(block: Buffer, offset: number, length: number, value: string | Buffer): void {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (bytes.length > length) throw new RangeError(`tar field of ${length} bytes cannot hold ${bytes.length} bytes`);
  bytes.copy(block, offset);
}

/** Splits a path over ustar's prefix (155) and name (100) fields, or returns undefined when it does not fit. */
export function splitUstarName(path: string): { prefix: string; name: string } | undefined {
  const bytes = Buffer.from(path, 'utf8');
  if (bytes.length <= 100) return { prefix: '', name: path };
  if (bytes.length > 256) return undefined;
  // The slash must leave at most 100 bytes after it and at most 155 before it;
  // the leftmost such slash keeps the rule simple and stable.
  for (let i = Math.max(0, bytes.length - 101); i <= Math.min(155, bytes.length - 2); i++) {
    if (bytes[i] === 0x2f) {
      return { prefix: bytes.subarray(0, i).toString('utf8'), name: bytes.subarray(i + 1).toString('utf8') };
    }
  }
  return undefined;
}

function ustarHeader(fields: { name: string; prefix: string; size: number; mode: number; mtime: number; type: '0' | 'x' }): Buffer {
  const block = Buffer.alloc(TAR_BLOCK);
  putString(block, 0, 100, fields.name);
  putString(block, 100, 8, octal(fields.mode, 8));
  putString(block, 108, 8, octal(0, 8));
  putString(block, 116, 8, octal(0, 8));
  putString(block, 124, 12, octal(Math.min(fields.size, USTAR_MAX_SIZE), 12));
  putString(block, 136, 12, octal(fields.mtime, 12));
  putString(block, 148, 8, '        ');
  putString(block, 156, 1, fields.type);
  putString(block, 257, 6, 'ustar\0');
  putString(block, 263, 2, '00');
  // uname (265) and gname (297) stay empty.
  putString(block, 329, 8, octal(0, 8));
  putString(block, 337, 8, octal(0, 8));
  putString(block, 345, 155, fields.prefix);
  let sum = 0;
  for (const byte of block) sum += byte;
  putString(block, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return block;
}

/** One pax record, "<len> <key>=<value>\n", where len counts the whole record including itself. */
export function paxRecord(key: string, value: string): Buffer {
  const body = Buffer.from(` ${key}=${value}\n`, 'utf8');
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return Buffer.concat([Buffer.from(String(length), 'ascii'), body]);
}

export function paddingFor(size: number): Buffer {
  const rest = size % TAR_BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : TAR_BLOCK - rest);
}

/** Two zero blocks end a tar archive. */
export function endOfArchive(): Buffer {
  return Buffer.alloc(2 * TAR_BLOCK);
}

function paxHeaderName(path: string): string {
  // The pax header's own name is shown only by tools that do not know pax; keep
  // it ASCII, short and derived from the path alone so it is deterministic.
  const base = path.slice(path.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9._-]/g, '_');
  return `PaxHeaders/${base}`.slice(0, 100);
}

/**
 * The header block(s) for one regular file: a plain ustar header when the path
 * is ASCII and fits, else a pax extended header (path as UTF-8, and size when
 * over 8 GiB) followed by the ustar header. No atime, ctime or owner names are
 * ever recorded, so equal inputs give equal bytes.
 */
export function fileHeader(entry: TarFileHeader): Buffer {
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw new RangeError(`bad size ${entry.size}`);
  if (!Number.isSafeInteger(entry.mtime) || entry.mtime < 0 || entry.mtime > USTAR_MAX_MTIME) throw new RangeError(`bad mtime ${entry.mtime}`);
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\u0000-\u007f]*$/.test(entry.path);
  const split = ascii ? splitUstarName(entry.path) : undefined;
  const records: Buffer[] = [];
  if (split === undefined) records.push(paxRecord('path', entry.path));
  if (entry.size > USTAR_MAX_SIZE) records.push(paxRecord('size', String(entry.size)));
  const names = split ?? asciiFallbackName(entry.path);
  const header = ustarHeader({
    name: names.name,
    prefix: names.prefix,
    size: entry.size,
    mode: entry.mode,
    mtime: entry.mtime,
    type: '0',
  });
  if (records.length === 0) return header;
  const data = Buffer.concat(records);
  const pax = ustarHeader({ name: paxHeaderName(entry.path), prefix: '', size: data.length, mode: 0o644, mtime: entry.mtime, type: 'x' });
  return Buffer.concat([pax, data, paddingFor(data.length), header]);
}

/** What a pax-unaware reader sees in the ustar name field when the real path is in a pax record. */
function asciiFallbackName(path: string): { prefix: string; name: string } {
  const ascii = path.replace(/[^\u0020-\u007e]/g, '_');
  return splitUstarName(ascii) ?? { prefix: '', name: ascii.slice(Math.max(0, ascii.length - 100)) };
}
