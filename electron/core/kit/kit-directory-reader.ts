// Unpacked kits (KIT-FORMAT §1): the same tree as the archive, in a folder. The
// folder is listed with lstat (links are entries, never followed) and read in
// the builder's order, so a directory kit verifies in a single pass too.
import { constants as fsConstants } from 'node:fs';
import { lstat, open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { MAX_PATH_BYTES, printable } from './kit-path-rules.ts';
import { ChunkRing, KIT_READ_CHUNK_BYTES, fsError, readFileChunks, throwIfCancelled } from './kit-source.ts';
import { ROOT_ENTRIES, compareUtf8 } from './sha256sums.ts';
import type { TarEntryHeader, TarVisitor } from './tar-stream-reader.ts';

export interface DirectoryKitEntry extends TarEntryHeader {
  /** Where the entry is on disk. */
  absolute: string;
}

export interface DirectoryKitListing {
  entries: DirectoryKitEntry[];
  /** Sum of the regular files' sizes. */
  bytesTotal: number;
}

function kindOf(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): {
  kind: TarEntryHeader['kind'];
  typeName: string;
} {
  if (st.isFile()) return { kind: 'file', typeName: 'regular file' };
  if (st.isDirectory()) return { kind: 'directory', typeName: 'directory' };
  if (st.isSymbolicLink()) return { kind: 'unsupported', typeName: 'symbolic link' };
  if (st.isFIFO()) return { kind: 'unsupported', typeName: 'FIFO' };
  if (st.isCharacterDevice()) return { kind: 'unsupported', typeName: 'character device' };
  if (st.isBlockDevice()) return { kind: 'unsupported', typeName: 'block device' };
  if (st.isSocket()) return { kind: 'unsupported', typeName: 'socket' };
  return { kind: 'unsupported', typeName: 'special file' };
}

/** Lists the kit folder depth-first, names sorted byte-wise, the three root entries first. */
export async function listKitDirectory(root: string, signal?: AbortSignal): Promise<DirectoryKitListing> {
  const entries: DirectoryKitEntry[] = [];
  let bytesTotal = 0;
  const walk = async (absDir: string, relPrefix: string): Promise<void> => {
    throwIfCancelled(signal);
    let raw: Buffer[];
    try {
      raw = await readdir(absDir, { encoding: 'buffer' });
    } catch (error) {
      throw fsError(error, absDir, 'list');
    }
    const names = raw.map((bytes) => {
      const name = bytes.toString('utf8');
      // A name that is not UTF-8 cannot be named, opened or installed faithfully.
      if (!Buffer.from(name, 'utf8').equals(bytes)) {
        throw new AirlockError('KIT_PATH_UNSAFE', `unsafe path "${printable(relPrefix + name)}": not valid UTF-8`, { path: printable(relPrefix + name) });
      }
      return name;
    });
    names.sort(compareUtf8);
    for (const name of names) {
      const absolute = path.join(absDir, name);
      const rel = relPrefix + name;
      let st;
      try {
        st = await lstat(absolute);
      } catch (error) {
        throw fsError(error, absolute);
      }
      const { kind, typeName } = kindOf(st);
      const size = kind === 'file' ? st.size : 0;
      entries.push({ path: kind === 'directory' ? `${rel}/` : rel, kind, typeName, mode: st.mode & 0o7777, size, absolute });
      if (kind === 'file') bytesTotal += size;
      // Past the path limit the entry itself is refused; do not descend further.
      if (kind === 'directory' && Buffer.byteLength(rel, 'utf8') <= MAX_PATH_BYTES) await walk(absolute, `${rel}/`);
    }
  };
  await walk(root, '');
  const rootFirst = ROOT_ENTRIES.map((name) => entries.find((e) => e.path === name && e.kind === 'file')).filter((e) => e !== undefined);
  const rest = entries.filter((e) => !rootFirst.includes(e));
  return { entries: [...rootFirst, ...rest], bytesTotal };
}

const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0);

/** Feeds the listed entries to the visitor, streaming each file's bytes. */
export async function readKitDirectory(
  listing: DirectoryKitListing,
  visitor: TarVisitor,
  opts: { signal?: AbortSignal; onBytes?: (n: number) => void; chunkBytes?: number } = {},
): Promise<void> {
  const ring = new ChunkRing(opts.chunkBytes ?? KIT_READ_CHUNK_BYTES);
  for (const entry of listing.entries) {
    throwIfCancelled(opts.signal);
    if (entry.kind !== 'file') {
      const r = visitor.entry(entry);
      if (r) await r;
      continue;
    }
    let fh: FileHandle;
    try {
      // O_NOFOLLOW: a file swapped for a link after listing is not followed.
      fh = await open(entry.absolute, OPEN_FLAGS);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
        throw new AirlockError('KIT_ENTRY_TYPE', `"${entry.path}" became a symbolic link while the kit was read`, { path: entry.path });
      }
      throw fsError(error, entry.absolute, 'open');
    }
    try {
      const st = await fh.stat();
      if (!st.isFile() || st.size !== entry.size) {
        throw new AirlockError('IO_ERROR', `${entry.absolute} changed while the kit was read`, { path: entry.absolute });
      }
      const r = visitor.entry(entry);
      if (r) await r;
      for await (const chunk of readFileChunks(fh, entry.absolute, entry.size, ring, opts.signal)) {
        opts.onBytes?.(chunk.length);
        const d = visitor.data(chunk);
        if (d) await d;
      }
      const e = visitor.end();
      if (e) await e;
    } finally {
      await fh.close().catch(() => undefined);
    }
  }
}
