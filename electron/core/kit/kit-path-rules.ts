// Path and entry rules of KIT-FORMAT §2. A kit is unpacked on Windows, macOS
// and Linux alike, so a path must be safe and portable on all three.
import { AirlockError } from '../../../shared/airlock-error.ts';

// Windows also reserves COM0/LPT0, the superscript digits ¹²³ (it reads them
// as digits) and the console names CONIN$/CONOUT$.
const WINDOWS_RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])$/i;
// C0 controls, DEL and C1 controls: matching them is the point.
// eslint-disable-next-line no-control-regex
const CONTROL_CHAR = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;
export const MAX_PATH_BYTES = 240;
export const MAX_COMPONENT_BYTES = 255;

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

function unsafe(path: string, why: string): AirlockError {
  return new AirlockError('KIT_PATH_UNSAFE', `unsafe path "${printable(path)}": ${why}`, { path: printable(path) });
}

/** Makes control characters visible in messages instead of letting them act on a terminal. */
export function printable(path: string): string {
  return path.replace(CONTROL_CHARS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Returns the normalized kit path (leading "./" stripped, and for directories a
 * trailing "/") or throws KIT_PATH_UNSAFE naming the path.
 */
export function normalizeKitPath(raw: string, opts: { directory?: boolean } = {}): string {
  let path = raw;
  if (path.startsWith('./')) path = path.slice(2);
  if (opts.directory && path.endsWith('/')) path = path.slice(0, -1);
  if (path === '') throw unsafe(raw, 'empty path');
  if (path.includes('\uFFFD')) throw unsafe(raw, 'not valid UTF-8');
  if (path !== path.normalize('NFC')) throw unsafe(raw, 'not in Unicode NFC form');
  if (path.startsWith('/')) throw unsafe(raw, 'absolute path');
  if (/^[A-Za-z]:/.test(path)) throw unsafe(raw, 'drive letter');
  if (path.includes('\\')) throw unsafe(raw, 'backslash');
  if (path.includes(':')) throw unsafe(raw, 'colon');
  if (CONTROL_CHAR.test(path)) throw unsafe(raw, 'control character');
  for (const component of path.split('/')) {
    if (component === '') throw unsafe(raw, 'empty component');
    if (component === '.' || component === '..') throw unsafe(raw, `"${component}" component`);
    if (component.endsWith('.') || component.endsWith(' ')) throw unsafe(raw, 'component ends in a dot or a space');
    const stem = component.split('.')[0] ?? component;
    if (WINDOWS_RESERVED.test(stem.trimEnd())) throw unsafe(raw, `Windows reserved name "${component}"`);
    if (utf8Length(component) > MAX_COMPONENT_BYTES) throw unsafe(raw, `component longer than ${MAX_COMPONENT_BYTES} bytes`);
  }
  if (utf8Length(path) > MAX_PATH_BYTES) throw unsafe(raw, `longer than ${MAX_PATH_BYTES} bytes`);
  return path;
}

/** Set-uid, set-gid and sticky bits are refused (KIT_ENTRY_MODE). */
export function checkEntryMode(path: string, mode: number): void {
  if ((mode & 0o7000) !== 0) {
    throw new AirlockError('KIT_ENTRY_MODE', `"${printable(path)}" has mode ${(mode & 0o7777).toString(8).padStart(4, '0')} with set-uid, set-gid or sticky bits`, { path: printable(path) });
  }
}

/** Only the owner-executable bit carries meaning. */
export function isExecutable(mode: number): boolean {
  return (mode & 0o100) !== 0;
}

/**
 * Tracks every path seen in one kit and refuses duplicates, case-insensitive
 * twins (they collide on Windows and macOS), and a file that is also used as a
 * directory.
 */
export class PathCollisionGuard {
  private readonly seen = new Map<string, { path: string; kind: 'file' | 'dir' }>();
  /** Lower-cased ancestors of every path seen, with one path that implied each. */
  private readonly implied = new Map<string, string>();

  add(path: string, kind: 'file' | 'dir'): void {
    const key = path.toLowerCase();
    const prior = this.seen.get(key);
    if (prior) {
      const why = prior.path === path ? 'appears twice' : `collides with "${printable(prior.path)}" when letter case is ignored`;
      throw collision(path, why, prior.path);
    }
    if (kind === 'file') {
      const child = this.implied.get(key);
      if (child !== undefined) throw collision(path, `is a file but "${printable(child)}" lies under it`, child);
    }
    const parts = key.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parentKey = parts.slice(0, i).join('/');
      const parent = this.seen.get(parentKey);
      if (parent && parent.kind === 'file') throw collision(path, `lies under "${printable(parent.path)}", which is a file`, parent.path);
      if (!this.implied.has(parentKey)) this.implied.set(parentKey, path);
    }
    this.seen.set(key, { path, kind });
  }
}

function collision(path: string, why: string, other: string): AirlockError {
  return new AirlockError('KIT_PATH_COLLISION', `"${printable(path)}" ${why}`, { path: printable(path), details: { other: printable(other) } });
}
