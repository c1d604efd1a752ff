// Checks that the data folder's disk can take a kit before a byte is written,
// so a full disk is reported up front with numbers instead of as an ENOSPC
// half-way (which is still handled: see INSUFFICIENT_SPACE in the importer).
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { formatBytes } from '../../../shared/format.ts';

export interface KitSizeEstimate {
  /** Estimated bytes the kit's files take once unpacked. */
  bytes: number;
  /** Bytes of the kit on its medium. */
  mediumBytes: number;
  compressed: boolean;
  /** How the estimate was made, for the message. */
  basis: string;
}

/**
 * A compressed kit's unpacked size is unknown until it is read. Kits are
 * mostly OCI layers, which are compressed already, so the estimate is the
 * compressed size times this factor; a kit that unpacks to more still fails
 * cleanly on ENOSPC.
 */
export const COMPRESSED_SIZE_FACTOR = 2;
export const SPACE_MARGIN_RATIO = 0.05;
export const SPACE_MARGIN_BYTES = 64 * 1024 * 1024;

export type SyncStatfs = (dir: string) => { bavail: number | bigint; bsize: number | bigint };

async function magicOf(file: string): Promise<'gzip' | 'zstd' | 'none'> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buf, 0, 4, 0);
    if (bytesRead >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && buf.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    await handle.close();
  }
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    for (const entry of await fs.readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) total += (await fs.stat(full)).size;
    }
  }
  return total;
}

/** The parts of a split kit (given its index or any part), in order. */
async function splitParts(kitPath: string): Promise<string[] | undefined> {
  let base: string;
  if (kitPath.endsWith('.parts.json')) base = kitPath.slice(0, -'.parts.json'.length);
  else if (/\.part\d{3}$/.test(kitPath)) base = kitPath.slice(0, -'.part000'.length);
  else return undefined;
  const dir = path.dirname(base);
  const prefix = path.basename(base) + '.part';
  const names = (await fs.readdir(dir)).filter((n) => n.startsWith(prefix) && /^\d{3}$/.test(n.slice(prefix.length))).sort();
  return names.map((n) => path.join(dir, n));
}

/** Estimates the unpacked size of a kit file, split kit or unpacked kit directory. */
export async function estimateKitBytes(kitPath: string): Promise<KitSizeEstimate> {
  try {
    const st = await fs.stat(kitPath);
    if (st.isDirectory()) {
      const bytes = await directoryBytes(kitPath);
      return { bytes, mediumBytes: bytes, compressed: false, basis: 'size of the unpacked kit' };
    }
    const parts = await splitParts(kitPath);
    const files = parts && parts.length > 0 ? parts : [kitPath];
    let mediumBytes = 0;
    for (const f of files) mediumBytes += (await fs.stat(f)).size;
    const compression = await magicOf(files[0]!);
    if (compression === 'none') return { bytes: mediumBytes, mediumBytes, compressed: false, basis: 'size of the uncompressed archive' };
    return {
      bytes: mediumBytes * COMPRESSED_SIZE_FACTOR,
      mediumBytes,
      compressed: true,
      basis: `${compression} archive: ${COMPRESSED_SIZE_FACTOR} × its compressed size, since the unpacked size is known only after reading it`,
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AirlockError('KIT_NOT_FOUND', `no kit at ${kitPath}`, { path: kitPath, cause: error });
    throw new AirlockError('IO_ERROR', `cannot read the kit ${kitPath}: ${(error as Error).message}`, { path: kitPath, cause: error });
  }
}

export function spaceNeeded(estimateBytes: number): number {
  return Math.ceil(estimateBytes * (1 + SPACE_MARGIN_RATIO)) + SPACE_MARGIN_BYTES;
}

/**
 * Throws INSUFFICIENT_SPACE naming the folder, the need and what is free.
 * Synchronous so the importer can call it from inside the verifier's pass,
 * at the moment it learns the kit is not already present.
 */
export function checkFreeSpace(dir: string, estimate: KitSizeEstimate, statfs: SyncStatfs = (d) => fsSync.statfsSync(d)): { free: number; need: number } {
  let free: number;
  try {
    const s = statfs(dir);
    free = Number(s.bavail) * Number(s.bsize);
  } catch (error) {
    throw new AirlockError('IO_ERROR', `cannot read the free space of ${dir}: ${(error as Error).message}`, { path: dir, cause: error });
  }
  const need = spaceNeeded(estimate.bytes);
  if (free < need) {
    throw new AirlockError('INSUFFICIENT_SPACE', `${dir} has ${formatBytes(free)} free, the import needs about ${formatBytes(need)} (${formatBytes(estimate.bytes)} estimated from the ${estimate.basis}, plus ${SPACE_MARGIN_RATIO * 100} % and ${formatBytes(SPACE_MARGIN_BYTES)} margin)`, {
      path: dir,
      details: { freeBytes: free, neededBytes: need, estimatedKitBytes: estimate.bytes, basis: estimate.basis },
    });
  }
  return { free, need };
}
