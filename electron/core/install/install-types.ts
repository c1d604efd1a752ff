// What the install service returns: plain, JSON-able data that the CLI prints
// (text or --json) and the UI will receive over IPC.
import type { ErrorCode } from '../../../shared/error-catalog.ts';
import type { PreflightReport, PreflightVerdict } from '../../../shared/preflight.ts';
import type { SignerIdentity } from '../../../shared/kit-verification.ts';
import type { DatabaseBackupRecord } from './database-backup.ts';
import type { HealthCheck, HealthResult } from './health-checks.ts';
import type { JournalPhase, OperationKind } from './install-journal.ts';
import type { DestructiveFinding } from './migration-analysis.ts';
import type { SwitchStrategy } from './release-switch.ts';
import type { LockHolder } from '../registry/registry-lock.ts';

export const PLAN_SCHEMA = 'airlock.install-plan/v1';

/** Something that stops the operation (blocker) or needs the operator's acknowledgement (warning). */
export interface PlanIssue {
  code: ErrorCode | 'PREFLIGHT_WARN' | 'DESTRUCTIVE_MIGRATION';
  message: string;
  path?: string;
  field?: string;
  details?: Record<string, unknown>;
}

export interface PlanMigration {
  id: string;
  database: string;
  /** Kit path of the SQL file. */
  path: string;
  /** Hex sha256 of the SQL file. */
  sha256: string;
  /** kit.json marks it destructive. */
  markedDestructive: boolean;
  /** Destructive statements the SQL holds. */
  findings: DestructiveFinding[];
  /** "skip": already applied with the same sha256. */
  action: 'apply' | 'skip';
  statements: number;
}

export interface PlanDatabase {
  id: string;
  path: string;
  file: string;
  exists: boolean;
  sizeBytes: number;
}

export interface ReleaseFacts {
  name: string;
  version: string;
  sumsSha256: string;
  channel: string;
  publisher: string | null;
  trustPublisher: string;
  signer: SignerIdentity;
}

export interface InstallPlan {
  schema: typeof PLAN_SCHEMA;
  root: string;
  name: string;
  kind: Exclude<OperationKind, 'rollback'>;
  from: { version: string; sumsSha256: string | null } | null;
  to: ReleaseFacts;
  files: {
    /** Release-relative paths (payload prefix stripped). */
    added: string[];
    changed: string[];
    removed: string[];
    unchanged: number;
    total: number;
    bytes: number;
    /** What the comparison was made against. */
    basis: string;
    /** True when an already present, verified release folder will be used as it is. */
    reuse: boolean;
  };
  images: Array<{ ref: string; digest: string }>;
  databases: PlanDatabase[];
  migrations: PlanMigration[];
  destructive: {
    /** Some migration to apply is destructive (marked or found). */
    present: boolean;
    /** Marked destructive, major version above the installed one (or no data yet): may run once confirmed. */
    permitted: boolean;
    /** The operator must confirm the destructive migrations. */
    needsConfirmation: boolean;
  };
  health: HealthCheck[];
  disk: { path: string; neededBytes: number; freeBytes: number | null; basis: string };
  preflight: { verdict: PreflightVerdict; report: PreflightReport };
  retention: { keep: number; wouldPrune: string[] };
  /** Acknowledged by --yes or an interactive confirmation. */
  warnings: PlanIssue[];
  /** Any blocker refuses the install with its code. */
  blockers: PlanIssue[];
}

export interface InstallConfirmation {
  proceed: boolean;
  /** The operator read the preflight warnings (--yes counts in scripts). */
  acknowledgeWarnings?: boolean;
  /** The operator confirmed the destructive migrations (--allow-destructive with --yes, or interactively). */
  allowDestructive?: boolean;
  /** How the confirmation was given, for the record. */
  how?: string;
}

export interface InstallResult {
  operationId: number;
  kind: InstallPlan['kind'];
  from: string | null;
  to: string;
  active: string;
  backups: DatabaseBackupRecord[];
  migrations: Array<{ id: string; database: string; sha256: string; outcome: 'applied' | 'skipped' }>;
  health: HealthResult[];
  pruned: string[];
  plan: InstallPlan;
}

export interface RollbackPlan {
  root: string;
  name: string;
  from: string;
  to: string;
  /** The backup taken when the target was left, restored into data/. */
  restore: { operationId: number; takenAt: string; databases: DatabaseBackupRecord[] } | null;
  /** Backups of the current databases, taken first (they become the current release's "left" backup). */
  backUp: Array<{ id: string; path: string }>;
  health: HealthCheck[];
  retention: { keep: number; wouldPrune: string[] };
  blockers: PlanIssue[];
}

export interface RollbackResult {
  operationId: number;
  from: string;
  to: string;
  active: string;
  restored: Array<{ id: string; sha256: string | null }>;
  backups: DatabaseBackupRecord[];
  health: HealthResult[];
  pruned: string[];
  plan: RollbackPlan;
}

export interface RecoveryReport {
  operationId: number;
  type: 'install' | 'rollback';
  kind: OperationKind;
  from: string | null;
  to: string;
  /** The journal phase the process stopped in. */
  phase: JournalPhase;
  /** "rolled-back": old release and old data; "completed": the commit had happened, new release and new data. */
  action: 'rolled-back' | 'completed';
  restored: Array<{ id: string; sha256: string | null }>;
  active: string | null;
  /** One sentence for people. */
  message: string;
}

export interface StatusRelease {
  version: string;
  sumsSha256: string;
  installedAt: string;
  activatedAt: string;
  active: boolean;
  rollbackTarget: boolean;
  dirPresent: boolean;
  leftBackup: { operationId: number; takenAt: string; databases: Array<DatabaseBackupRecord & { problem: string | null }> } | null;
}

export interface StatusOperation {
  id: number;
  type: string;
  status: string;
  kind: string | null;
  from: string | null;
  to: string | null;
  startedAt: string;
  endedAt: string | null;
  error: { code: string; message: string } | null;
  failedStep: string | null;
  steps: Array<{ name: string; outcome: string; startedAt: string; endedAt: string | null; error?: { code: string; message: string } }>;
  recovery: RecoveryReport | null;
}

export interface InstallStatus {
  root: string;
  exists: boolean;
  name: string | null;
  active: string | null;
  switchStrategy: SwitchStrategy;
  keep: number;
  releases: StatusRelease[];
  lastOperation: StatusOperation | null;
  /** What the start-up recovery of this command did; null when nothing was in flight. */
  recovery: RecoveryReport | null;
  /** Another live process holds the root (recovery was left to it). */
  busy: LockHolder | null;
}
