// Finds kits on a drive or in a folder, and sizes up a path the admin chose.
// Kits are recognised by their conventional names (KIT-FORMAT §1):
// *.kit.tar[.gz|.zst], a split kit's *.parts.json, and an unpacked kit folder
// holding SHA256SUMS. The search is shallow and bounded, so a large drive
// cannot stall the window; what a kit really is, verification decides.
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { AirlockError } from '../../shared/airlock-error.ts';
import { openKitSource } from '../core/kit/kit-source.ts';
import { PARTS_INDEX_SUFFIX } from '../core/kit/parts-index.ts';
import { SUMS_PATH } from '../core/kit/sha256sums.ts';
import type { KitKind } from './kit-handles.ts';

export const KIT_FILE_RE = /\.kit\.tar(?:\.gz|\.zst)?$/i;
const PART_FILE_RE = /\.part\d{3}$/;

export interface FoundKit {
  path: string;
  kind: KitKind;
  sizeBytes: number | null;
}

export interface FindKitsOptions {
  /** Folder levels below the root to look into (0: the root only). */
  maxDepth?: number;
  maxResults?: number;
  /** Directory entries read per folder; the rest are ignored. */
  maxEntriesPerDir?: number;
}

/** Names that are never kits and are slow or forbidden to read (Windows system folders, dot folders). */
function skipName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('$') || name === 'System Volume Information' || name === 'lost+found';
}

async function sizeOf(kitPath: string): Promise<number | null> {
  try {
    const source = await openKitSource(kitPath);
    return source.kind === 'archive' ? source.bytesTotal : null;
  } catch {
    // A damaged split kit is still listed: verifying it names the missing part.
    return null;
  }
}

async function isUnpackedKit(dir: string): Promise<boolean> {
  try {
    return (await stat(path.join(dir, SUMS_PATH))).isFile();
  } catch {
    return false;
  }
}

/** Looks for kits below root. Unreadable folders are skipped; an unreadable root throws IO_ERROR. */
export async function findKits(root: string, options: FindKitsOptions = {}): Promise<FoundKit[]> {
  const maxDepth = options.maxDepth ?? 2;
  const maxResults = options.maxResults ?? 200;
  const maxEntries = options.maxEntriesPerDir ?? 2000;
  const found: FoundKit[] = [];
  if (await isUnpackedKit(root)) return [{ path: root, kind: 'directory', sizeBytes: null }];
  let queue: Array<{ dir: string; depth: number }> = [{ dir: root, depth: 0 }];
  while (queue.length > 0 && found.length < maxResults) {
    const next: typeof queue = [];
    for (const { dir, depth } of queue) {
      let entries: Dirent[];
      try {
        entries = (await readdir(dir, { withFileTypes: true })).slice(0, maxEntries);
      } catch (error) {
        if (dir === root) throw new AirlockError('IO_ERROR', `cannot read ${root}: ${(error as Error).message}`, { path: root, cause: error });
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const names = new Set(entries.map((e) => e.name));
      for (const entry of entries) {
        if (found.length >= maxResults) break;
        if (skipName(entry.name) || entry.isSymbolicLink()) continue;
        const full = path.join(dir, entry.name);
        if (entry.isFile()) {
          if (entry.name.endsWith(PARTS_INDEX_SUFFIX)) {
            found.push({ path: full, kind: 'split', sizeBytes: await sizeOf(full) });
          } else if (KIT_FILE_RE.test(entry.name) && !names.has(entry.name + PARTS_INDEX_SUFFIX)) {
            found.push({ path: full, kind: 'archive', sizeBytes: await sizeOf(full) });
          } else if (PART_FILE_RE.test(entry.name)) {
            // Parts are listed through their index or their first part only.
            const base = entry.name.slice(0, -'.part001'.length);
            if (entry.name.endsWith('.part001') && !names.has(base + PARTS_INDEX_SUFFIX)) {
              found.push({ path: full, kind: 'split', sizeBytes: await sizeOf(full) });
            }
          }
        } else if (entry.isDirectory()) {
          if (await isUnpackedKit(full)) found.push({ path: full, kind: 'directory', sizeBytes: null });
          else if (depth < maxDepth) next.push({ dir: full, depth: depth + 1 });
        }
      }
    }
    queue = next;
  }
  return found;
}

/**
 * Sizes up a path the admin picked in a dialog or dropped. Any regular file is
 * accepted as an archive (the reader detects the format from its bytes); a
 * folder must be an unpacked kit.
 */
export async function inspectChosenPath(chosen: string): Promise<FoundKit> {
  let st;
  try {
    st = await stat(chosen);
  } catch (error) {
    throw new AirlockError('KIT_NOT_FOUND', `kit not found: ${chosen}`, { path: chosen, cause: error });
  }
  if (st.isDirectory()) {
    if (!(await isUnpackedKit(chosen))) {
      throw new AirlockError('KIT_FORMAT', `${chosen} is a folder without SHA256SUMS, so it is not an unpacked kit`, { path: chosen });
    }
    return { path: chosen, kind: 'directory', sizeBytes: null };
  }
  if (!st.isFile()) throw new AirlockError('KIT_FORMAT', `${chosen} is neither a file nor a folder`, { path: chosen });
  const name = path.basename(chosen);
  const split = name.endsWith(PARTS_INDEX_SUFFIX) || PART_FILE_RE.test(name);
  return { path: chosen, kind: split ? 'split' : 'archive', sizeBytes: split ? await sizeOf(chosen) : st.size };
}
