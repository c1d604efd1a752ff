// Writes a release's payload from the blob store into a release folder and
// re-checks release folders against the catalog.
//
// Only files under kit.json's `payload` prefix (default "payload/") are
// installed, with the prefix stripped: payload/bin/app lands at
// releases/<version>/bin/app. kit.json, SHA256SUMS, migrations, SBOMs,
// attestations and images stay in the registry: migrations are applied from
// their blobs, images are pushed with `airlock registry push`, and the
// evidence export reads the rest from the catalog.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { ReleaseFile } from '../registry/registry-types.ts';
import type { BlobStore } from '../registry/blob-store.ts';
import { ioError, isErrno, syncDirSync } from './atomic-file.ts';

export interface PayloadFile {
  /** Path inside the kit (payload/…). */
  kitPath: string;
  /** Path inside the release folder, "/"-separated. */
  releasePath: string;
  digest: string;
  size: number;
  executable: boolean;
}

/** The files a release installs: those under the payload prefix, prefix stripped. */
export function payloadFiles(files: readonly ReleaseFile[], payloadPrefix: string): PayloadFile[] {
  return files
    .filter((f) => f.path.startsWith(payloadPrefix) && f.path.length > payloadPrefix.length)
    .map((f) => ({ kitPath: f.path, releasePath: f.path.slice(payloadPrefix.length), digest: f.digest, size: f.size, executable: (f.mode & 0o100) !== 0 }));
}

const toNative = (dir: string, releasePath: string): string => path.join(dir, ...releasePath.split('/'));

export interface MaterializeOptions {
  /** Called after each file is written (crash tests stop between two files). */
  afterFile?: (file: PayloadFile, index: number) => void;
  signal?: AbortSignal;
}

/**
 * Copies every payload file from the store into `dir` (created fresh),
 * hashing while copying; a blob whose bytes do not match the catalog digest
 * is KIT_DIGEST_MISMATCH naming the kit path (the store was damaged after
 * import). Files get 0755 or 0644 from their executable flag and are fsynced
 * with their folders.
 */
export async function materializeRelease(store: BlobStore, files: readonly PayloadFile[], dir: string, options: MaterializeOptions = {}): Promise<{ bytes: number }> {
  let bytes = 0;
  const dirs = new Set<string>([dir]);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw ioError(error, 'cannot create the release folder', dir);
  }
  for (const [index, f] of files.entries()) {
    if (options.signal?.aborted) throw new AirlockError('CANCELLED', 'cancelled while writing the release files', { path: dir });
    const target = toNative(dir, f.releasePath);
    const parent = path.dirname(target);
    if (!dirs.has(parent)) {
      fs.mkdirSync(parent, { recursive: true, mode: 0o755 });
      let d = parent;
      while (d.length > dir.length && !dirs.has(d)) {
        dirs.add(d);
        d = path.dirname(d);
      }
    }
    await copyVerified(store.blobPath(f.digest), target, f);
    bytes += f.size;
    options.afterFile?.(f, index);
  }
  // Deepest folders first, so each folder's entries are durable before its parent's.
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) syncDirSync(d);
  return { bytes };
}

async function copyVerified(blob: string, target: string, f: PayloadFile): Promise<void> {
  const mode = f.executable ? 0o755 : 0o644;
  const hash = createHash('sha256');
  let size = 0;
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(target, 'wx', mode);
    let stream: fs.ReadStream;
    try {
      stream = fs.createReadStream(blob, { highWaterMark: 1024 * 1024 });
      for await (const chunk of stream) {
        const buf = chunk as Buffer;
        hash.update(buf);
        size += buf.length;
        let offset = 0;
        while (offset < buf.length) offset += (await handle.write(buf, offset, buf.length - offset)).bytesWritten;
      }
    } catch (error) {
      if (isErrno(error, 'ENOENT')) {
        throw new AirlockError('KIT_DIGEST_MISMATCH', `the registry has lost its copy of ${f.kitPath} (blob ${f.digest} is missing); import the kit again`, { path: f.kitPath, details: { digest: f.digest } });
      }
      throw error;
    }
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== f.digest || size !== f.size) {
      throw new AirlockError('KIT_DIGEST_MISMATCH', `the registry's copy of ${f.kitPath} is damaged: sha256 ${actual.slice(7)} (${size} bytes), the signed kit says ${f.digest.slice(7)} (${f.size} bytes); import the kit again`, {
        path: f.kitPath,
        details: { expected: f.digest, actual, blob },
      });
    }
    // The umask may have cleared bits of the requested mode.
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    throw ioError(error, `cannot write ${f.releasePath}`, target);
  } finally {
    await handle?.close();
  }
}

/** What is wrong with a release folder compared with the catalog; empty when it matches exactly. */
export async function checkReleaseDir(dir: string, files: readonly PayloadFile[], options: { checkModes?: boolean } = {}): Promise<string[]> {
  const problems: string[] = [];
  const checkModes = options.checkModes ?? process.platform !== 'win32';
  const expected = new Map(files.map((f) => [f.releasePath, f]));
  let present: string[];
  try {
    present = listFiles(dir);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [`the release folder ${dir} is missing`];
    throw ioError(error, 'cannot read the release folder', dir);
  }
  for (const rel of present) if (!expected.has(rel)) problems.push(`${rel} is not part of the release`);
  const have = new Set(present);
  for (const f of files) {
    if (!have.has(f.releasePath)) {
      problems.push(`${f.releasePath} is missing`);
      continue;
    }
    const file = toNative(dir, f.releasePath);
    const st = fs.statSync(file);
    if (st.size !== f.size) {
      problems.push(`${f.releasePath} is ${st.size} bytes, the release says ${f.size}`);
      continue;
    }
    const hash = createHash('sha256');
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== f.digest) problems.push(`${f.releasePath} has sha256 ${actual.slice(7)}, the release says ${f.digest.slice(7)}`);
    if (checkModes && ((st.mode & 0o100) !== 0) !== f.executable) problems.push(`${f.releasePath} should ${f.executable ? '' : 'not '}be executable`);
  }
  return problems;
}

/** Regular files (and anything that is not a folder) under dir, as "/"-separated relative paths. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path.join(abs, e.name), childRel);
      else out.push(childRel);
    }
  };
  walk(dir, '');
  return out.sort();
}
