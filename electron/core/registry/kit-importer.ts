// `kit import`: verifies a kit and ingests it into the registry in the same
// streaming pass. The verifier hands over each file's bytes (openSink); they
// go to ingest/ and are renamed to their digest once the verifier has matched
// them against the signed SHA256SUMS. Only when every blob is durable does one
// catalog transaction make the release visible; the OCI index follows from
// the catalog. A failure or crash at any point leaves the registry as it was,
// plus complete blobs that nothing references yet and a later import reuses.
import fs from 'node:fs';
import { AirlockError, toErrorPayload } from '../../../shared/airlock-error.ts';
import type { KitManifest } from '../../../shared/kit-manifest.ts';
import type { ProgressListener } from '../../../shared/progress.ts';
import { imagesPrefixOf } from '../kit/kit-manifest-parser.ts';
import { verifyKit, type KitFileRecord, type KitFileSink, type KitSignatureChecker, type KitVerifyResult } from '../kit/kit-verifier.ts';
import { BUNDLE_PATH, MANIFEST_PATH, SUMS_PATH, parseSha256Sums } from '../kit/sha256sums.ts';
import { storeIoError, type BlobStore, type BlobWriter } from './blob-store.ts';
import { checkFreeSpace, estimateKitBytes, type KitSizeEstimate, type SyncStatfs } from './free-space.ts';
import { REF_NAME_ANNOTATION, syncOciIndex } from './oci-index.ts';
import type { NewImage, NewRelease, NewSbom, ReleaseCatalog } from './release-catalog.ts';
import type { ImportResult, ReleaseSummary } from './registry-types.ts';
import { SBOM_MAX_BYTES, parseSbom } from './sbom-parser.ts';
import type { CrashHook } from './store-fs.ts';
import type { AuditEventInput } from '../evidence/audit-log.ts';
import { importFailedEvent, importSucceededEvents } from '../evidence/import-audit-events.ts';

export interface ImportOptions {
  /** The signature checker (a SignatureVerifier over the resolved trust policy). */
  signature: KitSignatureChecker;
  /** Throttled progress, phase "import". */
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface KitImporterDeps {
  store: BlobStore;
  catalog: ReleaseCatalog;
  /** The folder whose disk must hold the kit (the data dir). */
  dataDir: string;
  now: () => Date;
  crash: CrashHook;
  statfs: SyncStatfs;
  /** The audit chain (evidence/audit-log.ts): verify and import records, appended in the import's own transaction. */
  audit?: { append(event: AuditEventInput): unknown };
}

/** Blob commits (fsync + rename) running behind the stream; bounds memory and open files. */
const MAX_PENDING_COMMITS = 16;

interface SessionStats {
  blobsWritten: number;
  blobsReused: number;
  bytesWritten: number;
}

/** Raised inside the pass once the quick check found the kit already imported; turned into an 'unchanged' result. */
class AlreadyImported {
  readonly release: ReleaseSummary;
  constructor(release: ReleaseSummary) {
    this.release = release;
  }
}

export class KitImporter {
  private readonly deps: KitImporterDeps;

  constructor(deps: KitImporterDeps) {
    this.deps = deps;
  }

  /** Runs one import. The caller holds the registry lock and has run recovery. */
  async run(kitPath: string, options: ImportOptions): Promise<ImportResult> {
    const { store, catalog, crash, now } = this.deps;
    const estimate = await estimateKitBytes(kitPath);
    const stop = new AbortController();
    const userSignal = options.signal;
    const onUserAbort = (): void => stop.abort(userSignal?.reason);
    if (userSignal?.aborted) throw new AirlockError('CANCELLED', 'the import was cancelled before it started', { path: kitPath });
    userSignal?.addEventListener('abort', onUserAbort, { once: true });
    const session = new ImportSession(this.deps, kitPath, estimate, stop);
    const onProgress = options.onProgress;
    let result: KitVerifyResult;
    try {
      try {
        result = await verifyKit(kitPath, {
          signature: options.signature,
          signal: stop.signal,
          onProgress: onProgress ? (e) => onProgress({ ...e, phase: 'import' }) : undefined,
          openSink: (file) => session.openSink(file),
        });
      } catch (error) {
        await session.settle();
        if (session.alreadyImported && !userSignal?.aborted) {
          await store.cleanIngest();
          return unchanged(session.alreadyImported.release, 'quick', session.stats);
        }
        throw session.failure ?? error;
      }
      await session.drain();
      if (userSignal?.aborted) throw new AirlockError('CANCELLED', 'the import was cancelled', { path: kitPath });

      // The non-single-pass path can only tell at the end that the kit was here already.
      const present = catalog.findBySums(`sha256:${result.summary.sumsSha256}`);
      if (present && (await allBlobsPresent(store, catalog, present.sumsSha256))) {
        await store.cleanIngest();
        if (session.operationId !== null) catalog.finishOperation(session.operationId, 'succeeded', now(), undefined, { outcome: 'unchanged' });
        return unchanged(present, 'full', session.stats);
      }
      session.beginWriting();
      await session.ensureBlobs(result.files);
      crash('blobs-written');
      await store.syncBlobsDir();
      crash('blobs-dir-fsynced');
      const release = await this.describeRelease(result, session.operationId!);
      const summary = this.commit(release, kitPath, session.stats);
      crash('catalog-committed');
      await syncOciIndex(store, catalog, crash);
      crash('import-done');
      return { status: 'imported', release: summary, operationId: session.operationId, check: 'full', ...session.stats };
    } catch (error) {
      await session.settle();
      await store.cleanIngest().catch(() => 0);
      const coded = importFailure(error, this.deps.dataDir);
      if (session.operationId !== null) {
        const p = toErrorPayload(coded);
        try {
          catalog.finishOperation(session.operationId, 'failed', now(), { code: p.code, message: p.message });
        } catch {
          // The catalog may be what failed (a full disk); recovery marks the row interrupted later.
        }
      }
      try {
        this.deps.audit?.append(importFailedEvent(kitPath, session.operationId, toErrorPayload(coded)));
      } catch {
        // As above: a catalog that cannot be written cannot take the record either.
      }
      throw coded;
    } finally {
      userSignal?.removeEventListener('abort', onUserAbort);
    }
  }

  /** The one transaction that makes a release visible. */
  private commit(release: NewRelease, kitPath: string, stats: SessionStats): ReleaseSummary {
    const { catalog, crash, now } = this.deps;
    const tx = catalog.db.transaction(() => {
      crash('catalog-tx-begun');
      const other = catalog.find(release.name, release.version);
      if (other) throw conflict(release.name, release.version, other, release.sumsDigest, kitPath);
      catalog.insertRelease(release, crash);
      catalog.finishOperation(release.operationId, 'succeeded', now(), undefined, { outcome: 'imported', release: `${release.name}@${release.version}`, ...stats });
      for (const event of importSucceededEvents({ ...release, fileCount: release.files.length }, kitPath, stats)) this.deps.audit?.append(event);
      crash('catalog-tx-before-commit');
    });
    tx.immediate();
    return catalog.find(release.name, release.version)!;
  }

  /** Gathers the catalog rows from the verified kit and the blobs now in the store. */
  private async describeRelease(result: KitVerifyResult, operationId: number): Promise<NewRelease> {
    const { store, now } = this.deps;
    const { summary } = result;
    const manifest: KitManifest = summary.manifest;
    const byPath = new Map(result.files.map((f) => [f.path, f]));
    const digestOf = (path: string): string => `sha256:${byPath.get(path)!.sha256}`;

    const images: NewImage[] = [];
    const prefix = imagesPrefixOf(manifest, (p) => byPath.has(p));
    if (prefix !== null) {
      const index = JSON.parse((await store.read(digestOf(`${prefix}index.json`))).toString('utf8')) as { manifests?: Array<Record<string, unknown>> };
      for (const d of index.manifests ?? []) {
        const annotations = (d.annotations ?? {}) as Record<string, unknown>;
        const ref = annotations[REF_NAME_ANNOTATION];
        if (typeof ref !== 'string' || ref === '') continue;
        images.push({ ref, digest: String(d.digest), mediaType: String(d.mediaType), size: Number(d.size), descriptor: d });
      }
    }

    const sboms: NewSbom[] = [];
    for (const s of manifest.sboms ?? []) {
      const file = byPath.get(s.path)!;
      if (file.size > SBOM_MAX_BYTES) throw new AirlockError('SBOM_INVALID', `SBOM ${s.path} is ${file.size} bytes; the limit is ${SBOM_MAX_BYTES}`, { path: s.path });
      const parsed = parseSbom(await store.read(digestOf(s.path)), s.format, s.path);
      sboms.push({ path: s.path, format: s.format, specVersion: parsed.specVersion, digest: digestOf(s.path), subject: s.subject ?? null, packages: parsed.packages });
    }

    return {
      name: summary.name,
      version: summary.version,
      channel: summary.channel,
      created: summary.created,
      calendar: manifest.calendar ?? null,
      description: manifest.description ?? null,
      publisher: summary.publisher,
      signature: summary.signature,
      sumsDigest: `sha256:${summary.sumsSha256}`,
      bundleDigest: digestOf(BUNDLE_PATH),
      manifestDigest: digestOf(MANIFEST_PATH),
      totalBytes: summary.totalBytes,
      files: result.files.map((f) => ({ path: f.path, digest: `sha256:${f.sha256}`, size: f.size, mode: f.executable ? 0o755 : 0o644 })),
      images,
      sboms,
      attestations: (manifest.attestations ?? []).map((a) => ({ path: a.path, predicateType: a.predicateType, digest: digestOf(a.path), size: byPath.get(a.path)!.size })),
      migrations: (manifest.migrations ?? []).map((m) => ({ id: m.id, database: m.database, path: m.path, digest: digestOf(m.path), destructive: m.destructive === true })),
      importedAt: now().toISOString(),
      operationId,
    };
  }
}

/**
 * Gives a failure its code: file-system errors name the data folder (ENOSPC
 * is a full disk), SQLite's are mapped the same way; anything else is left
 * as it is, so a defect surfaces as INTERNAL rather than posing as a disk error.
 */
function importFailure(error: unknown, dataDir: string): unknown {
  if (error instanceof AirlockError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return error;
  if (code === 'SQLITE_FULL') return new AirlockError('INSUFFICIENT_SPACE', `the disk holding ${dataDir} is full (catalog write)`, { path: dataDir, cause: error });
  if (code.startsWith('SQLITE_')) return new AirlockError('IO_ERROR', `the catalog in ${dataDir} could not be written: ${(error as Error).message}`, { path: dataDir, cause: error });
  if (/^E[A-Z]+$/.test(code)) return storeIoError(error, 'the import failed', dataDir);
  return error;
}

function unchanged(release: ReleaseSummary, check: 'quick' | 'full', stats: SessionStats): ImportResult {
  return { status: 'unchanged', release, operationId: null, check, ...stats };
}

function conflict(name: string, version: string, other: ReleaseSummary, sumsDigest: string, kitPath: string): AirlockError {
  return new AirlockError('RELEASE_CONFLICT', `${name}@${version} is already in the registry with SHA256SUMS sha256:${other.sumsSha256}; this kit has ${sumsDigest}`, {
    path: kitPath,
    details: { name, version, imported: `sha256:${other.sumsSha256}`, kit: sumsDigest },
  });
}

async function allBlobsPresent(store: BlobStore, catalog: ReleaseCatalog, sumsHex: string): Promise<boolean> {
  for (const b of catalog.releaseBlobs(`sha256:${sumsHex}`)) {
    if (!(await store.has(b.digest, b.size))) return false;
  }
  return true;
}

/** The per-import state behind the verifier's openSink. */
class ImportSession {
  readonly stats: SessionStats = { blobsWritten: 0, blobsReused: 0, bytesWritten: 0 };
  operationId: number | null = null;
  alreadyImported: AlreadyImported | null = null;
  failure: unknown = null;
  private readonly deps: KitImporterDeps;
  private readonly kitPath: string;
  private readonly estimate: KitSizeEstimate;
  private readonly stop: AbortController;
  private expected: Map<string, string> | null = null;
  private sumsDigest: string | null = null;
  private otherFileSeen = false;
  private writing = false;
  private readonly pending = new Set<Promise<void>>();
  /** Digests with a writer open or committing, so a duplicate file is not written twice. */
  private readonly inFlight = new Set<string>();
  /** Digests known to be committed blobs: written or found present in this pass. */
  private readonly confirmed = new Set<string>();

  constructor(deps: KitImporterDeps, kitPath: string, estimate: KitSizeEstimate, stop: AbortController) {
    this.deps = deps;
    this.kitPath = kitPath;
    this.estimate = estimate;
    this.stop = stop;
  }

  /**
   * From the first byte that will stay in the store: checks free space and
   * records the operation (so an interrupted import shows up as such).
   */
  beginWriting(): void {
    if (this.writing) return;
    this.writing = true;
    const { dataDir, statfs, catalog, now, crash } = this.deps;
    checkFreeSpace(dataDir, this.estimate, statfs);
    this.operationId = catalog.startOperation('import', { kit: this.kitPath, estimatedBytes: this.estimate.bytes }, now());
    crash('operation-started');
  }

  openSink(file: { path: string; size: number; executable: boolean }): KitFileSink | undefined {
    if (this.failure) throw this.failure;
    if (this.alreadyImported) return undefined;
    const isRoot = file.path === BUNDLE_PATH || file.path === SUMS_PATH || file.path === MANIFEST_PATH;
    if (!isRoot) {
      this.otherFileSeen = true;
      this.beginWriting();
    }
    const expectedHex = this.expected?.get(file.path);
    if (expectedHex !== undefined) {
      const digest = `sha256:${expectedHex}`;
      if (this.inFlight.has(digest)) {
        this.stats.blobsReused++;
        return undefined;
      }
      if (this.presentSync(digest, file.size)) {
        this.confirmed.add(digest);
        this.stats.blobsReused++;
        return undefined;
      }
      this.inFlight.add(digest);
    }
    return this.makeSink(file, expectedHex);
  }

  private presentSync(digest: string, size: number): boolean {
    try {
      const st = fs.statSync(this.deps.store.blobPath(digest));
      return st.isFile() && st.size === size;
    } catch {
      return false;
    }
  }

  private makeSink(file: { path: string; size: number }, expectedHex: string | undefined): KitFileSink {
    const { store } = this.deps;
    let writer: Promise<BlobWriter> | undefined;
    const getWriter = (): Promise<BlobWriter> => (writer ??= store.createWriter(file.size));
    // SHA256SUMS and kit.json are also kept in memory: the import reads them before the pass ends.
    const keep = file.path === SUMS_PATH || file.path === MANIFEST_PATH ? Buffer.allocUnsafe(file.size) : null;
    let kept = 0;
    return {
      write: async (chunk) => {
        if (this.failure) throw this.failure;
        if (keep) {
          keep.set(chunk, kept);
          kept += chunk.byteLength;
        }
        await (await getWriter()).write(chunk);
      },
      end: async ({ sha256, size }) => {
        if (this.failure) throw this.failure;
        const digest = `sha256:${sha256}`;
        const w = await getWriter();
        if (expectedHex === undefined) {
          // Read before the digests were known: a second copy of one blob is dropped, not renamed over the first.
          if (this.inFlight.has(digest)) {
            await w.abort();
            this.stats.blobsReused++;
            return;
          }
          this.inFlight.add(digest);
        }
        this.schedule(w, digest, size, expectedHex !== undefined);
        if (keep && file.path === SUMS_PATH) this.onSums(keep, digest);
        if (keep && file.path === MANIFEST_PATH) this.onManifest(keep);
        if (this.pending.size >= MAX_PENDING_COMMITS) await Promise.race(this.pending);
        if (this.failure) throw this.failure;
      },
      abort: async () => {
        if (writer) await (await writer.catch(() => undefined))?.abort();
      },
    };
  }

  /** `checkedAbsent`: openSink found no such blob (under the lock), so commit need not look again. */
  private schedule(w: BlobWriter, digest: string, size: number, checkedAbsent: boolean): void {
    const task = w.commit(digest, size, { knownAbsent: checkedAbsent }).then(
      (outcome) => {
        this.confirmed.add(digest);
        if (outcome === 'written') {
          this.stats.blobsWritten++;
          this.stats.bytesWritten += size;
        } else {
          this.stats.blobsReused++;
        }
        this.deps.crash('between-blobs');
      },
      (error: unknown) => {
        this.failure ??= error;
        // Stop reading: the kit cannot be imported now.
        this.stop.abort(error);
      },
    ).finally(() => {
      this.pending.delete(task);
      this.inFlight.delete(digest);
    });
    this.pending.add(task);
  }

  /** SHA256SUMS ended: its signature is valid. Learn the expected digests; stop early if this kit is already here. */
  private onSums(bytes: Buffer, sumsDigest: string): void {
    this.expected = new Map(parseSha256Sums(bytes).map((e) => [e.path, e.sha256]));
    this.deps.crash('root-files-done');
    this.sumsDigest = sumsDigest;
    const { catalog } = this.deps;
    const present = catalog.findBySums(sumsDigest);
    // Quick check (root files first only): signature valid, same SHA256SUMS as
    // an imported release, and each of its blobs present with its size. The
    // other files are not hashed again: blobs only get their digest name after
    // their digest was checked, so a present blob is a correct blob.
    if (present && !this.otherFileSeen && catalog.releaseBlobs(sumsDigest).every((b) => this.presentSync(b.digest, b.size))) {
      this.alreadyImported = new AlreadyImported(present);
      this.stop.abort(this.alreadyImported);
      return;
    }
    this.beginWriting();
  }

  /** kit.json ended (its digest matched): refuse a name@version already imported with other contents before reading on. */
  private onManifest(bytes: Buffer): void {
    let name: unknown;
    let version: unknown;
    try {
      ({ name, version } = JSON.parse(bytes.toString('utf8')) as { name?: unknown; version?: unknown });
    } catch {
      return; // the verifier reports the broken manifest
    }
    if (typeof name !== 'string' || typeof version !== 'string' || !this.expected) return;
    const other = this.deps.catalog.find(name, version);
    if (other && this.sumsDigest && `sha256:${other.sumsSha256}` !== this.sumsDigest) throw conflict(name, version, other, this.sumsDigest, this.kitPath);
  }

  /** Every file of the kit must now be a committed blob; only those not seen committed in this pass are looked up. */
  async ensureBlobs(files: KitFileRecord[]): Promise<void> {
    const { store } = this.deps;
    for (const f of files) {
      const digest = `sha256:${f.sha256}`;
      if (this.confirmed.has(digest)) continue;
      if (!(await store.has(digest, f.size))) {
        throw new AirlockError('IO_ERROR', `blob ${digest} of ${f.path} is not in the store after ingest`, { path: store.blobPath(digest) });
      }
      this.confirmed.add(digest);
    }
  }

  /** Waits for every scheduled commit; rethrows the first failure. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (this.failure) throw this.failure;
  }

  /** Waits for every scheduled commit, ignoring failures (error paths). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
