// Verifies a kit in one streaming pass (KIT-FORMAT §1-§6).
//
// Order matters for trust: SHA256SUMS.sigstore.json and SHA256SUMS are the only
// things read before the signature is checked, kit.json is buffered but never
// parsed before its digest matched the signed list, and every other file is
// only hashed. When the builder's order puts the three root files first, the
// signature is checked before any other byte is hashed and each file is
// compared with the signed list as soon as it ends (fail fast, `singlePass`);
// any other order is accepted and checked at the end.
import { createHash, type Hash } from 'node:crypto';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { KIT_MANIFEST_MAX_BYTES, type KitManifest } from '../../../shared/kit-manifest.ts';
import type { KitContainerInfo, KitVerification, SignatureVerdict } from '../../../shared/kit-verification.ts';
import type { ProgressListener } from '../../../shared/progress.ts';
import { ProgressMeter } from '../progress-meter.ts';
import type { CheckedKitEntry } from './kit-entry-checker.ts';
import { DEFAULT_IMAGES_PREFIX, checkManifestPaths, imagesPrefixOf, parseKitManifest } from './kit-manifest-parser.ts';
import { printable } from './kit-path-rules.ts';
import { KitReader, StopReading, type KitEntryVisitor } from './kit-reader.ts';
import { cancelledError, throwIfCancelled } from './kit-source.ts';
import { OciJsonCapture, checkOciLayout, type OciCaptureSlot } from './oci-layout-check.ts';
import { BUNDLE_PATH, MANIFEST_PATH, SUMS_MAX_BYTES, SUMS_PATH, compareUtf8, parseSha256Sums } from './sha256sums.ts';

/** A Sigstore bundle is a few KiB; 16 MiB leaves room for long certificate chains. */
export const BUNDLE_MAX_BYTES = 16 * 1024 * 1024;

export interface KitSignatureChecker {
  verifyKitSums(bundle: Uint8Array, sums: Uint8Array): Promise<SignatureVerdict> | SignatureVerdict;
}

export interface KitFileRecord {
  path: string;
  sha256: string;
  size: number;
  executable: boolean;
}

/**
 * Receives one regular file's bytes as they stream. `end()` is called only once
 * the file's digest matched SHA256SUMS (for the bundle and SHA256SUMS itself:
 * once the signature is valid); `abort()` on any failure while the sink is not
 * ended. When the kit's root files do not come first, `end()` of files read
 * before the signature is deferred until it is checked, so a sink should not
 * hold scarce resources between its last write and `end()`. A resolved
 * verifyKit is what makes the whole kit good; an ended sink alone is not.
 */
export interface KitFileSink {
  /**
   * The chunk is only valid until write() returns (or its promise settles):
   * read buffers are reused for speed, so copy a chunk to keep it.
   */
  write(chunk: Uint8Array): void | Promise<void>;
  end(result: { sha256: string; size: number }): void | Promise<void>;
  abort(reason: unknown): void | Promise<void>;
}

export interface VerifyKitOptions {
  signature: KitSignatureChecker;
  /** Throttled progress, phase "verify": bytes of the medium, items = SHA256SUMS lines. */
  onProgress?: ProgressListener;
  /** Abort → AirlockError CANCELLED; files are closed and open sinks aborted first. */
  signal?: AbortSignal;
  /** For import: gets the bytes of each regular file as they stream (see KitFileSink). */
  openSink?(file: { path: string; size: number; executable: boolean }): KitFileSink | undefined;
  /** Clock for progress rates (tests). */
  now?: () => number;
}

export interface KitVerifyResult {
  summary: KitVerification;
  /** Every regular file, root files included, sorted byte-wise by path. */
  files: KitFileRecord[];
}

interface CurrentFile {
  entry: CheckedKitEntry;
  hash: Hash;
  /** Exact-size buffer for the three root files. */
  buf: Buffer | null;
  fill: number;
  sink: KitFileSink | undefined;
  oci: OciCaptureSlot | null;
}

function unlisted(path: string): AirlockError {
  return new AirlockError('KIT_UNLISTED_FILE', `"${printable(path)}" is in the kit but not in SHA256SUMS`, { path: printable(path) });
}

function isRootSignatureFile(path: string): boolean {
  return path === BUNDLE_PATH || path === SUMS_PATH;
}

class VerifySession implements KitEntryVisitor {
  readonly records = new Map<string, KitFileRecord>();
  private readonly options: VerifyKitOptions;
  private readonly meter: ProgressMeter;
  private readonly oci = new OciJsonCapture();
  private readonly openSinks = new Set<KitFileSink>();
  private deferredSinks = new Map<string, KitFileSink>();
  private current: CurrentFile | null = null;
  private bundle: Buffer | null = null;
  private sums: Buffer | null = null;
  private manifestBytes: Buffer | null = null;
  private listed: Map<string, string> | null = null;
  private verdict: SignatureVerdict | null = null;
  private manifest: KitManifest | null = null;
  private otherFileBeforeTrust = false;

  constructor(options: VerifyKitOptions, meter: ProgressMeter) {
    this.options = options;
    this.meter = meter;
  }

  entry(entry: CheckedKitEntry): void {
    if (entry.kind !== 'file') return;
    const { path, size } = entry;
    const isRoot = isRootSignatureFile(path) || path === MANIFEST_PATH;
    if (path === BUNDLE_PATH && size > BUNDLE_MAX_BYTES) {
      throw new AirlockError('BUNDLE_INVALID', `${BUNDLE_PATH} is ${size} bytes; a Sigstore bundle is at most ${BUNDLE_MAX_BYTES}`, { path });
    }
    if (path === SUMS_PATH && size > SUMS_MAX_BYTES) {
      throw new AirlockError('KIT_SUMS_MALFORMED', `${SUMS_PATH} is ${size} bytes; the limit is ${SUMS_MAX_BYTES}`, { path });
    }
    if (path === MANIFEST_PATH && size > KIT_MANIFEST_MAX_BYTES) {
      throw new AirlockError('KIT_MANIFEST_INVALID', `kit.json is ${size} bytes; the limit is ${KIT_MANIFEST_MAX_BYTES}`, { path });
    }
    if (this.listed) {
      // Fail before reading a byte of a file the signed list does not name.
      if (!isRootSignatureFile(path) && !this.listed.has(path)) throw unlisted(path);
    } else if (!isRoot) {
      this.otherFileBeforeTrust = true;
    }
    const sink = this.options.openSink?.({ path, size, executable: entry.executable });
    if (sink) this.openSinks.add(sink);
    this.current = {
      entry,
      hash: createHash('sha256'),
      buf: isRoot ? Buffer.allocUnsafe(size) : null,
      fill: 0,
      sink,
      oci: this.oci.begin(path, size),
    };
  }

  data(chunk: Buffer): void | Promise<void> {
    const c = this.current!;
    c.hash.update(chunk);
    if (c.buf) chunk.copy(c.buf, c.fill);
    c.fill += chunk.length;
    if (c.oci) this.oci.data(c.oci, chunk);
    if (c.sink) return c.sink.write(chunk);
  }

  async end(): Promise<void> {
    const c = this.current!;
    this.current = null;
    const { path, size, executable } = c.entry;
    const record: KitFileRecord = { path, sha256: c.hash.digest('hex'), size, executable };
    this.records.set(path, record);
    if (c.oci) this.oci.end(c.oci);
    if (path === BUNDLE_PATH) this.bundle = c.buf;
    else if (path === SUMS_PATH) this.sums = c.buf;
    else if (path === MANIFEST_PATH) this.manifestBytes = c.buf;

    if (this.listed) {
      await this.settle(record, c.sink);
    } else {
      if (c.sink) this.deferredSinks.set(path, c.sink);
      if (this.bundle && this.sums) await this.establishTrust();
    }
  }

  /** Checks the signature, then every file seen so far against the signed list. */
  private async establishTrust(): Promise<void> {
    this.verdict = await this.options.signature.verifyKitSums(this.bundle!, this.sums!);
    throwIfCancelled(this.options.signal);
    const entries = parseSha256Sums(this.sums!);
    this.listed = new Map(entries.map((e) => [e.path, e.sha256]));
    this.meter.itemsTotal = entries.length;
    const deferred = this.deferredSinks;
    this.deferredSinks = new Map();
    for (const record of this.records.values()) await this.settle(record, deferred.get(record.path));
  }

  private async settle(record: KitFileRecord, sink: KitFileSink | undefined): Promise<void> {
    if (!isRootSignatureFile(record.path)) {
      const expected = this.listed!.get(record.path);
      if (expected === undefined) throw unlisted(record.path);
      if (expected !== record.sha256) {
        throw new AirlockError('KIT_DIGEST_MISMATCH', `"${printable(record.path)}" does not match its signed checksum`, {
          path: printable(record.path),
          details: { expected, actual: record.sha256 },
        });
      }
      this.meter.addItems(1);
    }
    if (sink) {
      this.openSinks.delete(sink);
      await sink.end({ sha256: record.sha256, size: record.size });
    }
    if (record.path === MANIFEST_PATH) {
      this.manifest = parseKitManifest(this.manifestBytes!);
      this.oci.setPrefix(this.manifest.images ?? DEFAULT_IMAGES_PREFIX);
    }
  }

  async finish(container: KitContainerInfo): Promise<KitVerifyResult> {
    if (!this.bundle) {
      throw new AirlockError('KIT_UNSIGNED', `the kit has no ${BUNDLE_PATH}; Airlock never accepts an unsigned kit`, { path: BUNDLE_PATH });
    }
    if (!this.sums) throw new AirlockError('KIT_MISSING_FILE', `the kit has a signature but no ${SUMS_PATH}`, { path: SUMS_PATH });
    if (!this.listed) await this.establishTrust();
    for (const path of this.listed!.keys()) {
      if (!this.records.has(path)) {
        throw new AirlockError('KIT_MISSING_FILE', `"${printable(path)}" is listed in SHA256SUMS but not in the kit`, { path: printable(path) });
      }
    }
    if (!this.manifest) throw new AirlockError('KIT_MISSING_FILE', 'the kit has no kit.json', { path: MANIFEST_PATH });
    const manifest = this.manifest;
    checkManifestPaths(manifest, new Set(this.records.keys()));
    const prefix = imagesPrefixOf(manifest, (p) => this.records.has(p));
    const images = prefix === null ? [] : checkOciLayout(prefix, this.records, this.oci.blobs);

    const files = [...this.records.values()].sort((a, b) => compareUtf8(a.path, b.path));
    const summary: KitVerification = {
      name: manifest.name,
      version: manifest.version,
      channel: manifest.channel ?? 'stable',
      created: manifest.created,
      publisher: manifest.publisher ?? null,
      manifest,
      sumsSha256: this.records.get(SUMS_PATH)!.sha256,
      signature: this.verdict!,
      container,
      fileCount: files.length,
      totalBytes: files.reduce((n, f) => n + f.size, 0),
      images,
      singlePass: !this.otherFileBeforeTrust,
    };
    return { summary, files };
  }

  /** Aborts every sink not yet ended; a failing abort() does not hide the real error. */
  async abortSinks(reason: unknown): Promise<void> {
    const sinks = [...this.openSinks];
    this.openSinks.clear();
    this.deferredSinks.clear();
    for (const sink of sinks) {
      try {
        await sink.abort(reason);
      } catch {
        // The verification error is what the caller must see.
      }
    }
  }
}

/** Full verification of the kit at `kitPath` in one streaming pass. Throws an AirlockError naming the path or field. */
export async function verifyKit(kitPath: string, options: VerifyKitOptions): Promise<KitVerifyResult> {
  const signal = options.signal;
  throwIfCancelled(signal);
  const reader = await KitReader.open(kitPath, signal);
  const meter = new ProgressMeter({
    phase: 'verify',
    listener: options.onProgress,
    bytesTotal: reader.bytesTotal,
    ...(options.now ? { now: options.now } : {}),
  });
  meter.flush();
  const session = new VerifySession(options, meter);
  try {
    const container = await reader.read(session, { signal, onBytes: (n) => meter.addBytes(n) });
    throwIfCancelled(signal);
    const result = await session.finish(container);
    meter.flush();
    return result;
  } catch (error) {
    const reason = signal?.aborted ? cancelledError() : error;
    await session.abortSinks(reason);
    throw reason;
  }
}

/**
 * Reads and schema-checks only kit.json, WITHOUT verifying the signature; stops
 * reading as soon as kit.json has been read. For preflight without trust flags:
 * callers must label the result unverified.
 */
export async function readKitManifest(kitPath: string, opts: { signal?: AbortSignal } = {}): Promise<KitManifest> {
  throwIfCancelled(opts.signal);
  const reader = await KitReader.open(kitPath, opts.signal);
  let bytes: Buffer | null = null;
  let buf: Buffer | null = null;
  let fill = 0;
  await reader.read(
    {
      entry(entry) {
        if (entry.kind !== 'file' || entry.path !== MANIFEST_PATH) return;
        if (entry.size > KIT_MANIFEST_MAX_BYTES) {
          throw new AirlockError('KIT_MANIFEST_INVALID', `kit.json is ${entry.size} bytes; the limit is ${KIT_MANIFEST_MAX_BYTES}`, { path: MANIFEST_PATH });
        }
        buf = Buffer.allocUnsafe(entry.size);
        fill = 0;
      },
      data(chunk) {
        if (!buf) return;
        chunk.copy(buf, fill);
        fill += chunk.length;
      },
      end() {
        if (!buf) return;
        bytes = buf;
        throw new StopReading();
      },
    },
    { signal: opts.signal },
  );
  throwIfCancelled(opts.signal);
  if (!bytes) throw new AirlockError('KIT_MISSING_FILE', 'the kit has no kit.json', { path: MANIFEST_PATH });
  return parseKitManifest(bytes);
}
