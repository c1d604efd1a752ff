// The two ways out of an operation that did not end normally, shared by the
// in-process failure path (a migration or health check failed) and by the
// start-up recovery (the process was killed):
//  - undo: databases restored from the operation's backups (sha256 checked),
//    the release folder put back as it was, current pointed back at `from`;
//  - finish the commit: state.json written from the journal, leftovers removed.
// Both are idempotent: a crash in the middle of either is repaired by running
// it again from the same journal.
import fs from 'node:fs';
import { restoreDatabase, removeRestoreTemps } from './database-backup.ts';
import { ioError } from './atomic-file.ts';
import type { InstallCrashHook } from './install-crash-points.ts';
import { removeJournal, writeJournal, type InstallJournal, type JournalCleanup } from './install-journal.ts';
import { InstallLayout } from './install-layout.ts';
import { readInstallState, writeInstallState, type InstallState } from './install-state.ts';
import type { ReleaseSwitch } from './release-switch.ts';

export interface RootSession {
  layout: InstallLayout;
  releaseSwitch: ReleaseSwitch;
  crash: InstallCrashHook;
}

export interface UndoOutcome {
  restored: Array<{ id: string; sha256: string | null }>;
  active: string | null;
  notes: string[];
}

function removeDir(dir: string): boolean {
  if (!fs.existsSync(dir)) return false;
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    throw ioError(error, 'cannot remove a folder', dir);
  }
  return true;
}

/**
 * Returns the root to where it was before the journal's operation: old
 * release, old data. `hooks.restored` runs after the databases are back
 * (crash tests), before current is switched.
 */
export function undoOperation(session: RootSession, journal: InstallJournal, hooks: { rollingBack?: () => void; restored?: () => void; switched?: () => void } = {}): UndoOutcome {
  const { layout, releaseSwitch } = session;
  const notes: string[] = [];
  if (journal.phase !== 'rolling-back') {
    journal.phase = 'rolling-back';
    writeJournal(layout, journal);
  }
  hooks.rollingBack?.();
  const restored: UndoOutcome['restored'] = [];
  for (const b of journal.backups) {
    const file = layout.databaseFile(b.path);
    removeRestoreTemps(layout.path.dirname(file));
    const { sha256 } = restoreDatabase(b, file, layout.stateDir);
    restored.push({ id: b.id, sha256 });
  }
  hooks.restored?.();
  const rel = journal.release;
  if (rel.partial !== null && removeDir(layout.path.join(layout.releasesDir, rel.partial))) notes.push(`removed the unfinished release folder ${rel.partial}`);
  if (rel.placed) {
    const final = layout.releaseDir(journal.to);
    if (rel.aside !== null) {
      const aside = layout.path.join(layout.releasesDir, rel.aside);
      if (fs.existsSync(aside)) {
        removeDir(final);
        fs.renameSync(aside, final);
        notes.push(`put the previous folder of release ${journal.to} back`);
      }
    } else if (removeDir(final)) {
      notes.push(`removed the new release folder ${journal.to}`);
    }
  }
  const current = releaseSwitch.read();
  if (journal.from === null) {
    if (current !== null) releaseSwitch.clear();
  } else if (current !== journal.from || journal.from === journal.to) {
    releaseSwitch.activate(journal.from);
  }
  notes.push(...releaseSwitch.tidy());
  hooks.switched?.();
  removeDir(layout.backupDir(journal.operationId));
  removeJournal(layout);
  return { restored, active: journal.from, notes };
}

/** Deletes what a committed operation left to delete. */
export function cleanupCommitted(layout: InstallLayout, cleanup: JournalCleanup): string[] {
  const notes: string[] = [];
  for (const name of cleanup.releaseDirs) {
    if (removeDir(layout.path.join(layout.releasesDir, name))) notes.push(`removed release folder ${name}`);
  }
  for (const op of cleanup.backupDirs) {
    if (removeDir(layout.backupDir(op))) notes.push(`removed the backups of operation ${op}`);
  }
  return notes;
}

/**
 * Finishes a committed operation from its journal: state.json, the catalog
 * record (`recordCatalog`), then the cleanup, then the journal is removed.
 */
export function finishCommit(session: RootSession, journal: InstallJournal, recordCatalog: () => void, points: { stateWritten?: () => void; catalogCommitted?: () => void; cleaned?: () => void } = {}): string[] {
  const { layout, releaseSwitch } = session;
  const commit = journal.commit!;
  writeInstallState(layout, commit.state);
  points.stateWritten?.();
  if (releaseSwitch.read() !== journal.to) releaseSwitch.activate(journal.to);
  recordCatalog();
  points.catalogCommitted?.();
  const notes = cleanupCommitted(layout, commit.cleanup);
  notes.push(...releaseSwitch.tidy());
  points.cleaned?.();
  removeJournal(layout);
  return notes;
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Removes what no record refers to: release folders that are neither
 * retained nor active (including unfinished *~partial-* and *~aside-*
 * folders) and backup folders no retained release points at. Runs only when
 * no operation is in flight and state.json exists, so it never guesses.
 */
export function sweepRoot(session: RootSession): string[] {
  const { layout, releaseSwitch } = session;
  const state: InstallState | undefined = readInstallState(layout);
  if (!state) return [];
  const notes: string[] = [];
  const active = releaseSwitch.read();
  const keep = new Set(state.releases.map((r) => r.version));
  if (active !== null) keep.add(active);
  const names = listDir(layout.releasesDir);
  for (const name of names) {
    const entry = InstallLayout.classifyReleaseEntry(name);
    if (entry.kind === 'release' && keep.has(entry.version)) continue;
    if (entry.kind === 'other') continue;
    if (removeDir(layout.path.join(layout.releasesDir, name))) notes.push(`removed the leftover release folder ${name}`);
  }
  const referenced = new Set(state.releases.flatMap((r) => (r.leftBackup ? [String(r.leftBackup.operationId)] : [])));
  const backups = listDir(layout.backupsDir);
  for (const name of backups) {
    if (/^\d+$/.test(name) && !referenced.has(name) && removeDir(layout.path.join(layout.backupsDir, name))) notes.push(`removed the unreferenced backups of operation ${name}`);
  }
  notes.push(...releaseSwitch.tidy());
  return notes;
}
