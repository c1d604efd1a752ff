// The operation journal (.airlock/journal.json): written atomically at each
// step boundary of an install or rollback, removed when the operation has
// fully ended. A journal found at start-up means a process stopped mid-way;
// it holds everything recovery needs to reach one side:
//  - phase "committed": the operation had succeeded; recovery finishes the
//    commit (state.json from `commitState`, cleanup) — new release, new data;
//  - any earlier phase: recovery undoes it (restores the databases from
//    `backups`, points current back at `from`, puts an set-aside release
//    folder back) — old release, old data.
import fs from 'node:fs';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { readJsonSync, writeJsonAtomicSync } from './atomic-file.ts';
import type { DatabaseBackupRecord } from './database-backup.ts';
import type { InstallLayout } from './install-layout.ts';
import type { InstallState, LeftBackup } from './install-state.ts';

export const JOURNAL_SCHEMA = 'airlock.install-journal/v1';

/**
 * In order. "backed-up": every backup is durable and recorded;
 * "placing": the new release folder is being moved into place;
 * "switched": current names the new release; "verified": health checks
 * passed; "rolling-back": a step failed and the undo is running;
 * "committed": the point of no return.
 */
export const JOURNAL_PHASES = ['started', 'backed-up', 'materialized', 'placing', 'placed', 'restoring', 'migrating', 'switched', 'verified', 'rolling-back', 'committed'] as const;
export type JournalPhase = (typeof JOURNAL_PHASES)[number];

export type OperationKind = 'fresh' | 'upgrade' | 'downgrade' | 'repair' | 'rollback';

export interface JournalRelease {
  /** Folder name under releases/ the files are written into, or null when an existing folder is reused. */
  partial: string | null;
  /** Folder name under releases/ the previous copy of the target folder is moved to, or null when there was none. */
  aside: string | null;
  /** True once the target folder may be this operation's (moved into place, or about to be). */
  placed: boolean;
}

export interface JournalCleanup {
  /** Folder names under releases/ to delete once committed. */
  releaseDirs: string[];
  /** Operation ids whose backup folders to delete once committed. */
  backupDirs: number[];
}

export interface InstallJournal {
  schema: typeof JOURNAL_SCHEMA;
  operationId: number;
  type: 'install' | 'rollback';
  kind: OperationKind;
  name: string;
  /** The data folder whose catalog holds the operation row. */
  dataDir: string;
  /** The release active before the operation; null when none was. */
  from: string | null;
  to: string;
  startedAt: string;
  pid: number;
  host: string;
  phase: JournalPhase;
  /** Backups of the databases taken before anything changed (empty for a repair). */
  backups: DatabaseBackupRecord[];
  release: JournalRelease;
  /** Rollback only: the target's backup being restored into data/. */
  restoring: LeftBackup | null;
  /** What state.json becomes at commit, and what to delete afterwards. */
  commit: { state: InstallState; cleanup: JournalCleanup } | null;
  /** Set when a step failed and the undo started. */
  failure: { step: string; code: string; message: string } | null;
}

export function readJournal(layout: InstallLayout): InstallJournal | undefined {
  const doc = readJsonSync(layout.journalFile) as Partial<InstallJournal> | undefined;
  if (doc === undefined) return undefined;
  if (doc.schema !== JOURNAL_SCHEMA || typeof doc.operationId !== 'number' || typeof doc.phase !== 'string' || !JOURNAL_PHASES.includes(doc.phase) || !Array.isArray(doc.backups)) {
    throw new AirlockError('INSTALL_ROOT_INVALID', `${layout.journalFile} is not an ${JOURNAL_SCHEMA} document; Airlock cannot tell how to finish the interrupted operation. Restore the databases from .airlock/backups by hand and remove the journal`, { path: layout.journalFile });
  }
  return doc as InstallJournal;
}

export function writeJournal(layout: InstallLayout, journal: InstallJournal): void {
  fs.mkdirSync(layout.stateDir, { recursive: true });
  writeJsonAtomicSync(layout.journalFile, journal);
}

export function removeJournal(layout: InstallLayout): void {
  fs.rmSync(layout.journalFile, { force: true });
}

export function phaseAtLeast(journal: Pick<InstallJournal, 'phase'>, phase: JournalPhase): boolean {
  return JOURNAL_PHASES.indexOf(journal.phase) >= JOURNAL_PHASES.indexOf(phase);
}
