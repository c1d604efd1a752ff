// What an install root remembers between operations (.airlock/state.json):
// the app it holds, the releases retained, and for each release the database
// backup taken when it was last left (what `rollback --to` restores). The
// active release itself is what `current` names (see release-switch.ts);
// state.json changes only when an operation commits, and during an operation
// the journal (install-journal.ts) says how to reach either side.
// .airlock/config.json holds the root's settings.
import fs from 'node:fs';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { readJsonSync, writeJsonAtomicSync } from './atomic-file.ts';
import type { DatabaseBackupRecord } from './database-backup.ts';
import type { InstallLayout } from './install-layout.ts';

export const STATE_SCHEMA = 'airlock.install-state/v1';
export const CONFIG_SCHEMA = 'airlock.install-config/v1';
export const DEFAULT_KEEP = 3;

export interface LeftBackup {
  /** The operation that took the backup (its files are in .airlock/backups/<operationId>/). */
  operationId: number;
  takenAt: string;
  databases: DatabaseBackupRecord[];
}

export interface RetainedRelease {
  version: string;
  /** Hex SHA-256 of the kit's SHA256SUMS: which build of this version. */
  sumsSha256: string;
  /** The signer identity KIT_PUBLISHER_CHANGED compares (key fingerprint or "subject|issuer"). */
  signerId: string;
  trustPublisher: string;
  installedAt: string;
  activatedAt: string;
  /** Grows by one at every activation in this root: orders releases by recency even when clocks tie. */
  activationSeq: number;
  /** The backup taken the last time this release stopped being the active one; null while active or never left. */
  leftBackup: LeftBackup | null;
}

export interface InstallState {
  schema: typeof STATE_SCHEMA;
  /** The kit name installed in this root; one app per root. */
  name: string;
  /** The Airlock data folder whose catalog holds this root's operations. */
  dataDir: string;
  releases: RetainedRelease[];
}

export interface InstallConfig {
  keep: number;
}

function invalid(file: string, why: string): AirlockError {
  return new AirlockError('INSTALL_ROOT_INVALID', `${file}: ${why}`, { path: file });
}

export function readInstallState(layout: InstallLayout): InstallState | undefined {
  const doc = readJsonSync(layout.stateFile) as Partial<InstallState> | undefined;
  if (doc === undefined) return undefined;
  if (doc.schema !== STATE_SCHEMA || typeof doc.name !== 'string' || typeof doc.dataDir !== 'string' || !Array.isArray(doc.releases)) {
    throw invalid(layout.stateFile, `not an ${STATE_SCHEMA} document`);
  }
  return doc as InstallState;
}

export function writeInstallState(layout: InstallLayout, state: InstallState): void {
  fs.mkdirSync(layout.stateDir, { recursive: true });
  writeJsonAtomicSync(layout.stateFile, state);
}

/** The root's settings; a missing file means the defaults. */
export function readInstallConfig(layout: InstallLayout): InstallConfig {
  const doc = readJsonSync(layout.configFile) as { keep?: unknown } | undefined;
  if (doc === undefined) return { keep: DEFAULT_KEEP };
  if (typeof doc !== 'object' || doc === null) throw invalid(layout.configFile, 'must hold a JSON object such as {"keep": 3}');
  if (doc.keep === undefined) return { keep: DEFAULT_KEEP };
  if (typeof doc.keep !== 'number' || !Number.isInteger(doc.keep) || doc.keep < 1) {
    throw new AirlockError('INSTALL_ROOT_INVALID', `${layout.configFile}: "keep" must be a whole number of releases, at least 1`, { path: layout.configFile, field: 'keep' });
  }
  return { keep: doc.keep };
}

/** Releases ordered from the most recently active to the least. */
export function byRecency(releases: readonly RetainedRelease[]): RetainedRelease[] {
  return [...releases].sort((a, b) => b.activationSeq - a.activationSeq);
}

export function nextActivationSeq(state: InstallState | undefined): number {
  return Math.max(0, ...(state?.releases ?? []).map((r) => r.activationSeq)) + 1;
}

/** The release `rollback` without --to goes back to: the most recently active one that is not active now. */
export function rollbackTarget(state: InstallState | undefined, active: string | null): RetainedRelease | undefined {
  return byRecency(state?.releases ?? []).find((r) => r.version !== active);
}

/**
 * Which retained releases to drop so that `keep` remain: the least recently
 * active go first; the active release and the rollback target are never
 * dropped, whatever `keep` says.
 */
export function releasesToPrune(state: InstallState, active: string | null, keep: number): RetainedRelease[] {
  const protect = new Set<string>();
  if (active !== null) protect.add(active);
  const target = rollbackTarget(state, active);
  if (target) protect.add(target.version);
  const ordered = byRecency(state.releases);
  const out: RetainedRelease[] = [];
  let kept = 0;
  for (const r of ordered) {
    if (protect.has(r.version) || kept < keep) {
      kept++;
      continue;
    }
    out.push(r);
  }
  return out;
}
