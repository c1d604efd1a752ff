// `airlock kit build`: turns a folder into a signed, deterministic kit
// (KIT-FORMAT §1–§4). Nothing is written until the whole input has passed the
// same rules the verifier applies; the archive is assembled in a staging
// folder next to the output, verified there with the signer's public key, and
// only then renamed into place, so a failed or cancelled build leaves no trace.
import { createHash } from 'node:crypto';
import { createReadStream, type Dirent, type Stats } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { KIT_MANIFEST_MAX_BYTES, type KitManifest } from '../../../shared/kit-manifest.ts';
import type { KitCompression } from '../../../shared/kit-verification.ts';
import type { ProgressListener } from '../../../shared/progress.ts';
import { ProgressMeter } from '../progress-meter.ts';
import { signMessageBundle, type SigningKey } from '../trust/sign-blob.ts';
import { SignatureVerifier } from '../trust/signature-verifier.ts';
import { resolveTrustPolicy } from '../trust/trust-policy.ts';
import { KitEntryChecker } from './kit-entry-checker.ts';
import { checkManifestPaths, imagesPrefixOf, parseKitManifest } from './kit-manifest-parser.ts';
import { printable } from './kit-path-rules.ts';
import { verifyKit } from './kit-verifier.ts';
import { checkOciLayout, OciJsonCapture } from './oci-layout-check.ts';
import { checkPartCount, checkSplitSize, KitPartsWriter, partsIndexName, type WrittenPart } from './kit-parts-writer.ts';
import { BUNDLE_PATH, compareUtf8, formatSha256Sums, MANIFEST_PATH, SUMS_PATH } from './sha256sums.ts';
import { endOfArchive, fileHeader, paddingFor, TAR_BLOCK, USTAR_MAX_MTIME } from './tar-writer.ts';

export const COMPRESSIONS = ['none', 'gzip', 'zstd'] as const satisfies readonly KitCompression[];
/**
 * gzip level 6 (zlib's default): kits are mostly OCI layers that are already
 * compressed, where level 9 costs time and saves almost nothing.
 */
export const GZIP_LEVEL = 6;
/** zstd level 9 with a frame checksum: much smaller than the default 3 on text-heavy kits, still fast to build. */
export const ZSTD_LEVEL = 9;

/** Verifies the staged kit with the signer's public key; throws the verifier's error on failure. */
export type KitSelfCheck = (
  kitPath: string,
  publicKeyPem: string,
  opts: { signal?: AbortSignal; onProgress?: ProgressListener },
) => Promise<{ sumsSha256: string; fileCount: number }>;

export interface BuildKitInput {
  /** Input folder: kit.json at its root, every regular file under it goes into the kit. */
  dir: string;
  /** The kit file; when split, parts and the index are named after it. */
  out: string;
  signingKey: SigningKey;
  compress: KitCompression;
  /** Bytes per part (at least 1 MiB); undefined writes one file. */
  splitSize?: number;
  /** mtime of every entry; when undefined, kit.json's `created` time (so a rebuild needs no flag to match). */
  sourceDateEpoch?: number;
  /** Replace existing outputs (and remove stale parts of an older build of the same name). */
  force?: boolean;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Defaults to the real verifier; tests may pass their own. */
  selfCheck?: KitSelfCheck;
}

export interface BuildKitResult {
  name: string;
  version: string;
  /** What to hand a reader: the archive, or the parts index when split. */
  kitPath: string;
  /** The archive file, or null when split. */
  archivePath: string | null;
  partsIndexPath: string | null;
  /** Parts in order (base names), or null when not split. */
  parts: WrittenPart[] | null;
  /** Every file written, absolute paths. */
  outputs: string[];
  /** Older outputs of the same name removed because of --force. */
  removed: string[];
  /** Bytes of the (compressed) archive, all parts together. */
  archiveSize: number;
  archiveSha256: string;
  sumsSha256: string;
  /** Regular files in the kit, the two root signature files included. */
  fileCount: number;
  /** Sum of the sizes of those files. */
  totalBytes: number;
  compression: KitCompression;
  sourceDateEpoch: number;
  sourceDateEpochFrom: 'option' | 'kit.json created';
  keyFingerprint: string;
  keyHint: string;
  /** Files in the input that were ignored and regenerated (a stale SHA256SUMS or bundle). */
  ignored: string[];
}

interface InputFile {
  path: string;
  abs: string;
  size: number;
  mode: 0o644 | 0o755;
  sha256: string;
}

interface ArchiveEntry {
  path: string;
  mode: 0o644 | 0o755;
  size: number;
  sha256: string;
  /** Generated entries are held in memory; input files are streamed from abs. */
  content?: Buffer;
  abs?: string;
}

const invalidInput = (message: string, opts: { path?: string; field?: string; cause?: unknown } = {}): AirlockError =>
  new AirlockError('BUILD_INPUT_INVALID', message, opts);

function ioError(what: string, file: string, error: unknown): AirlockError {
  if (error instanceof AirlockError) return error;
  return new AirlockError('IO_ERROR', `cannot ${what} ${file}: ${(error as Error).message}`, { path: file, cause: error });
}

function cancelled(signal: AbortSignal | undefined): AirlockError {
  const reason: unknown = signal?.reason;
  if (reason instanceof AirlockError && reason.code === 'CANCELLED') return reason;
  return new AirlockError('CANCELLED', 'the kit build was cancelled; nothing was written');
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled(signal);
}

export function checkSourceDateEpoch(value: number, field = '--source-date-epoch'): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > USTAR_MAX_MTIME) {
    throw new AirlockError('USAGE', `${field} must be a whole number of seconds since 1970 between 0 and ${USTAR_MAX_MTIME}; got ${value}`, { field });
  }
}

export async function buildKit(input: BuildKitInput): Promise<BuildKitResult> {
  const { signingKey, signal } = input;
  if (!(COMPRESSIONS as readonly string[]).includes(input.compress)) {
    throw new AirlockError('USAGE', `--compress must be one of ${COMPRESSIONS.join(', ')}; got "${input.compress}"`, { field: '--compress' });
  }
  if (input.splitSize !== undefined) checkSplitSize(input.splitSize);
  if (input.sourceDateEpoch !== undefined) checkSourceDateEpoch(input.sourceDateEpoch);

  const dir = path.resolve(input.dir);
  const out = path.resolve(input.out);
  const outDir = path.dirname(out);
  const kitFileName = path.basename(out);
  if (isInside(out, dir)) {
    throw new AirlockError('USAGE', `--out ${out} lies inside the input folder ${dir}; a later build would pack the kit into itself. Write the kit elsewhere.`, { field: '--out', path: out });
  }
  await checkInputFolder(dir);
  const existing = await existingOutputs(out);
  if (existing.length > 0 && !input.force) {
    throw new AirlockError('OUTPUT_EXISTS', `${existing[0]} already exists; pass --force to replace it`, { path: existing[0] });
  }
  checkAborted(signal);

  // 1. Walk and check every entry, and read kit.json, before anything is written.
  const walk = await walkInput(dir, signal);
  const manifestFile = walk.files.find((f) => f.path === MANIFEST_PATH);
  if (!manifestFile) {
    throw invalidInput(`${path.join(dir, MANIFEST_PATH)} is missing; every kit needs a kit.json at the root of the input folder`, { path: MANIFEST_PATH });
  }
  const manifestBytes = await readManifestBytes(manifestFile);
  const manifest = parseKitManifest(manifestBytes);
  checkManifestPaths(manifest, new Set(walk.files.map((f) => f.path)));
  if (input.compress === 'none' && input.splitSize !== undefined) {
    // A lower bound (the signature's size is not known yet) refuses a hopeless split before hours of hashing.
    const sumsSize = walk.files.reduce((n, f) => n + 64 + 2 + Buffer.byteLength(f.path, 'utf8') + 1, 0);
    checkPartCount(uncompressedArchiveSize([...walk.files, { path: SUMS_PATH, size: sumsSize }]), input.splitSize);
  }

  // 2. Hash every file once; SHA256SUMS and the OCI blob checks use these digests.
  const hashed = await hashInputs(walk.files, input.onProgress, signal);
  if (createHash('sha256').update(manifestBytes).digest('hex') !== hashed.find((f) => f.path === MANIFEST_PATH)?.sha256) {
    throw changedWhileBuilding(MANIFEST_PATH);
  }
  await checkImages(manifest, hashed);

  const epochFrom = input.sourceDateEpoch === undefined ? 'kit.json created' : 'option';
  const epoch = input.sourceDateEpoch ?? Math.floor(Date.parse(manifest.created) / 1000);
  checkSourceDateEpoch(epoch, epochFrom === 'option' ? '--source-date-epoch' : 'kit.json created');

  // 3. SHA256SUMS and its signature.
  const sums = Buffer.from(formatSha256Sums(hashed.map((f) => ({ path: f.path, sha256: f.sha256 }))), 'utf8');
  const sumsSha256 = sha256Hex(sums);
  const bundle = Buffer.from(JSON.stringify(signMessageBundle(sums, signingKey), null, 2) + '\n', 'utf8');
  const entries = archiveEntries(hashed, sums, bundle);
  if (input.compress === 'none' && input.splitSize !== undefined) checkPartCount(uncompressedArchiveSize(entries), input.splitSize);
  checkAborted(signal);

  // 4. Pack into a staging folder, self-check, then rename into place.
  let staging: string;
  try {
    staging = await mkdtemp(path.join(outDir, `${kitFileName}.partial-`));
  } catch (error) {
    throw ioError('create a staging folder in', outDir, error);
  }
  try {
    const writer = new KitPartsWriter({ dir: staging, fileName: kitFileName, ...(input.splitSize === undefined ? {} : { splitSize: input.splitSize }) });
    const meter = new ProgressMeter({
      phase: 'pack',
      ...(input.onProgress ? { listener: input.onProgress } : {}),
      bytesTotal: entries.reduce((n, e) => n + e.size, 0),
      itemsTotal: entries.length,
    });
    meter.flush();
    try {
      await pipeline([Readable.from(archiveChunks(entries, epoch, meter, signal)), ...compressor(input.compress), writer], signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted) throw cancelled(signal);
      throw error;
    }
    meter.flush();
    const written = writer.result();
    let stagedKit = path.join(staging, kitFileName);
    let indexName: string | undefined;
    if (input.splitSize !== undefined) {
      indexName = (await writer.writeIndex()).name;
      stagedKit = path.join(staging, indexName);
    }
    checkAborted(signal);

    const selfCheck = input.selfCheck ?? defaultSelfCheck;
    let verified: { sumsSha256: string; fileCount: number };
    try {
      verified = await selfCheck(stagedKit, signingKey.publicKeyPem, { ...(signal ? { signal } : {}), ...(input.onProgress ? { onProgress: input.onProgress } : {}) });
    } catch (error) {
      if (signal?.aborted) throw cancelled(signal);
      throw selfCheckFailed(error);
    }
    if (verified.sumsSha256 !== sumsSha256 || verified.fileCount !== entries.length) {
      throw new AirlockError('INTERNAL', `the built kit verified, but reads back as a different kit (SHA256SUMS ${verified.sumsSha256}, ${verified.fileCount} files; expected ${sumsSha256}, ${entries.length} files)`, { path: out });
    }
    checkAborted(signal);

    const names = input.splitSize === undefined ? [kitFileName] : [...writer.files, indexName!];
    const removed = await publish(staging, outDir, names, existing);
    const outputs = names.map((n) => path.join(outDir, n));
    return {
      name: manifest.name,
      version: manifest.version,
      kitPath: path.join(outDir, indexName ?? kitFileName),
      archivePath: input.splitSize === undefined ? out : null,
      partsIndexPath: indexName === undefined ? null : path.join(outDir, indexName),
      parts: input.splitSize === undefined ? null : written.parts,
      outputs,
      removed,
      archiveSize: written.size,
      archiveSha256: written.sha256,
      sumsSha256,
      fileCount: entries.length,
      totalBytes: entries.reduce((n, e) => n + e.size, 0),
      compression: input.compress,
      sourceDateEpoch: epoch,
      sourceDateEpochFrom: epochFrom,
      keyFingerprint: signingKey.fingerprint,
      keyHint: signingKey.keyHint,
      ignored: walk.ignored,
    };
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function checkInputFolder(dir: string): Promise<void> {
  let info: Stats;
  try {
    info = await stat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw invalidInput(`input folder ${dir} does not exist`, { path: dir, cause: error });
    throw ioError('read', dir, error);
  }
  if (!info.isDirectory()) throw invalidInput(`${dir} is not a folder; give the folder that holds kit.json`, { path: dir });
}

/** Outputs of an earlier build of the same name: the file, its parts index and any parts. */
async function existingOutputs(out: string): Promise<string[]> {
  const outDir = path.dirname(out);
  const base = path.basename(out);
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AirlockError('IO_ERROR', `the output folder ${outDir} does not exist; create it first`, { path: outDir, cause: error });
    }
    throw ioError('read', outDir, error);
  }
  const partRe = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.part[0-9]{3}$`);
  // The kit file first, then the index, then parts: the message names the most telling one.
  const rank = (n: string): number => (n === base ? 0 : n === partsIndexName(base) ? 1 : 2);
  const found = names.filter((n) => rank(n) < 2 || partRe.test(n)).sort((a, b) => rank(a) - rank(b) || compareUtf8(a, b));
  for (const name of found) {
    const info = await lstat(path.join(outDir, name)).catch(() => undefined);
    if (info && !info.isFile()) {
      throw new AirlockError('OUTPUT_EXISTS', `${path.join(outDir, name)} exists and is not a file; remove it first`, { path: path.join(outDir, name) });
    }
  }
  return found.map((n) => path.join(outDir, n));
}

/** Renames the staged files into place, then removes outputs of an older build that the new one does not replace. */
async function publish(staging: string, outDir: string, names: string[], existing: string[]): Promise<string[]> {
  // Parts first and the index last: a reader that finds the index finds whole parts.
  const moved: string[] = [];
  try {
    for (const name of names) {
      await rename(path.join(staging, name), path.join(outDir, name));
      moved.push(path.join(outDir, name));
    }
  } catch (error) {
    await Promise.all(moved.map((f) => rm(f, { force: true }).catch(() => undefined)));
    throw ioError('move the built kit into', outDir, error);
  }
  const keep = new Set(moved);
  const stale = existing.filter((f) => !keep.has(f));
  for (const file of stale) {
    try {
      await rm(file, { force: true });
    } catch (error) {
      throw ioError('remove the older output', file, error);
    }
  }
  return stale;
}

interface WalkResult {
  files: Omit<InputFile, 'sha256'>[];
  ignored: string[];
}

/**
 * Every regular file under dir, put through the verifier's own entry checker
 * (types, path rules, modes, collisions) as if it were already a tar entry.
 */
async function walkInput(dir: string, signal: AbortSignal | undefined): Promise<WalkResult> {
  // Folder modes are not checked: the builder writes no folder entries, and a
  // set-gid bit on a local folder is inherited, not chosen.
  const checker = new KitEntryChecker({ checkDirectoryModes: false });
  // The generated root entries take their names first, so an input "sha256sums" collides with them.
  for (const name of [BUNDLE_PATH, SUMS_PATH]) checker.check({ path: name, kind: 'file', typeName: 'regular file', mode: 0o644, size: 0, offset: 0 });
  const files: Omit<InputFile, 'sha256'>[] = [];
  const ignored: string[] = [];

  const visit = async (absDir: string, relDir: string): Promise<void> => {
    checkAborted(signal);
    let dirents: Dirent[];
    try {
      dirents = await readdir(absDir, { withFileTypes: true });
    } catch (error) {
      throw ioError('read', absDir, error);
    }
    dirents.sort((a, b) => compareUtf8(a.name, b.name));
    for (const d of dirents) {
      const rel = relDir === '' ? d.name : `${relDir}/${d.name}`;
      const abs = path.join(absDir, d.name);
      if (relDir === '' && (d.name === SUMS_PATH || d.name === BUNDLE_PATH) && d.isFile()) {
        ignored.push(d.name);
        continue;
      }
      if (d.isDirectory()) {
        checker.check({ path: rel, kind: 'directory', typeName: 'directory', mode: 0o755, size: 0, offset: 0 });
        await visit(abs, rel);
        continue;
      }
      if (!d.isFile()) {
        checker.check({ path: rel, kind: 'unsupported', typeName: specialTypeName(d), mode: 0, size: 0, offset: 0 });
        continue; // not reached: the checker refuses every unsupported entry
      }
      let info: Stats;
      try {
        info = await lstat(abs);
      } catch (error) {
        throw ioError('read', abs, error);
      }
      if (!info.isFile()) throw changedWhileBuilding(rel);
      const entry = checker.check({ path: rel, kind: 'file', typeName: 'regular file', mode: info.mode & 0o7777, size: info.size, offset: 0 })!;
      files.push({ path: entry.path, abs, size: info.size, mode: entry.executable ? 0o755 : 0o644 });
    }
  };
  await visit(dir, '');
  return { files, ignored };
}

function specialTypeName(d: Dirent): string {
  if (d.isSymbolicLink()) return 'symbolic link';
  if (d.isFIFO()) return 'FIFO';
  if (d.isSocket()) return 'socket';
  if (d.isBlockDevice()) return 'block device';
  if (d.isCharacterDevice()) return 'character device';
  return 'special file';
}

function changedWhileBuilding(rel: string): AirlockError {
  return invalidInput(`"${printable(rel)}" changed while the kit was being built; build again once the input folder is stable`, { path: printable(rel) });
}

async function readManifestBytes(file: Omit<InputFile, 'sha256'>): Promise<Buffer> {
  if (file.size > KIT_MANIFEST_MAX_BYTES) {
    throw new AirlockError('KIT_MANIFEST_INVALID', `kit.json is ${file.size} bytes; at most ${KIT_MANIFEST_MAX_BYTES} are allowed`, { path: MANIFEST_PATH });
  }
  try {
    return await readFile(file.abs);
  } catch (error) {
    throw ioError('read', file.abs, error);
  }
}

async function hashInputs(files: Omit<InputFile, 'sha256'>[], onProgress: ProgressListener | undefined, signal: AbortSignal | undefined): Promise<InputFile[]> {
  const meter = new ProgressMeter({
    phase: 'hash',
    ...(onProgress ? { listener: onProgress } : {}),
    bytesTotal: files.reduce((n, f) => n + f.size, 0),
    itemsTotal: files.length,
  });
  meter.flush();
  const out: InputFile[] = [];
  for (const file of files) {
    checkAborted(signal);
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of createReadStream(file.abs, { highWaterMark: 1024 * 1024, ...(signal ? { signal } : {}) }) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
        meter.addBytes(chunk.length);
      }
    } catch (error) {
      if (signal?.aborted) throw cancelled(signal);
      throw ioError('read', file.abs, error);
    }
    if (size !== file.size) throw changedWhileBuilding(file.path);
    out.push({ ...file, sha256: hash.digest('hex') });
    meter.addItems(1);
  }
  meter.flush();
  return out;
}

/**
 * The verifier's OCI layout check (KIT-FORMAT §6), fed the digests just
 * computed and the small JSON documents (oci-layout, index.json, manifests,
 * configs) read through the verifier's own capture, with its size limits.
 */
async function checkImages(manifest: KitManifest, files: InputFile[]): Promise<void> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const prefix = imagesPrefixOf(manifest, (p) => byPath.has(p));
  if (prefix === null) return;
  const capture = new OciJsonCapture();
  capture.setPrefix(prefix);
  for (const f of files) {
    const slot = capture.begin(f.path, f.size);
    if (!slot) continue;
    let bytes: Buffer;
    try {
      bytes = await readFile(f.abs);
    } catch (error) {
      throw ioError('read', f.abs, error);
    }
    if (bytes.length !== f.size || sha256Hex(bytes) !== f.sha256) throw changedWhileBuilding(f.path);
    capture.data(slot, bytes);
    capture.end(slot);
  }
  checkOciLayout(prefix, byPath, capture.blobs);
}

function archiveEntries(files: InputFile[], sums: Buffer, bundle: Buffer): ArchiveEntry[] {
  const manifest = files.find((f) => f.path === MANIFEST_PATH)!;
  const rest = files.filter((f) => f.path !== MANIFEST_PATH).sort((a, b) => compareUtf8(a.path, b.path));
  const fromFile = (f: InputFile): ArchiveEntry => ({ path: f.path, mode: f.mode, size: f.size, sha256: f.sha256, abs: f.abs });
  return [
    { path: BUNDLE_PATH, mode: 0o644, size: bundle.length, sha256: sha256Hex(bundle), content: bundle },
    { path: SUMS_PATH, mode: 0o644, size: sums.length, sha256: sha256Hex(sums), content: sums },
    fromFile(manifest),
    ...rest.map(fromFile),
  ];
}

function uncompressedArchiveSize(entries: ReadonlyArray<{ path: string; size: number }>): number {
  let n = 2 * TAR_BLOCK;
  for (const e of entries) n += fileHeader({ path: e.path, size: e.size, mode: 0o644, mtime: 0 }).length + e.size + paddingFor(e.size).length;
  return n;
}

/** The tar stream. Input files are hashed again as they are packed, so a file edited after SHA256SUMS was made is caught. */
async function* archiveChunks(entries: ArchiveEntry[], mtime: number, meter: ProgressMeter, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    checkAborted(signal);
    yield fileHeader({ path: entry.path, size: entry.size, mode: entry.mode, mtime });
    if (entry.content) {
      yield entry.content;
      meter.addBytes(entry.content.length);
    } else {
      const hash = createHash('sha256');
      let size = 0;
      const stream = createReadStream(entry.abs!, { highWaterMark: 1024 * 1024 });
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > entry.size) throw changedWhileBuilding(entry.path);
          hash.update(chunk);
          meter.addBytes(chunk.length);
          yield chunk;
        }
      } catch (error) {
        if (error instanceof AirlockError) throw error;
        throw ioError('read', entry.abs!, error);
      } finally {
        stream.destroy();
      }
      if (size !== entry.size || hash.digest('hex') !== entry.sha256) throw changedWhileBuilding(entry.path);
    }
    const pad = paddingFor(entry.size);
    if (pad.length > 0) yield pad;
    meter.addItems(1);
  }
  yield endOfArchive();
}

function compressor(kind: KitCompression): Array<NodeJS.ReadWriteStream> {
  if (kind === 'gzip') return [zlib.createGzip({ level: GZIP_LEVEL }), new GzipOsByte()];
  if (kind === 'zstd') {
    return [zlib.createZstdCompress({ params: { [zlib.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL, [zlib.constants.ZSTD_c_checksumFlag]: 1 } })];
  }
  return [];
}

/**
 * zlib writes its build platform into the gzip header's OS byte (3 on Unix,
 * 10 on Windows builds); it is fixed to 3 so equal tar streams compress to
 * the same header everywhere. (zlib's header has no name and mtime 0 already.)
 */
class GzipOsByte extends Transform {
  private offset = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.offset <= 9 && this.offset + chunk.length > 9) {
      chunk = Buffer.from(chunk);
      chunk[9 - this.offset] = 3;
    }
    this.offset += chunk.length;
    callback(null, chunk);
  }
}

/** Verifies the staged kit with the real verifier and the signer's key as the only trusted key. */
async function defaultSelfCheck(kitPath: string, publicKeyPem: string, opts: { signal?: AbortSignal; onProgress?: ProgressListener }): Promise<{ sumsSha256: string; fileCount: number }> {
  // The trust policy reads keys from files; the key goes next to the staged kit and leaves with it.
  const keyFile = path.join(path.dirname(kitPath), 'self-check.pub.pem');
  await writeFile(keyFile, publicKeyPem);
  const policy = await resolveTrustPolicy({ keyFiles: [keyFile] });
  const { summary } = await verifyKit(kitPath, { signature: new SignatureVerifier(policy), ...opts });
  return { sumsSha256: summary.sumsSha256, fileCount: summary.fileCount };
}

function selfCheckFailed(error: unknown): unknown {
  if (!(error instanceof AirlockError)) return error;
  return new AirlockError(error.code, `the built kit failed its self-check, so nothing was written: ${error.message}`, {
    ...(error.path === undefined ? {} : { path: error.path }),
    ...(error.field === undefined ? {} : { field: error.field }),
    details: { ...error.details, selfCheck: true },
    cause: error,
  });
}
