// SHA256SUMS (KIT-FORMAT §3): GNU coreutils format, strict. The file is the
// signed statement of the kit's contents, so anything ambiguous in it is refused.
import { AirlockError } from '../../../shared/airlock-error.ts';
import { normalizeKitPath, printable } from './kit-path-rules.ts';

export const SUMS_PATH = 'SHA256SUMS';
export const BUNDLE_PATH = 'SHA256SUMS.sigstore.json';
export const MANIFEST_PATH = 'kit.json';
/** The three root entries, in the order builders write them. */
export const ROOT_ENTRIES = [BUNDLE_PATH, SUMS_PATH, MANIFEST_PATH] as const;
/** Bounds what is held in memory for the list: ~150 bytes a line allows ~400,000 files. */
export const SUMS_MAX_BYTES = 64 * 1024 * 1024;

export interface SumsEntry {
  path: string;
  /** Lower-case hex SHA-256. */
  sha256: string;
}

const LINE_RE = /^([0-9a-f]{64}) [ *](.+)$/s;

function malformed(line: number, why: string, path?: string): AirlockError {
  return new AirlockError('KIT_SUMS_MALFORMED', `SHA256SUMS line ${line}: ${why}`, {
    path: path ?? SUMS_PATH,
    details: { line },
  });
}

/** Byte-wise comparison of UTF-8 strings (JS string order is UTF-16 order, which differs). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Parses and checks SHA256SUMS; returns entries in file order (which is sorted). */
export function parseSha256Sums(bytes: Uint8Array): SumsEntry[] {
  if (bytes.byteLength > SUMS_MAX_BYTES) throw malformed(0, `larger than ${SUMS_MAX_BYTES} bytes`);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\uFFFD')) throw malformed(0, 'not valid UTF-8');
  if (text.length === 0) return [];
  if (!text.endsWith('\n')) throw malformed(text.split('\n').length, 'the last line does not end with LF');
  const lines = text.slice(0, -1).split('\n');
  const entries: SumsEntry[] = [];
  let previous: string | undefined;
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line === '') throw malformed(n, 'blank line');
    if (line.includes('\r')) throw malformed(n, 'carriage return (CRLF line ends are not allowed)');
    if (line.startsWith('#')) throw malformed(n, 'comment lines are not allowed');
    if (line.startsWith('\\')) throw malformed(n, 'escaped file names are not allowed');
    const m = LINE_RE.exec(line);
    if (!m) throw malformed(n, 'expected 64 lower-case hex digits, two spaces (or space and "*"), then the path');
    const sha256 = m[1]!;
    const rawPath = m[2]!;
    let path: string;
    try {
      path = normalizeKitPath(rawPath);
    } catch (error) {
      if (error instanceof AirlockError) throw malformed(n, error.message, error.path);
      throw error;
    }
    if (path !== rawPath) throw malformed(n, `path "${printable(rawPath)}" is not in normal form (write "${printable(path)}")`, printable(rawPath));
    if (path === SUMS_PATH || path === BUNDLE_PATH) throw malformed(n, `"${path}" must not list itself or its signature`, path);
    if (previous !== undefined) {
      const order = compareUtf8(previous, path);
      if (order === 0) throw malformed(n, `"${printable(path)}" is listed twice`, printable(path));
      if (order > 0) throw malformed(n, `"${printable(path)}" is out of order (lines must be sorted byte-wise by path)`, printable(path));
    }
    previous = path;
    entries.push({ path, sha256 });
  });
  return entries;
}

/** Writes SHA256SUMS exactly as `sha256sum` does in text mode, sorted byte-wise. */
export function formatSha256Sums(entries: Iterable<SumsEntry>): string {
  const sorted = [...entries].sort((a, b) => compareUtf8(a.path, b.path));
  return sorted.map((e) => `${e.sha256}  ${e.path}\n`).join('');
}
