// Installs releases from the local registry into an install root, with
// database backups, migrations, health checks and automatic rollback
// (DESIGN §1: plan → backup → activate → migrate → health → commit or roll
// back), and returns to retained releases. Every command that touches a root
// first takes the root's lock and recovers whatever a killed process left.
//
// Order of an install (each arrow is a journal write, see install-journal.ts):
//   plan → journal "started" → back up every database → "backed-up" →
//   materialize releases/<v>.partial-<op> and check every digest →
//   "materialized" → move it to releases/<v> → "placed" → apply migrations →
//   switch current → "switched" → health checks → "verified" →
//   "committed" → state.json → catalog → cleanup → journal removed.
// Any failure before "committed" undoes it all: databases restored byte for
// byte, the previous release active, the failed step named in the record.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { AirlockError, toErrorPayload } from '../../../shared/airlock-error.ts';
import type { KitManifest } from '../../../shared/kit-manifest.ts';
import type { PreflightReport } from '../../../shared/preflight.ts';
import { openCatalogDb, type CatalogDb } from '../db/catalog-db.ts';
import { AuditLog, defaultAuditIdentity } from '../evidence/audit-log.ts';
import { DEFAULT_PAYLOAD_PREFIX, parseKitManifest } from '../kit/kit-manifest-parser.ts';
import type { BlobStore } from '../registry/blob-store.ts';
import type { SyncStatfs } from '../registry/free-space.ts';
import { RegistryLock, type LockHolder, type RegistryLockDeps } from '../registry/registry-lock.ts';
import { CATALOG_FILE } from '../registry/registry.ts';
import { signerId, type ReleaseCatalog } from '../registry/release-catalog.ts';
import type { ReleaseDetail } from '../registry/registry-types.ts';
import type { ResolvedTrustPolicy } from '../trust/trust-policy.ts';
import { isErrno } from './atomic-file.ts';
import { backupDatabase, backupProblem, restoreDatabase, type DatabaseBackupRecord } from './database-backup.ts';
import { describeHealthCheck, runHealthChecks, type HealthResult } from './health-checks.ts';
import type { InstallCrashHook, InstallCrashPoint } from './install-crash-points.ts';
import { JOURNAL_SCHEMA, readJournal, writeJournal, type InstallJournal, type JournalCleanup } from './install-journal.ts';
import { InstallLayout, checkVersionName } from './install-layout.ts';
import { InstallRecords, type InstallOperationRow } from './install-records.ts';
import { finishCommit, sweepRoot, undoOperation, type RootSession } from './install-recovery.ts';
import {
  DEFAULT_KEEP, STATE_SCHEMA, byRecency, nextActivationSeq, readInstallConfig, readInstallState, releasesToPrune, rollbackTarget,
  type InstallState, type LeftBackup, type RetainedRelease,
} from './install-state.ts';
import type {
  InstallConfirmation, InstallPlan, InstallResult, InstallStatus, PlanIssue, PlanMigration, RecoveryReport, RollbackPlan, RollbackResult,
  StatusOperation, StatusRelease,
} from './install-types.ts';
import { PLAN_SCHEMA } from './install-types.ts';
import { analyzeMigration, describeFinding } from './migration-analysis.ts';
import { readAppliedMigrations, runMigrations, uniqueIndexLookup, type MigrationOutcome } from './migration-runner.ts';
import { checkReleaseDir, materializeRelease, payloadFiles, type PayloadFile } from './release-materializer.ts';
import { createReleaseSwitch, type ReleaseSwitch, type SwitchFs } from './release-switch.ts';
import { checkUpgradePath, downgradeAllowed, downgradeError, kindOf, publisherChanged } from './upgrade-rules.ts';

/** The registry pieces the installer reads: blobs and the catalog. */
export interface InstallRegistry {
  dataDir: string;
  store: BlobStore;
  catalog: ReleaseCatalog;
}

export interface PreflightRequest {
  manifest: KitManifest;
  installRoot: string;
  dataDir: string;
}

export interface InstallServiceDeps {
  registry: InstallRegistry;
  /** Runs the host preflight against the kit (PreflightService in production, a fixture in tests). */
  preflight: (request: PreflightRequest) => Promise<PreflightReport>;
  clock?: () => Date;
  /** Who and where, for the audit chain. */
  identity?: { actor: string; host: string };
  /** Chooses the switch strategy (and path rules): win32 → pointer file, else symlink. */
  platform?: NodeJS.Platform;
  switchFs?: SwitchFs;
  /** Crash-test hook (AIRLOCK_CRASH_AT): may kill the process at a named point. */
  crash?: InstallCrashHook;
  /**
   * Called at every named step boundary of an install or rollback (the same
   * points the crash hook sees, after that step's records are written), so a
   * caller can show live steps.
   */
  checkpoint?: (point: InstallCrashPoint) => void;
  statfs?: SyncStatfs;
  lock?: RegistryLockDeps;
}

export interface InstallOptions {
  /** Called with the plan; the install proceeds only on { proceed: true }. */
  confirm: (plan: InstallPlan) => Promise<InstallConfirmation> | InstallConfirmation;
  /** Releases to retain (default: .airlock/config.json, else 3). */
  keep?: number;
  /** The trust policy given on the command line; decides whether a downgrade is allowed. */
  trustPolicy?: ResolvedTrustPolicy;
  signal?: AbortSignal;
  /** What the lock says this process is doing. */
  command?: string;
}

export interface PlanOptions {
  keep?: number;
  trustPolicy?: ResolvedTrustPolicy;
}

export interface RollbackOptions {
  to?: string;
  confirm: (plan: RollbackPlan) => Promise<InstallConfirmation> | InstallConfirmation;
  keep?: number;
  command?: string;
}

interface LoadedRelease {
  detail: ReleaseDetail;
  manifest: KitManifest;
  files: PayloadFile[];
}

interface MigrationSource {
  id: string;
  database: string;
  path: string;
  sha256: string;
  sql: string;
  markedDestructive: boolean;
}

const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function errorInfo(error: unknown): { code: string; message: string } {
  const p = toErrorPayload(error);
  return { code: p.code, message: p.message };
}

function issueOf(e: AirlockError): PlanIssue {
  return {
    code: e.code,
    message: e.message,
    ...(e.path !== undefined ? { path: e.path } : {}),
    ...(e.field !== undefined ? { field: e.field } : {}),
    ...(e.details !== undefined ? { details: e.details } : {}),
  };
}

function errorOfIssue(issue: PlanIssue): AirlockError {
  const code = issue.code === 'PREFLIGHT_WARN' || issue.code === 'DESTRUCTIVE_MIGRATION' ? 'CANCELLED' : issue.code;
  return new AirlockError(code, issue.message, {
    ...(issue.path !== undefined ? { path: issue.path } : {}),
    ...(issue.field !== undefined ? { field: issue.field } : {}),
    ...(issue.details !== undefined ? { details: issue.details } : {}),
  });
}

/** The nearest existing folder at or above p (free space of a root that does not exist yet). */
function existingAncestor(p: string): string {
  let dir = path.resolve(p);
  while (!fs.existsSync(dir)) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

export class InstallService {
  private readonly registry: InstallRegistry;
  private readonly preflightRun: InstallServiceDeps['preflight'];
  private readonly clock: () => Date;
  private readonly identity: { actor: string; host: string };
  private readonly platform: NodeJS.Platform;
  private readonly switchFs: SwitchFs | undefined;
  private readonly crashHook: InstallCrashHook;
  private readonly checkpointHook: (point: InstallCrashPoint) => void;
  private readonly statfs: SyncStatfs;
  private readonly lockDeps: RegistryLockDeps | undefined;
  private readonly records: InstallRecords;

  constructor(deps: InstallServiceDeps) {
    this.registry = deps.registry;
    this.preflightRun = deps.preflight;
    this.clock = deps.clock ?? (() => new Date());
    this.identity = deps.identity ?? defaultAuditIdentity();
    this.platform = deps.platform ?? process.platform;
    this.switchFs = deps.switchFs;
    this.crashHook = deps.crash ?? (() => {});
    this.checkpointHook = deps.checkpoint ?? (() => {});
    this.statfs = deps.statfs ?? ((d) => fs.statfsSync(d));
    this.lockDeps = deps.lock;
    this.records = this.recordsOn(deps.registry.catalog.db);
  }

  private recordsOn(db: CatalogDb): InstallRecords {
    return new InstallRecords(db, new AuditLog(db, { clock: this.clock, ...this.identity }), this.clock);
  }

  private crash(point: InstallCrashPoint): void {
    this.checkpointHook(point);
    this.crashHook(point);
  }

  private session(root: string): RootSession {
    const layout = new InstallLayout(root);
    const releaseSwitch: ReleaseSwitch = createReleaseSwitch(layout, this.platform, ...(this.switchFs ? [this.switchFs] : []));
    return { layout, releaseSwitch, crash: this.crashHook };
  }

  // ---------------------------------------------------------------- locking and recovery

  private async lockRoot(session: RootSession, command: string): Promise<RegistryLock> {
    try {
      fs.mkdirSync(session.layout.stateDir, { recursive: true });
    } catch (error) {
      throw new AirlockError('IO_ERROR', `cannot create ${session.layout.stateDir}: ${(error as Error).message}`, { path: session.layout.stateDir, cause: error });
    }
    try {
      return await RegistryLock.acquire(session.layout.lockFile, { command, waitSeconds: 0 }, this.lockDeps);
    } catch (error) {
      if (error instanceof AirlockError && error.code === 'REGISTRY_LOCKED') {
        throw new AirlockError('INSTALL_ROOT_LOCKED', error.message.replace('the registry is locked', `the install root ${session.layout.root} is locked`), {
          path: session.layout.lockFile,
          ...(error.details ? { details: error.details } : {}),
        });
      }
      throw error;
    }
  }

  /** Runs fn with the catalog that holds the journal's operation (another data folder's, if the root was installed from one). */
  private withRecordsFor<T>(dataDir: string, fn: (records: InstallRecords) => T): T {
    if (path.resolve(dataDir) === path.resolve(this.registry.dataDir)) return fn(this.records);
    const file = path.join(dataDir, CATALOG_FILE);
    if (!fs.existsSync(file)) return fn(this.records);
    const db = openCatalogDb(file);
    try {
      return fn(this.recordsOn(db));
    } finally {
      db.close();
    }
  }

  /**
   * Recovers a root this process holds the lock of: finishes or undoes the
   * journal's operation, marks operations a dead process left 'running', and
   * removes leftovers. Returns what it did, or null when nothing was in flight.
   */
  private recoverLocked(session: RootSession): RecoveryReport | null {
    const { layout } = session;
    const journal = readJournal(layout);
    let report: RecoveryReport | null = null;
    if (journal) report = this.recoverJournal(session, journal);
    // An operation row whose process died before its journal was written changed nothing.
    for (const op of this.runningOperations(layout.root)) {
      if (journal && op.id === journal.operationId) continue;
      const message = 'the process stopped before it changed anything; nothing to undo';
      this.records.finish(op.id, 'interrupted', {
        error: { code: 'INTERRUPTED', message },
        patch: { recovery: { action: 'rolled-back', message, at: this.clock().toISOString() } },
        event: { type: 'recovery.done', data: { operationId: op.id, action: 'nothing-to-undo', root: layout.root } },
      });
      const d = op.details;
      report ??= {
        operationId: op.id,
        type: op.type === 'rollback' ? 'rollback' : 'install',
        kind: (typeof d.kind === 'string' ? d.kind : 'fresh') as RecoveryReport['kind'],
        from: typeof d.from === 'string' ? d.from : null,
        to: typeof d.to === 'string' ? d.to : '',
        phase: 'started',
        action: 'rolled-back',
        restored: [],
        active: session.releaseSwitch.read(),
        message: `operation ${op.id} was interrupted before it changed anything; marked interrupted`,
      };
    }
    sweepRoot(session);
    return report;
  }

  private runningOperations(root: string): InstallOperationRow[] {
    const ids = this.records.db.prepare(`
      SELECT o.id FROM operations o JOIN install_operations i ON i.operation_id = o.id
      WHERE i.root = ? AND o.status = 'running' ORDER BY o.id`).all(root) as Array<{ id: number }>;
    return ids.map((r) => this.records.operation(r.id)!).filter(Boolean);
  }

  private recoverJournal(session: RootSession, journal: InstallJournal): RecoveryReport {
    const { layout } = session;
    const at = this.clock().toISOString();
    const base = { operationId: journal.operationId, type: journal.type, kind: journal.kind, from: journal.from, to: journal.to, phase: journal.phase };
    this.withRecordsFor(journal.dataDir, (records) => records.appendAudit('recovery.start', journal.operationId, { root: layout.root, phase: journal.phase, from: journal.from, to: journal.to }));
    if (journal.phase === 'committed' && journal.commit) {
      const notes = finishCommit(session, journal, () => {
        this.withRecordsFor(journal.dataDir, (records) => {
          const message = `the process stopped after the commit; recovery finished it: ${journal.to} is active with the migrated data`;
          records.finish(journal.operationId, 'interrupted', {
            error: { code: 'INTERRUPTED', message },
            patch: { recovery: { action: 'completed', phase: journal.phase, at, message } },
          });
          records.appendAudit('recovery.done', journal.operationId, { action: 'completed', active: journal.to, root: layout.root });
        });
      });
      return {
        ...base,
        action: 'completed',
        restored: [],
        active: journal.to,
        message: `${journal.type} ${journal.from ?? '(none)'} → ${journal.to} (operation ${journal.operationId}) had committed when it stopped; recovery finished it${notes.length ? ` (${notes.join('; ')})` : ''}: ${journal.to} is active with the new data`,
      };
    }
    const undo = undoOperation(session, journal, {
      restored: () => this.crash('recovery-restored'),
      switched: () => this.crash('recovery-switched'),
    });
    const restoredText = undo.restored.length
      ? `databases restored byte for byte (${undo.restored.map((r) => `${r.id} ${r.sha256 === null ? 'removed, it did not exist before' : `sha256 ${r.sha256.slice(0, 12)}…`}`).join(', ')})`
      : 'no database had been changed';
    const activeText = undo.active === null ? 'no release is active (it was a fresh install)' : `${undo.active} is active again`;
    const message = `${journal.type} ${journal.from ?? '(none)'} → ${journal.to} (operation ${journal.operationId}) stopped in phase "${journal.phase}"${journal.failure ? ` while undoing a failed ${journal.failure.step} (${journal.failure.code})` : ''}; recovery rolled it back: ${restoredText}; ${activeText}`;
    this.withRecordsFor(journal.dataDir, (records) => {
      records.finish(journal.operationId, 'interrupted', {
        error: { code: journal.failure?.code ?? 'INTERRUPTED', message },
        patch: {
          recovery: { action: 'rolled-back', phase: journal.phase, at, restored: undo.restored, active: undo.active, notes: undo.notes, message },
          ...(journal.failure ? { failedStep: journal.failure.step } : {}),
        },
      });
      for (const r of undo.restored) records.appendAudit('recovery.restore', journal.operationId, { database: r.id, sha256: r.sha256 });
      records.appendAudit('recovery.switch', journal.operationId, { active: undo.active });
      records.appendAudit('recovery.done', journal.operationId, { action: 'rolled-back', active: undo.active, root: layout.root });
    });
    return { ...base, action: 'rolled-back', restored: undo.restored, active: undo.active, message };
  }

  /** Recovers one root if nothing else holds it; null when nothing was in flight or another live process holds it. */
  async recover(root: string): Promise<RecoveryReport | null> {
    const session = this.session(root);
    if (!fs.existsSync(session.layout.stateDir)) return null;
    const lock = RegistryLock.tryAcquire(session.layout.lockFile, 'airlock recovery', this.lockDeps);
    if (!lock) return null;
    try {
      return this.recoverLocked(session);
    } finally {
      lock.release();
    }
  }

  /** Recovers every root this catalog has worked on (for commands that do not name a root). */
  async recoverAll(): Promise<RecoveryReport[]> {
    const out: RecoveryReport[] = [];
    for (const { root } of this.records.roots()) {
      const r = await this.recover(root);
      if (r) out.push(r);
    }
    return out;
  }

  // ---------------------------------------------------------------- reading releases

  private async readBlobVerified(digest: string, kitPath: string): Promise<Buffer> {
    let bytes: Buffer;
    try {
      bytes = await this.registry.store.read(digest);
    } catch (error) {
      if (error instanceof AirlockError && isErrno(error.cause, 'ENOENT')) {
        throw new AirlockError('KIT_DIGEST_MISMATCH', `the registry has lost its copy of ${kitPath} (blob ${digest} is missing); import the kit again`, { path: kitPath, details: { digest } });
      }
      throw error;
    }
    if (`sha256:${sha256Hex(bytes)}` !== digest) {
      throw new AirlockError('KIT_DIGEST_MISMATCH', `the registry's copy of ${kitPath} no longer matches its signed digest ${digest}; import the kit again`, { path: kitPath, details: { digest } });
    }
    return bytes;
  }

  private async loadRelease(name: string, version: string): Promise<LoadedRelease> {
    const detail = this.registry.catalog.detail(name, version);
    const manifest = parseKitManifest(await this.readBlobVerified(detail.manifestDigest, 'kit.json'));
    const files = payloadFiles(detail.files, manifest.payload ?? DEFAULT_PAYLOAD_PREFIX);
    return { detail, manifest, files };
  }

  private async loadMigrations(release: LoadedRelease): Promise<MigrationSource[]> {
    const out: MigrationSource[] = [];
    for (const m of release.detail.migrations) {
      const bytes = await this.readBlobVerified(m.digest, m.path);
      out.push({ id: m.id, database: m.database, path: m.path, sha256: sha256Hex(bytes), sql: bytes.toString('utf8'), markedDestructive: m.destructive });
    }
    return out;
  }

  // ---------------------------------------------------------------- plan

  /** The plan for installing name@version into root, without changing anything (after recovering the root). */
  async plan(name: string, version: string, root: string, options: PlanOptions = {}): Promise<InstallPlan> {
    const session = this.session(root);
    checkVersionName(version, 'NAME@VERSION');
    const lock = fs.existsSync(session.layout.stateDir) ? await this.lockRoot(session, `airlock install ${name}@${version} --plan-only`) : undefined;
    try {
      if (lock) this.recoverLocked(session);
      const release = await this.loadRelease(name, version);
      return await this.buildPlan(session, release, options);
    } finally {
      lock?.release();
    }
  }

  private keepFor(session: RootSession, keep: number | undefined): number {
    if (keep !== undefined) {
      if (!Number.isInteger(keep) || keep < 1) throw new AirlockError('USAGE', `--keep takes a whole number of releases, at least 1 (got ${keep})`, { field: '--keep' });
      return keep;
    }
    return readInstallConfig(session.layout).keep;
  }

  private async buildPlan(session: RootSession, release: LoadedRelease, options: PlanOptions): Promise<InstallPlan> {
    const { layout, releaseSwitch } = session;
    const { detail, manifest, files } = release;
    const blockers: PlanIssue[] = [];
    const warnings: PlanIssue[] = [];
    const state = readInstallState(layout);
    const active = releaseSwitch.read();
    const to = detail.version;
    const kind = kindOf(active, to);
    const keep = this.keepFor(session, options.keep);

    if (state && state.name !== detail.name) {
      blockers.push({ code: 'INSTALL_ROOT_INVALID', message: `${layout.root} holds ${state.name}, not ${detail.name}; give each app its own install root`, path: layout.root });
    } else if (!state && active !== null) {
      blockers.push({ code: 'INSTALL_ROOT_INVALID', message: `${layout.root} has an active release (${active}) but no ${layout.stateFile}; it was not set up by Airlock`, path: layout.stateFile });
    }
    const installedEntry = active !== null ? state?.releases.find((r) => r.version === active) : undefined;
    let installed: LoadedRelease | undefined;
    if (active !== null && this.registry.catalog.find(detail.name, active)) installed = await this.loadRelease(detail.name, active);

    // Upgrade rules.
    const path_ = checkUpgradePath(manifest.requires?.upgradeFrom, active, to);
    if (path_) blockers.push(issueOf(path_));
    if (kind === 'downgrade') {
      const verdict = downgradeAllowed(options.trustPolicy, detail.signer);
      if (!verdict.allowed) blockers.push(issueOf(downgradeError(active!, to, verdict.publisher, options.trustPolicy?.source ?? null)));
    }
    if (active !== null) {
      const installedSigner = installedEntry?.signerId ?? (installed ? signerId(installed.detail.signer) : undefined);
      if (installedSigner !== undefined) {
        const changed = publisherChanged(detail.name, { version: active, signerId: installedSigner }, { version: to, signerId: signerId(detail.signer) });
        if (changed) blockers.push(issueOf(changed));
      }
    }

    // Files, against the installed release.
    const finalDir = layout.releaseDir(to);
    let reuse = false;
    if (kind !== 'repair' && fs.existsSync(finalDir)) reuse = (await checkReleaseDir(finalDir, files)).length === 0;
    const added: string[] = [];
    const changed: string[] = [];
    const removed: string[] = [];
    let unchanged = 0;
    let basis: string;
    if (installed) {
      basis = `the catalog's record of the installed ${installed.detail.name}@${installed.detail.version}`;
      const before = new Map(installed.files.map((f) => [f.releasePath, f]));
      for (const f of files) {
        const b = before.get(f.releasePath);
        if (!b) added.push(f.releasePath);
        else if (b.digest !== f.digest || b.executable !== f.executable) changed.push(f.releasePath);
        else unchanged++;
        before.delete(f.releasePath);
      }
      removed.push(...before.keys());
    } else {
      basis = active === null ? 'nothing installed' : `the installed ${active} is not in this registry, so every file counts as added`;
      added.push(...files.map((f) => f.releasePath));
    }
    const bytes = files.reduce((n, f) => n + f.size, 0);

    // Databases and migrations.
    const databases = (manifest.databases ?? []).map((d) => {
      const file = layout.databaseFile(d.path);
      const st = fs.statSync(file, { throwIfNoEntry: false });
      return { id: d.id, path: d.path, file, exists: st !== undefined, sizeBytes: st?.size ?? 0 };
    });
    const migrations: PlanMigration[] = [];
    if (kind !== 'repair') {
      const sources = await this.loadMigrations(release);
      const applied = new Map(databases.map((d) => [d.id, new Map(readAppliedMigrations(d.file).map((a) => [a.id, a]))]));
      const lookups = new Map(databases.map((d) => [d.id, uniqueIndexLookup(d.file)]));
      const createdUnique = new Map<string, Set<string>>();
      for (const m of sources) {
        const created = createdUnique.get(m.database) ?? new Set<string>();
        createdUnique.set(m.database, created);
        const dbLookup = lookups.get(m.database) ?? (() => undefined);
        const analysis = analyzeMigration(m.sql, (ix) => (created.has(ix) ? true : dbLookup(ix)));
        for (const ix of analysis.createsUniqueIndexes) created.add(ix);
        const prior = applied.get(m.database)?.get(m.id);
        const action = prior ? 'skip' : 'apply';
        if (prior && prior.sha256 !== m.sha256) {
          blockers.push({
            code: 'MIGRATION_CHANGED',
            message: `migration ${m.id} was applied to database ${m.database} with sha256 ${prior.sha256} (by ${prior.kit} ${prior.version}); the kit's ${m.path} has sha256 ${m.sha256}`,
            path: m.path,
            details: { migration: m.id, database: m.database, appliedSha256: prior.sha256, kitSha256: m.sha256 },
          });
        }
        const forbidden = analysis.forbidden[0];
        if (action === 'apply' && forbidden) {
          blockers.push({ code: 'MIGRATION_FAILED', message: `migration ${m.id}: statement ${forbidden.statement} (line ${forbidden.line}) is ${forbidden.keyword}; Airlock runs each migration file in one transaction of its own`, path: m.path });
        }
        migrations.push({ id: m.id, database: m.database, path: m.path, sha256: m.sha256, markedDestructive: m.markedDestructive, findings: analysis.destructive, action, statements: analysis.statements.length });
      }
    }
    const toApply = migrations.filter((m) => m.action === 'apply');
    const destructiveMigrations = toApply.filter((m) => m.markedDestructive || m.findings.length > 0);
    const fromMajor = active === null ? null : semver.major(active);
    const majorBump = fromMajor === null || semver.major(to) > fromMajor;
    let permitted = destructiveMigrations.length > 0;
    for (const m of destructiveMigrations) {
      if (!m.markedDestructive) {
        permitted = false;
        blockers.push({
          code: 'MIGRATION_DESTRUCTIVE',
          message: `migration ${m.id} is not marked destructive but ${m.findings.map(describeFinding).join('; ')}`,
          path: m.path,
          details: { migration: m.id, findings: m.findings },
        });
      } else if (!majorBump) {
        permitted = false;
        blockers.push({
          code: 'MIGRATION_DESTRUCTIVE',
          message: `migration ${m.id} is destructive; destructive migrations need a major version above the installed one (${active} → ${to})`,
          path: m.path,
          details: { migration: m.id, findings: m.findings },
        });
      }
    }
    const dataAtStake = destructiveMigrations.some((m) => databases.find((d) => d.id === m.database)?.exists === true);
    const needsConfirmation = permitted && dataAtStake;
    if (needsConfirmation) {
      warnings.push({
        code: 'DESTRUCTIVE_MIGRATION',
        message: `destructive migration(s) ${destructiveMigrations.map((m) => m.id).join(', ')} will change existing data (${destructiveMigrations.flatMap((m) => m.findings.map(describeFinding)).join('; ') || 'marked destructive by the publisher'}); a backup is taken first`,
      });
    }

    // Preflight.
    const report = await this.preflightRun({ manifest, installRoot: layout.root, dataDir: this.registry.dataDir });
    if (report.verdict === 'fail') {
      const failing = report.checks.filter((c) => c.status === 'fail');
      blockers.push({ code: 'PREFLIGHT_FAILED', message: `preflight failed: ${failing.map((c) => `${c.title} (${c.observed}; needs ${c.expected})`).join('; ')}`, details: { checks: failing.map((c) => c.id) } });
    }
    for (const c of report.checks.filter((x) => x.status === 'warn')) {
      warnings.push({ code: 'PREFLIGHT_WARN', message: `preflight warning: ${c.title}: ${c.observed}${c.remedy ? ` — ${c.remedy}` : ''}`, details: { check: c.id } });
    }

    // Disk.
    const dbBytes = databases.reduce((n, d) => n + d.sizeBytes, 0);
    const neededBytes = (reuse ? 0 : bytes) + (kind === 'repair' ? 0 : dbBytes);
    const probed = existingAncestor(layout.root);
    let freeBytes: number | null;
    try {
      const s = this.statfs(probed);
      freeBytes = Number(s.bavail) * Number(s.bsize);
    } catch {
      freeBytes = null;
    }
    if (freeBytes !== null && freeBytes < neededBytes) {
      blockers.push({ code: 'INSUFFICIENT_SPACE', message: `${probed} has ${freeBytes} bytes free; the install needs ${neededBytes} (release files and database backups)`, path: probed, details: { freeBytes, neededBytes } });
    }

    // Retention after a successful install.
    const simulated = this.simulateCommitState(state, detail, kind, active, null, [], this.clock().toISOString()).state;
    const wouldPrune = releasesToPrune(simulated, to, keep).map((r) => r.version);

    return {
      schema: PLAN_SCHEMA,
      root: layout.root,
      name: detail.name,
      kind,
      from: active === null ? null : { version: active, sumsSha256: installedEntry?.sumsSha256 ?? installed?.detail.sumsSha256 ?? null },
      to: { name: detail.name, version: to, sumsSha256: detail.sumsSha256, channel: detail.channel, publisher: detail.publisher, trustPublisher: detail.trustPublisher, signer: detail.signer },
      files: { added, changed, removed, unchanged, total: files.length, bytes, basis, reuse },
      images: detail.images.map((i) => ({ ref: i.ref, digest: i.digest })),
      databases,
      migrations,
      destructive: { present: destructiveMigrations.length > 0, permitted, needsConfirmation },
      health: manifest.health ?? [],
      disk: { path: probed, neededBytes, freeBytes, basis: reuse ? 'database backups (the release folder is already present and verified)' : 'release files plus database backups' },
      preflight: { verdict: report.verdict, report },
      retention: { keep, wouldPrune },
      warnings,
      blockers,
    };
  }

  /** state.json as it will be once the operation commits, and what to delete then. */
  private simulateCommitState(
    state: InstallState | undefined,
    detail: ReleaseDetail,
    kind: InstallPlan['kind'] | 'rollback',
    from: string | null,
    operationId: number | null,
    backups: DatabaseBackupRecord[],
    now: string,
  ): { state: InstallState; cleanup: JournalCleanup } {
    const next: InstallState = state
      ? { ...state, dataDir: this.registry.dataDir, releases: state.releases.map((r) => ({ ...r })) }
      : { schema: STATE_SCHEMA, name: detail.name, dataDir: this.registry.dataDir, releases: [] };
    const cleanup: JournalCleanup = { releaseDirs: [], backupDirs: [] };
    const seq = nextActivationSeq(next);
    const to = detail.version;
    const fromEntry = from !== null && from !== to ? next.releases.find((r) => r.version === from) : undefined;
    if (fromEntry) {
      if (fromEntry.leftBackup && fromEntry.leftBackup.operationId !== operationId) cleanup.backupDirs.push(fromEntry.leftBackup.operationId);
      fromEntry.leftBackup = operationId === null ? null : { operationId, takenAt: now, databases: backups };
    } else if (operationId !== null && kind !== 'repair') {
      // Nothing was left (a fresh install): its safety backups have no release to belong to.
      cleanup.backupDirs.push(operationId);
    }
    let toEntry = next.releases.find((r) => r.version === to);
    if (!toEntry) {
      toEntry = { version: to, sumsSha256: detail.sumsSha256, signerId: signerId(detail.signer), trustPublisher: detail.trustPublisher, installedAt: now, activatedAt: now, activationSeq: seq, leftBackup: null };
      next.releases.push(toEntry);
    } else if (kind === 'repair') {
      toEntry.sumsSha256 = detail.sumsSha256;
      toEntry.installedAt = now;
    } else {
      if (toEntry.leftBackup) cleanup.backupDirs.push(toEntry.leftBackup.operationId);
      toEntry.leftBackup = null;
      toEntry.sumsSha256 = detail.sumsSha256;
      toEntry.signerId = signerId(detail.signer);
      toEntry.trustPublisher = detail.trustPublisher;
      if (kind !== 'rollback') toEntry.installedAt = now;
      toEntry.activatedAt = now;
      toEntry.activationSeq = seq;
    }
    return { state: next, cleanup };
  }

  // ---------------------------------------------------------------- install

  async install(name: string, version: string, root: string, options: InstallOptions): Promise<InstallResult> {
    const session = this.session(root);
    checkVersionName(version, 'NAME@VERSION');
    const rootExisted = fs.existsSync(session.layout.root);
    const lock = await this.lockRoot(session, options.command ?? `airlock install ${name}@${version}`);
    try {
      this.recoverLocked(session);
      const release = await this.loadRelease(name, version);
      const plan = await this.buildPlan(session, release, { ...(options.keep !== undefined ? { keep: options.keep } : {}), ...(options.trustPolicy ? { trustPolicy: options.trustPolicy } : {}) });
      if (plan.blockers.length > 0) throw this.refuse(plan, plan.blockers[0]!);
      const confirmation = await options.confirm(plan);
      if (!confirmation.proceed) throw new AirlockError('CANCELLED', 'the install was not confirmed; nothing was changed');
      if (plan.warnings.some((w) => w.code === 'PREFLIGHT_WARN') && confirmation.acknowledgeWarnings !== true) {
        throw new AirlockError('CANCELLED', 'the preflight warnings were not acknowledged; nothing was changed');
      }
      if (plan.destructive.needsConfirmation && confirmation.allowDestructive !== true) {
        const ids = plan.migrations.filter((m) => m.action === 'apply' && (m.markedDestructive || m.findings.length > 0)).map((m) => m.id);
        throw this.refuse(plan, {
          code: 'MIGRATION_DESTRUCTIVE',
          message: `migration(s) ${ids.join(', ')} are destructive and were not confirmed; run again with --allow-destructive and --yes, or confirm interactively`,
          details: { migrations: ids },
        });
      }
      return await this.runInstall(session, release, plan, confirmation, options);
    } finally {
      lock.release();
      removeUnusedRoot(session.layout, !rootExisted);
    }
  }

  /** Records a refused install (blocker) as a failed operation with its code, and returns the error to throw. */
  private refuse(plan: InstallPlan, issue: PlanIssue): AirlockError {
    const others = plan.blockers.filter((b) => b !== issue);
    const first = errorOfIssue(issue);
    const error = others.length === 0 ? first : new AirlockError(first.code, `${first.message} (also refused: ${others.map((b) => `${b.code}: ${b.message}`).join('; ')})`, {
      ...(first.path !== undefined ? { path: first.path } : {}),
      ...(first.field !== undefined ? { field: first.field } : {}),
      ...(first.details !== undefined ? { details: first.details } : {}),
    });
    const id = this.records.start({
      type: 'install',
      root: plan.root,
      name: plan.name,
      kind: plan.kind,
      from: plan.from?.version ?? null,
      to: plan.to.version,
      details: { release: `${plan.name}@${plan.to.version}`, root: plan.root, kind: plan.kind, from: plan.from?.version ?? null, to: plan.to.version, plan: planRecord(plan), preflight: plan.preflight.report },
      event: { type: 'install.plan', data: planAudit(plan) },
    });
    this.records.finish(id, 'failed', {
      error: { code: error.code, message: error.message },
      patch: { refused: plan.blockers.length > 0 ? plan.blockers : [issue], failedStep: 'plan' },
      event: { type: 'install.refused', data: { code: error.code, message: error.message } },
    });
    return new AirlockError(error.code, error.message, {
      ...(error.path !== undefined ? { path: error.path } : {}),
      ...(error.field !== undefined ? { field: error.field } : {}),
      details: { ...(error.details ?? {}), operationId: id, blockers: plan.blockers.length },
    });
  }

  private async runInstall(session: RootSession, release: LoadedRelease, plan: InstallPlan, confirmation: InstallConfirmation, options: InstallOptions): Promise<InstallResult> {
    const { layout, releaseSwitch } = session;
    const { detail, manifest, files } = release;
    const from = plan.from?.version ?? null;
    const to = plan.to.version;
    const opId = this.records.start({
      type: 'install',
      root: layout.root,
      name: detail.name,
      kind: plan.kind,
      from,
      to,
      details: {
        release: `${detail.name}@${to}`,
        root: layout.root,
        kind: plan.kind,
        from,
        to,
        plan: planRecord(plan),
        preflight: plan.preflight.report,
        confirmation: { how: confirmation.how ?? 'api', warningsAcknowledged: confirmation.acknowledgeWarnings === true, destructiveConfirmed: confirmation.allowDestructive === true },
        migrations: plan.migrations.map((m) => ({ id: m.id, database: m.database, sha256: m.sha256, outcome: m.action === 'skip' ? 'skipped' : 'pending' })),
      },
      event: { type: 'install.plan', data: planAudit(plan) },
    });
    const journal: InstallJournal = {
      schema: JOURNAL_SCHEMA,
      operationId: opId,
      type: 'install',
      kind: plan.kind,
      name: detail.name,
      dataDir: this.registry.dataDir,
      from,
      to,
      startedAt: this.clock().toISOString(),
      pid: process.pid,
      host: this.identity.host,
      phase: 'started',
      backups: [],
      release: { partial: null, aside: null, placed: false },
      restoring: null,
      commit: null,
      failure: null,
    };
    writeJournal(layout, journal);
    this.crash('install-journal-started');

    let step = 'backup';
    const migrationRecords = plan.migrations.map((m) => ({ id: m.id, database: m.database, sha256: m.sha256, outcome: m.action === 'skip' ? 'skipped' : 'pending' as string, backupSha256: null as string | null }));
    const outcomes: MigrationOutcome[] = [];
    let health: HealthResult[];
    const checkCancel = (): void => {
      if (options.signal?.aborted) throw new AirlockError('CANCELLED', `cancelled during the ${step} step`);
    };
    try {
      // 1. Back up every database the kit names (a repair changes no database).
      this.records.stepStarted(opId, 'backup');
      const backups: DatabaseBackupRecord[] = [];
      if (plan.kind !== 'repair') {
        for (const d of manifest.databases ?? []) {
          backups.push(await backupDatabase({ id: d.id, relPath: d.path, file: layout.databaseFile(d.path), backupFile: layout.backupFile(opId, d.id), stateDir: layout.stateDir }));
          this.crash('install-backup-written');
        }
      }
      journal.backups = backups;
      journal.phase = 'backed-up';
      writeJournal(layout, journal);
      for (const r of migrationRecords) r.backupSha256 = backups.find((b) => b.id === r.database)?.sha256 ?? null;
      this.records.stepEnded(opId, 'backup', plan.kind === 'repair' ? 'skipped' : 'succeeded', {
        detail: backups.map((b) => `${b.id}: ${b.state === 'absent' ? 'did not exist' : `sha256 ${b.sha256}`}`).join('; ') || 'no databases',
        patch: { backups: backups.map((b) => ({ database: b.id, path: b.path, state: b.state, sha256: b.sha256, size: b.size, file: b.file })), migrations: migrationRecords },
        event: { type: 'install.backup', data: { databases: backups.map((b) => ({ id: b.id, state: b.state, sha256: b.sha256, size: b.size })) } },
      });
      this.crash('install-backed-up');
      checkCancel();

      // 2. Materialize the release folder and check every digest.
      step = 'materialize';
      this.records.stepStarted(opId, 'materialize');
      const finalDir = layout.releaseDir(to);
      if (plan.files.reuse && (await checkReleaseDir(finalDir, files)).length === 0) {
        journal.phase = 'placed';
        writeJournal(layout, journal);
      } else {
        const partialName = layout.partialName(to, opId);
        journal.release.partial = partialName;
        writeJournal(layout, journal);
        await materializeRelease(this.registry.store, files, layout.path.join(layout.releasesDir, partialName), {
          afterFile: (_f, i) => {
            if (i === 0) this.crash('install-materialize-mid');
          },
          ...(options.signal ? { signal: options.signal } : {}),
        });
        journal.phase = 'materialized';
        writeJournal(layout, journal);
        this.crash('install-materialized');
        checkCancel();
        // Move it into place. A folder of that version already there (the
        // active one for a repair, or a damaged copy) is set aside, not deleted,
        // until the commit.
        const asideName = fs.existsSync(finalDir) ? layout.asideName(to, opId) : null;
        journal.release.aside = asideName;
        journal.release.placed = true;
        journal.phase = 'placing';
        writeJournal(layout, journal);
        this.crash('install-placing');
        if (asideName !== null) fs.renameSync(finalDir, layout.path.join(layout.releasesDir, asideName));
        fs.renameSync(layout.path.join(layout.releasesDir, partialName), finalDir);
        journal.release.partial = null;
        journal.phase = 'placed';
        writeJournal(layout, journal);
        this.crash('install-placed');
      }
      this.records.stepEnded(opId, 'materialize', 'succeeded', {
        detail: `${files.length} file(s), ${plan.files.bytes} bytes${plan.files.reuse ? ', present folder re-checked and reused' : ''}`,
        data: { files: files.length, bytes: plan.files.bytes, reused: plan.files.reuse },
        event: { type: 'install.materialize', data: { release: `${detail.name}@${to}`, dir: finalDir, files: files.map((f) => ({ path: f.releasePath, digest: f.digest, mode: f.executable ? '0755' : '0644' })), reused: plan.files.reuse } },
      });
      checkCancel();

      // 3. Migrations, in kit order, one transaction each.
      step = 'migrate';
      journal.phase = 'migrating';
      writeJournal(layout, journal);
      this.records.stepStarted(opId, 'migrate');
      const sources = plan.kind === 'repair' ? [] : await this.loadMigrations(release);
      // Already applied migrations are skipped by the runner itself, which re-checks their sha256.
      const toRun = sources;
      let i = 0;
      while (i < toRun.length) {
        const database = toRun[i]!.database;
        const group: MigrationSource[] = [];
        while (i < toRun.length && toRun[i]!.database === database) group.push(toRun[i++]!);
        const decl = manifest.databases?.find((d) => d.id === database);
        if (!decl) throw new AirlockError('KIT_MANIFEST_INVALID', `migration ${group[0]!.id} names database "${database}", which kit.json does not declare`, { field: 'migrations' });
        outcomes.push(...runMigrations({
          file: layout.databaseFile(decl.path),
          databaseId: database,
          migrations: group.map((g) => ({ id: g.id, database: g.database, path: g.path, sha256: g.sha256, sql: g.sql })),
          kit: detail.name,
          version: to,
          now: this.clock,
          betweenStatements: () => this.crash('install-migration-mid'),
          guard: (m, analysis) => {
            const src = group.find((g) => g.id === m.id)!;
            if (analysis.destructive.length === 0 && !src.markedDestructive) return;
            const allowed = src.markedDestructive && plan.destructive.permitted && (!plan.destructive.needsConfirmation || confirmation.allowDestructive === true);
            if (!allowed) {
              throw new AirlockError('MIGRATION_DESTRUCTIVE', `migration ${m.id} is destructive (${analysis.destructive.map(describeFinding).join('; ') || 'marked destructive'}) and was not permitted`, { path: m.path, details: { migration: m.id } });
            }
          },
          afterMigration: (o) => {
            const rec = migrationRecords.find((r) => r.id === o.id);
            if (rec) rec.outcome = o.outcome;
            this.records.update(opId, { migrations: migrationRecords }, { type: 'migration.apply', data: { id: o.id, database: o.database, sha256: o.sha256, statements: o.statements, outcome: o.outcome } });
            this.crash('install-migration-applied');
          },
        }));
      }
      for (const o of outcomes) {
        const rec = migrationRecords.find((r) => r.id === o.id);
        if (rec) rec.outcome = o.outcome;
      }
      this.records.stepEnded(opId, 'migrate', plan.kind === 'repair' ? 'skipped' : 'succeeded', {
        detail: `${outcomes.filter((o) => o.outcome === 'applied').length} applied, ${outcomes.filter((o) => o.outcome === 'skipped').length} skipped`,
        patch: { migrations: migrationRecords },
      });
      this.crash('install-migrated');
      checkCancel();

      // 4. Switch current.
      step = 'switch';
      this.records.stepStarted(opId, 'switch');
      releaseSwitch.activate(to);
      journal.phase = 'switched';
      writeJournal(layout, journal);
      this.records.stepEnded(opId, 'switch', 'succeeded', {
        detail: `current → releases/${to} (${releaseSwitch.strategy})`,
        event: { type: 'install.switch', data: { from, to, strategy: releaseSwitch.strategy } },
      });
      this.crash('install-switched');

      // 5. Health checks.
      step = 'health';
      this.records.stepStarted(opId, 'health');
      const checked = runHealthChecks(manifest, layout, finalDir);
      health = checked.results;
      const failed = health.find((h) => !h.ok);
      this.records.stepEnded(opId, 'health', failed ? 'failed' : 'succeeded', {
        detail: `${health.filter((h) => h.ok).length} of ${health.length} passed`,
        patch: { health },
        event: { type: 'install.health', data: { results: health.map((h) => ({ index: h.index, type: h.check.type, ok: h.ok, observed: h.observed })) } },
        ...(failed ? { error: { code: 'HEALTH_CHECK_FAILED', message: `${describeHealthCheck(failed)}: ${failed.observed}` } } : {}),
      });
      if (failed) {
        throw new AirlockError('HEALTH_CHECK_FAILED', `${describeHealthCheck(failed)} failed after switching to ${to}: ${failed.observed}`, { field: `health[${failed.index}]`, details: { results: health } });
      }
      journal.phase = 'verified';
      writeJournal(layout, journal);
      this.crash('install-verified');

      // 6. Commit.
      step = 'commit';
      this.records.stepStarted(opId, 'commit');
      const now = this.clock().toISOString();
      const state = readInstallState(layout);
      const sim = this.simulateCommitState(state, detail, plan.kind, from, plan.kind === 'repair' ? null : opId, backups, now);
      if (plan.kind === 'repair') {
        // A repair leaves the release's recorded backup alone.
        const entry = state?.releases.find((r) => r.version === to);
        const simEntry = sim.state.releases.find((r) => r.version === to);
        if (entry && simEntry) simEntry.leftBackup = entry.leftBackup;
        sim.cleanup.backupDirs = sim.cleanup.backupDirs.filter((op) => op !== opId);
      }
      if (journal.release.aside !== null) sim.cleanup.releaseDirs.push(journal.release.aside);
      const pruned = applyRetention(sim, to, plan.retention.keep);
      journal.commit = { state: sim.state, cleanup: sim.cleanup };
      journal.phase = 'committed';
      writeJournal(layout, journal);
      this.crash('install-committed');
      finishCommit(session, journal, () => {
        this.records.stepEnded(opId, 'commit', 'succeeded', { detail: prunedDetail(pruned) });
        this.records.finish(opId, 'succeeded', {
          patch: { pruned: pruned.map((p) => p.version), active: to },
          event: { type: 'install.commit', data: { active: to, from, sumsSha256: detail.sumsSha256, pruned: pruned.map((p) => p.version), leftBackup: from !== null && plan.kind !== 'repair' ? { release: from, operationId: opId } : null } },
        });
      }, {
        stateWritten: () => this.crash('install-state-written'),
        catalogCommitted: () => this.crash('install-catalog-committed'),
        cleaned: () => this.crash('install-cleaned'),
      });
      return {
        operationId: opId,
        kind: plan.kind,
        from,
        to,
        active: to,
        backups,
        migrations: outcomes.map((o) => ({ id: o.id, database: o.database, sha256: o.sha256, outcome: o.outcome })),
        health,
        pruned: pruned.map((p) => p.version),
        plan,
      };
    } catch (error) {
      throw this.failAndUndo(session, journal, step, error, migrationRecords);
    }
  }

  /** Undoes a failed operation and records it; returns the error to throw, naming the step and what was restored. */
  private failAndUndo(session: RootSession, journal: InstallJournal, step: string, error: unknown, migrationRecords?: Array<{ id: string; outcome: string }>): AirlockError {
    const info = errorInfo(error);
    const prefix = journal.type === 'install' ? 'install' : 'rollback';
    journal.failure = { step, code: info.code, message: info.message };
    try {
      this.records.failRunningSteps(journal.operationId, info);
      this.records.stepStarted(journal.operationId, 'rollback');
    } catch {
      // The record is secondary: the undo below must run whatever the catalog does.
    }
    const undo = undoOperation(session, journal, {
      rollingBack: () => this.crash('install-rolling-back'),
      restored: () => this.crash('install-undo-restored'),
    });
    if (migrationRecords) for (const r of migrationRecords) if (r.outcome === 'applied') r.outcome = 'rolled-back';
    const restoredText = undo.restored.length
      ? `the databases were restored byte for byte (${undo.restored.map((r) => `${r.id}: ${r.sha256 === null ? 'removed (did not exist before)' : `sha256 ${r.sha256}`}`).join(', ')})`
      : 'no database had been changed';
    const activeText = undo.active === null ? 'no release is active' : `${undo.active} is still active`;
    this.records.stepEnded(journal.operationId, 'rollback', 'succeeded', {
      detail: `${restoredText}; ${activeText}`,
      event: { type: `${prefix}.rollback`, data: { failedStep: step, code: info.code, restored: undo.restored, active: undo.active } },
    });
    this.records.finish(journal.operationId, 'failed', {
      error: info,
      patch: { failedStep: step, undo: { restored: undo.restored, active: undo.active, notes: undo.notes }, ...(migrationRecords ? { migrations: migrationRecords } : {}) },
      event: { type: `${prefix}.failed`, data: { failedStep: step, code: info.code, message: info.message } },
    });
    const base = error instanceof AirlockError ? error : undefined;
    return new AirlockError(base?.code ?? 'INTERNAL', `${info.message} — the ${step} step failed, so ${restoredText} and ${activeText} (operation ${journal.operationId})`, {
      ...(base?.path !== undefined ? { path: base.path } : {}),
      ...(base?.field !== undefined ? { field: base.field } : {}),
      cause: error,
      details: { ...(base?.details ?? {}), operationId: journal.operationId, failedStep: step, restored: undo.restored, active: undo.active },
    });
  }

  // ---------------------------------------------------------------- rollback

  async planRollback(root: string, options: { to?: string; keep?: number } = {}): Promise<RollbackPlan> {
    const session = this.session(root);
    const lock = fs.existsSync(session.layout.stateDir) ? await this.lockRoot(session, 'airlock rollback --plan-only') : undefined;
    try {
      if (lock) this.recoverLocked(session);
      return (await this.buildRollbackPlan(session, options)).plan;
    } finally {
      lock?.release();
    }
  }

  private async buildRollbackPlan(session: RootSession, options: { to?: string; keep?: number }): Promise<{ plan: RollbackPlan; target?: LoadedRelease; targetEntry?: RetainedRelease; current?: LoadedRelease }> {
    const { layout, releaseSwitch } = session;
    const state = fs.existsSync(layout.root) ? readInstallState(layout) : undefined;
    const active = fs.existsSync(layout.root) ? releaseSwitch.read() : null;
    const keep = this.keepFor(session, options.keep);
    const blockers: PlanIssue[] = [];
    const unavailable = (message: string, extra: Partial<PlanIssue> = {}): void => {
      blockers.push({ code: 'ROLLBACK_UNAVAILABLE', message, ...extra });
    };
    if (options.to !== undefined) checkVersionName(options.to, '--to');
    const base: RollbackPlan = { root: layout.root, name: state?.name ?? '', from: active ?? '', to: options.to ?? '', restore: null, backUp: [], health: [], retention: { keep, wouldPrune: [] }, blockers };
    if (!state || active === null) {
      unavailable(`nothing is installed in ${layout.root}`, { path: layout.root });
      return { plan: base };
    }
    const entry = options.to !== undefined ? state.releases.find((r) => r.version === options.to) : rollbackTarget(state, active);
    if (!entry) {
      const others = state.releases.filter((r) => r.version !== active).map((r) => r.version);
      unavailable(options.to !== undefined
        ? `${options.to} is not a retained release of ${layout.root} (retained: ${others.join(', ') || 'none besides the active one'})`
        : `no other release is retained in ${layout.root}; there is nothing to go back to`, { field: '--to' });
      return { plan: base };
    }
    base.to = entry.version;
    if (entry.version === active) {
      unavailable(`${entry.version} is already the active release`, { field: '--to' });
      return { plan: base };
    }
    if (!entry.leftBackup) {
      unavailable(`no database backup was recorded when ${entry.version} was left, so its data cannot be restored`);
    } else {
      base.restore = { operationId: entry.leftBackup.operationId, takenAt: entry.leftBackup.takenAt, databases: entry.leftBackup.databases };
      for (const d of entry.leftBackup.databases) {
        const problem = backupProblem(d, layout.stateDir);
        if (problem) unavailable(`${problem}; the data of ${entry.version} cannot be restored`, { path: layout.path.join(layout.stateDir, ...(d.file ?? '').split('/')) });
      }
    }
    let target: LoadedRelease | undefined;
    if (!this.registry.catalog.find(state.name, entry.version)) {
      unavailable(`${state.name}@${entry.version} is not in the registry at ${this.registry.dataDir}, so its files cannot be re-checked`);
    } else {
      target = await this.loadRelease(state.name, entry.version);
      const problems = await checkReleaseDir(layout.releaseDir(entry.version), target.files);
      if (problems.length > 0) {
        unavailable(`the release folder of ${entry.version} does not match the signed release: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`, { path: layout.releaseDir(entry.version) });
      }
      base.health = target.manifest.health ?? [];
    }
    let current: LoadedRelease | undefined;
    if (this.registry.catalog.find(state.name, active)) current = await this.loadRelease(state.name, active);
    const backUp = new Map<string, { id: string; path: string }>();
    for (const d of current?.manifest.databases ?? []) backUp.set(d.id, { id: d.id, path: d.path });
    for (const d of entry.leftBackup?.databases ?? []) if (!backUp.has(d.id)) backUp.set(d.id, { id: d.id, path: d.path });
    base.backUp = [...backUp.values()];
    if (target) {
      const sim = this.simulateCommitState(state, target.detail, 'rollback', active, 0, [], this.clock().toISOString()).state;
      base.retention.wouldPrune = releasesToPrune(sim, entry.version, keep).map((r) => r.version);
    }
    return { plan: base, ...(target ? { target } : {}), targetEntry: entry, ...(current ? { current } : {}) };
  }

  async rollback(root: string, options: RollbackOptions): Promise<RollbackResult> {
    const session = this.session(root);
    if (!fs.existsSync(session.layout.stateDir)) {
      throw new AirlockError('ROLLBACK_UNAVAILABLE', `nothing is installed in ${session.layout.root}`, { path: session.layout.root });
    }
    const lock = await this.lockRoot(session, options.command ?? 'airlock rollback');
    try {
      this.recoverLocked(session);
      const built = await this.buildRollbackPlan(session, { ...(options.to !== undefined ? { to: options.to } : {}), ...(options.keep !== undefined ? { keep: options.keep } : {}) });
      const plan = built.plan;
      if (plan.blockers.length > 0) {
        const b = plan.blockers[0]!;
        throw new AirlockError('ROLLBACK_UNAVAILABLE', plan.blockers.map((x) => x.message).join('; '), { ...(b.path ? { path: b.path } : {}), ...(b.field ? { field: b.field } : {}), details: { blockers: plan.blockers } });
      }
      const confirmation = await options.confirm(plan);
      if (!confirmation.proceed) throw new AirlockError('CANCELLED', 'the rollback was not confirmed; nothing was changed');
      return await this.runRollback(session, plan, built.target!, built.targetEntry!);
    } finally {
      lock.release();
    }
  }

  private async runRollback(session: RootSession, plan: RollbackPlan, target: LoadedRelease, entry: RetainedRelease): Promise<RollbackResult> {
    const { layout, releaseSwitch } = session;
    const leftBackup = entry.leftBackup as LeftBackup;
    const opId = this.records.start({
      type: 'rollback',
      root: layout.root,
      name: plan.name,
      kind: 'rollback',
      from: plan.from,
      to: plan.to,
      details: {
        release: `${plan.name}@${plan.to}`,
        root: layout.root,
        kind: 'rollback',
        from: plan.from,
        to: plan.to,
        rollback: { from: plan.from, to: plan.to, restoreFrom: { operationId: leftBackup.operationId, takenAt: leftBackup.takenAt, databases: leftBackup.databases.map((d) => ({ database: d.id, state: d.state, sha256: d.sha256 })) } },
      },
      event: { type: 'rollback.plan', data: { from: plan.from, to: plan.to, restoreFrom: leftBackup.operationId, databases: leftBackup.databases.map((d) => ({ id: d.id, state: d.state, sha256: d.sha256 })) } },
    });
    const journal: InstallJournal = {
      schema: JOURNAL_SCHEMA,
      operationId: opId,
      type: 'rollback',
      kind: 'rollback',
      name: plan.name,
      dataDir: this.registry.dataDir,
      from: plan.from,
      to: plan.to,
      startedAt: this.clock().toISOString(),
      pid: process.pid,
      host: this.identity.host,
      phase: 'started',
      backups: [],
      release: { partial: null, aside: null, placed: false },
      restoring: leftBackup,
      commit: null,
      failure: null,
    };
    writeJournal(layout, journal);
    this.crash('rollback-journal-started');
    let step = 'backup';
    try {
      this.records.stepStarted(opId, 'backup');
      const backups: DatabaseBackupRecord[] = [];
      for (const d of plan.backUp) {
        backups.push(await backupDatabase({ id: d.id, relPath: d.path, file: layout.databaseFile(d.path), backupFile: layout.backupFile(opId, d.id), stateDir: layout.stateDir }));
      }
      journal.backups = backups;
      journal.phase = 'backed-up';
      writeJournal(layout, journal);
      this.records.stepEnded(opId, 'backup', 'succeeded', {
        detail: backups.map((b) => `${b.id}: ${b.state === 'absent' ? 'did not exist' : `sha256 ${b.sha256}`}`).join('; ') || 'no databases',
        patch: { backups: backups.map((b) => ({ database: b.id, path: b.path, state: b.state, sha256: b.sha256, size: b.size, file: b.file })) },
        event: { type: 'rollback.backup', data: { databases: backups.map((b) => ({ id: b.id, state: b.state, sha256: b.sha256 })) } },
      });
      this.crash('rollback-backed-up');

      step = 'restore';
      this.records.stepStarted(opId, 'restore');
      journal.phase = 'restoring';
      writeJournal(layout, journal);
      const restored: Array<{ id: string; sha256: string | null }> = [];
      for (const d of leftBackup.databases) {
        restored.push({ id: d.id, sha256: restoreDatabase(d, layout.databaseFile(d.path), layout.stateDir).sha256 });
        this.crash('rollback-restore-mid');
      }
      this.records.stepEnded(opId, 'restore', 'succeeded', {
        detail: restored.map((r) => `${r.id}: ${r.sha256 === null ? 'removed' : `sha256 ${r.sha256}`}`).join('; ') || 'no databases',
        patch: { restored },
        event: { type: 'rollback.restore', data: { fromOperation: leftBackup.operationId, databases: restored } },
      });
      this.crash('rollback-restored');

      step = 'switch';
      this.records.stepStarted(opId, 'switch');
      releaseSwitch.activate(plan.to);
      journal.phase = 'switched';
      writeJournal(layout, journal);
      this.records.stepEnded(opId, 'switch', 'succeeded', { detail: `current → releases/${plan.to}`, event: { type: 'rollback.switch', data: { from: plan.from, to: plan.to, strategy: releaseSwitch.strategy } } });
      this.crash('rollback-switched');

      step = 'health';
      this.records.stepStarted(opId, 'health');
      const checked = runHealthChecks(target.manifest, layout, layout.releaseDir(plan.to));
      const failed = checked.results.find((h) => !h.ok);
      this.records.stepEnded(opId, 'health', failed ? 'failed' : 'succeeded', {
        detail: `${checked.results.filter((h) => h.ok).length} of ${checked.results.length} passed`,
        patch: { health: checked.results },
        event: { type: 'rollback.health', data: { results: checked.results.map((h) => ({ index: h.index, type: h.check.type, ok: h.ok, observed: h.observed })) } },
      });
      if (failed) throw new AirlockError('HEALTH_CHECK_FAILED', `${describeHealthCheck(failed)} failed after switching back to ${plan.to}: ${failed.observed}`, { field: `health[${failed.index}]` });
      journal.phase = 'verified';
      writeJournal(layout, journal);
      this.crash('rollback-verified');

      step = 'commit';
      this.records.stepStarted(opId, 'commit');
      const state = readInstallState(layout);
      const sim = this.simulateCommitState(state, target.detail, 'rollback', plan.from, opId, backups, this.clock().toISOString());
      const pruned = applyRetention(sim, plan.to, plan.retention.keep);
      journal.commit = { state: sim.state, cleanup: sim.cleanup };
      journal.phase = 'committed';
      writeJournal(layout, journal);
      this.crash('rollback-committed');
      finishCommit(session, journal, () => {
        this.records.stepEnded(opId, 'commit', 'succeeded', { detail: prunedDetail(pruned) });
        this.records.finish(opId, 'succeeded', {
          patch: { pruned: pruned.map((p) => p.version), active: plan.to },
          event: { type: 'rollback.commit', data: { active: plan.to, from: plan.from, pruned: pruned.map((p) => p.version), leftBackup: { release: plan.from, operationId: opId } } },
        });
        this.crash('rollback-catalog-committed');
      });
      return { operationId: opId, from: plan.from, to: plan.to, active: plan.to, restored, backups, health: checked.results, pruned: pruned.map((p) => p.version), plan };
    } catch (error) {
      throw this.failAndUndo(session, journal, step, error);
    }
  }

  // ---------------------------------------------------------------- status

  async status(root: string): Promise<InstallStatus> {
    const session = this.session(root);
    const { layout, releaseSwitch } = session;
    const keepOf = (): number => {
      try {
        return readInstallConfig(layout).keep;
      } catch {
        return DEFAULT_KEEP;
      }
    };
    if (!fs.existsSync(layout.root)) {
      return { root: layout.root, exists: false, name: null, active: null, switchStrategy: releaseSwitch.strategy, keep: keepOf(), releases: [], lastOperation: null, recovery: null, busy: null };
    }
    let recovery: RecoveryReport | null = null;
    let busy: LockHolder | null = null;
    if (fs.existsSync(layout.stateDir)) {
      const lock = RegistryLock.tryAcquire(layout.lockFile, 'airlock status', this.lockDeps);
      if (lock) {
        try {
          recovery = this.recoverLocked(session);
        } finally {
          lock.release();
        }
      } else {
        busy = RegistryLock.readHolder(layout.lockFile) ?? { pid: 0, host: 'unknown', command: 'unknown', startedAt: '' };
      }
    }
    const state = readInstallState(layout);
    const active = releaseSwitch.read();
    const target = rollbackTarget(state, active);
    const releases: StatusRelease[] = byRecency(state?.releases ?? []).map((r) => ({
      version: r.version,
      sumsSha256: r.sumsSha256,
      installedAt: r.installedAt,
      activatedAt: r.activatedAt,
      active: r.version === active,
      rollbackTarget: r.version === target?.version,
      dirPresent: fs.existsSync(layout.releaseDir(r.version)),
      leftBackup: r.leftBackup ? { ...r.leftBackup, databases: r.leftBackup.databases.map((d) => ({ ...d, problem: backupProblem(d, layout.stateDir) })) } : null,
    }));
    const last = this.records.lastOperation(layout.root);
    return {
      root: layout.root,
      exists: true,
      name: state?.name ?? null,
      active,
      switchStrategy: releaseSwitch.strategy,
      keep: keepOf(),
      releases,
      lastOperation: last ? statusOperation(last) : null,
      recovery,
      busy,
    };
  }
}

/** Removes folders below dir (and dir) that hold nothing but empty folders. */
function removeEmptyTree(dir: string): boolean {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return false;
  }
  let empty = true;
  for (const name of names) {
    const child = path.join(dir, name);
    if (!fs.lstatSync(child).isDirectory() || !removeEmptyTree(child)) empty = false;
  }
  if (empty) fs.rmdirSync(dir);
  return empty;
}

/**
 * A refused or undone first install leaves nothing behind: when the root has
 * no state.json and no journal, the empty folders the attempt created go
 * again (and the root itself, if the attempt created it).
 */
function removeUnusedRoot(layout: InstallLayout, createdRoot: boolean): void {
  try {
    if (fs.existsSync(layout.stateFile) || fs.existsSync(layout.journalFile) || fs.existsSync(layout.lockFile)) return;
    for (const dir of [layout.releasesDir, layout.dataDir, layout.backupsDir]) removeEmptyTree(dir);
    if (fs.existsSync(layout.stateDir) && fs.readdirSync(layout.stateDir).length === 0) fs.rmdirSync(layout.stateDir);
    if (createdRoot && fs.existsSync(layout.root) && fs.readdirSync(layout.root).length === 0) fs.rmdirSync(layout.root);
  } catch {
    // Only tidying: an empty folder left behind does no harm.
  }
}

function statusOperation(op: InstallOperationRow): StatusOperation {
  const d = op.details;
  const steps = Array.isArray(d.steps) ? (d.steps as StatusOperation['steps']) : [];
  const recovery = d.recovery && typeof d.recovery === 'object' ? (d.recovery as Record<string, unknown>) : null;
  return {
    id: op.id,
    type: op.type,
    status: op.status,
    kind: typeof d.kind === 'string' ? d.kind : null,
    from: typeof d.from === 'string' ? d.from : null,
    to: typeof d.to === 'string' ? d.to : null,
    startedAt: op.startedAt,
    endedAt: op.endedAt,
    error: op.errorCode ? { code: op.errorCode, message: op.errorMessage ?? '' } : null,
    failedStep: typeof d.failedStep === 'string' ? d.failedStep : null,
    steps: steps.map((s) => ({ name: s.name, outcome: s.outcome, startedAt: s.startedAt, endedAt: s.endedAt, ...(s.error ? { error: s.error } : {}) })),
    recovery: recovery
      ? {
          operationId: op.id,
          type: op.type === 'rollback' ? 'rollback' : 'install',
          kind: (typeof d.kind === 'string' ? d.kind : 'fresh') as RecoveryReport['kind'],
          from: typeof d.from === 'string' ? d.from : null,
          to: typeof d.to === 'string' ? d.to : '',
          phase: (typeof recovery.phase === 'string' ? recovery.phase : 'started') as RecoveryReport['phase'],
          action: recovery.action === 'completed' ? 'completed' : 'rolled-back',
          restored: Array.isArray(recovery.restored) ? (recovery.restored as RecoveryReport['restored']) : [],
          active: typeof recovery.active === 'string' ? recovery.active : null,
          message: typeof recovery.message === 'string' ? recovery.message : '',
        }
      : null,
  };
}

/** The plan as stored with the operation (the preflight report is stored beside it, whole). */
function planRecord(plan: InstallPlan): Record<string, unknown> {
  const { preflight, ...rest } = plan;
  return { ...rest, preflight: { verdict: preflight.verdict } };
}

function planAudit(plan: InstallPlan): Record<string, unknown> {
  return {
    release: `${plan.name}@${plan.to.version}`,
    kind: plan.kind,
    from: plan.from?.version ?? null,
    to: plan.to.version,
    sumsSha256: plan.to.sumsSha256,
    signer: plan.to.signer,
    root: plan.root,
    preflight: plan.preflight.verdict,
    migrations: plan.migrations.map((m) => ({ id: m.id, database: m.database, sha256: m.sha256, action: m.action, destructive: m.markedDestructive || m.findings.length > 0 })),
    blockers: plan.blockers.map((b) => b.code),
    warnings: plan.warnings.map((w) => w.code),
  };
}

/**
 * Retention at commit, the same for an install and a rollback: the releases
 * beyond `keep` leave the state, and their folders and backups are queued for
 * the journal's cleanup.
 */
function applyRetention(sim: { state: InstallState; cleanup: JournalCleanup }, active: string, keep: number): RetainedRelease[] {
  const pruned = releasesToPrune(sim.state, active, keep);
  for (const p of pruned) {
    sim.cleanup.releaseDirs.push(p.version);
    if (p.leftBackup) sim.cleanup.backupDirs.push(p.leftBackup.operationId);
  }
  sim.state.releases = sim.state.releases.filter((r) => !pruned.includes(r));
  return pruned;
}

function prunedDetail(pruned: readonly RetainedRelease[]): string {
  return pruned.length ? `pruned ${pruned.map((p) => p.version).join(', ')}` : 'nothing pruned';
}
