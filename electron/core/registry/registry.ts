// The local registry: blob store + SQLite catalog + derived OCI index, under
// one data folder:
//   <data-dir>/catalog.db            the catalog (releases, files, images, SBOMs, operations)
//   <data-dir>/registry.lock         held by whoever writes (import, recovery)
//   <data-dir>/registry/oci/         OCI Image Layout: oci-layout, index.json, blobs/sha256/<hex>
//   <data-dir>/registry/ingest/      writes in progress
import fs from 'node:fs';
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { openCatalogDb, type OpenCatalogOptions } from '../db/catalog-db.ts';
import { AuditLog, defaultAuditIdentity } from '../evidence/audit-log.ts';
import { BlobStore } from './blob-store.ts';
import type { SyncStatfs } from './free-space.ts';
import { KitImporter, type ImportOptions } from './kit-importer.ts';
import { ociIndexPath, renderOciIndex, syncOciIndex } from './oci-index.ts';
import { ReleaseCatalog } from './release-catalog.ts';
import { diffReleases } from './release-diff.ts';
import { RegistryLock, type RegistryLockDeps } from './registry-lock.ts';
import type { ImportResult, ReleaseDetail, ReleaseDiff, ReleaseRef, ReleaseSummary } from './registry-types.ts';
import type { CrashHook, StoreFs } from './store-fs.ts';

export { CATALOG_FILE } from '../data-dir.ts';
import { CATALOG_FILE } from '../data-dir.ts';
export const LOCK_FILE = 'registry.lock';
export const REGISTRY_DIR = 'registry';

export interface RegistryDeps {
  now?: () => Date;
  /** File-system calls of the blob store (fault injection in tests). */
  fs?: StoreFs;
  /** Free-space probe (tests point it at numbers). */
  statfs?: SyncStatfs;
  crash?: CrashHook;
  lock?: RegistryLockDeps;
  catalog?: OpenCatalogOptions;
  /** Who and where for the audit chain (default: the OS user and host name). */
  auditIdentity?: { actor: string; host: string };
}

export interface RegistryImportOptions extends ImportOptions {
  /** Seconds to wait for another process holding the registry lock (default 0: fail at once with REGISTRY_LOCKED). */
  waitSeconds?: number;
  /** What the lock says this process is doing. */
  command?: string;
}

export interface RecoveryReport {
  ingestRemoved: number;
  operationsInterrupted: number;
  indexRewritten: boolean;
}

export interface ConsistencyReport {
  ok: boolean;
  problems: string[];
  blobsChecked: number;
}

export class Registry {
  readonly dataDir: string;
  readonly store: BlobStore;
  readonly catalog: ReleaseCatalog;
  readonly lockFile: string;
  /** What the start-up recovery did; null when another process held the lock, so recovery was left to it. */
  readonly recovery: RecoveryReport | null;
  private readonly deps: RegistryDeps;
  private readonly now: () => Date;

  private constructor(dataDir: string, store: BlobStore, catalog: ReleaseCatalog, deps: RegistryDeps, recovery: RecoveryReport | null) {
    this.dataDir = dataDir;
    this.store = store;
    this.catalog = catalog;
    this.deps = deps;
    this.now = deps.now ?? (() => new Date());
    this.lockFile = path.join(dataDir, LOCK_FILE);
    this.recovery = recovery;
  }

  /**
   * Opens (creating if needed) the registry in `dataDir`. When no other
   * process holds the lock, recovers from any interrupted import first:
   * ingest leftovers removed, 'running' imports marked 'interrupted', the OCI
   * index rebuilt from the catalog if it is stale.
   */
  static async open(dataDir: string, deps: RegistryDeps = {}): Promise<Registry> {
    try {
      fs.mkdirSync(dataDir, { recursive: true });
    } catch (error) {
      throw new AirlockError('IO_ERROR', `cannot create the data folder ${dataDir}: ${(error as Error).message}`, { path: dataDir, cause: error });
    }
    const db = openCatalogDb(path.join(dataDir, CATALOG_FILE), deps.catalog);
    try {
      const store = new BlobStore(path.join(dataDir, REGISTRY_DIR), { ...(deps.fs ? { fs: deps.fs } : {}), ...(deps.crash ? { crash: deps.crash } : {}) });
      await store.init();
      const catalog = new ReleaseCatalog(db);
      const lock = RegistryLock.tryAcquire(path.join(dataDir, LOCK_FILE), 'recovery', deps.lock);
      let recovery: RecoveryReport | null = null;
      if (lock) {
        try {
          recovery = await recover(store, catalog, deps.now ?? (() => new Date()));
        } finally {
          lock.release();
        }
      }
      return new Registry(dataDir, store, catalog, deps, recovery);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Verifies the kit and imports it; idempotent and resumable (see KitImporter). */
  async import(kitPath: string, options: RegistryImportOptions): Promise<ImportResult> {
    const lock = await RegistryLock.acquire(this.lockFile, {
      command: options.command ?? `kit import ${kitPath}`,
      waitSeconds: options.waitSeconds ?? 0,
      ...(options.signal ? { signal: options.signal } : {}),
    }, this.deps.lock);
    const crash = this.deps.crash ?? (() => {});
    try {
      crash('lock-acquired');
      await recover(this.store, this.catalog, this.now);
      crash('recovery-done');
      const importer = new KitImporter({
        store: this.store,
        catalog: this.catalog,
        dataDir: this.dataDir,
        now: this.now,
        crash,
        statfs: this.deps.statfs ?? ((d) => fs.statfsSync(d)),
        audit: new AuditLog(this.catalog.db, { clock: this.now, ...(this.deps.auditIdentity ?? defaultAuditIdentity()) }),
      });
      return await importer.run(kitPath, options);
    } finally {
      lock.release();
    }
  }

  list(): ReleaseSummary[] {
    return this.catalog.list();
  }

  show(name: string, version: string): ReleaseDetail {
    return this.catalog.detail(name, version);
  }

  diff(a: ReleaseRef, b: ReleaseRef): ReleaseDiff {
    return diffReleases(this.catalog.detail(a.name, a.version), this.catalog.detail(b.name, b.version));
  }

  /**
   * Checks that the catalog and the store agree: every catalogued blob exists
   * with its size (and, when deep, its digest), the OCI index is what the
   * catalog says, and no import is left half-done.
   */
  async check(options: { deep?: boolean } = {}): Promise<ConsistencyReport> {
    const problems: string[] = [];
    const blobs = this.catalog.allBlobs();
    for (const b of blobs) {
      const size = await this.store.size(b.digest);
      if (size === undefined) problems.push(`blob ${b.digest} is catalogued but missing`);
      else if (size !== b.size) problems.push(`blob ${b.digest} is ${size} bytes, the catalog says ${b.size}`);
      else if (options.deep && (await this.store.computeDigest(b.digest)) !== b.digest) problems.push(`blob ${b.digest} does not match its digest`);
    }
    const index = await this.store.fs.readFile(ociIndexPath(this.store)).catch(() => undefined);
    if (!index || Buffer.compare(index, renderOciIndex(this.catalog.indexImages())) !== 0) problems.push('the OCI index.json does not match the catalog');
    const ingest = await this.store.fs.readdir(this.store.ingestDir).catch(() => [] as string[]);
    if (ingest.length > 0) problems.push(`${ingest.length} leftover file(s) in ${this.store.ingestDir}`);
    const running = this.catalog.operations('import').filter((o) => o.status === 'running');
    if (running.length > 0) problems.push(`${running.length} import operation(s) still marked running`);
    return { ok: problems.length === 0, problems, blobsChecked: blobs.length };
  }

  close(): void {
    if (this.catalog.db.open) this.catalog.db.close();
  }
}

/** Heals what an interrupted import left behind. Only call while holding the registry lock. */
async function recover(store: BlobStore, catalog: ReleaseCatalog, now: () => Date): Promise<RecoveryReport> {
  const ingestRemoved = await store.cleanIngest();
  await store.cleanOciTemps();
  const operationsInterrupted = catalog.interruptRunning('import', now());
  const indexRewritten = await syncOciIndex(store, catalog);
  return { ingestRemoved, operationsInterrupted, indexRewritten };
}
