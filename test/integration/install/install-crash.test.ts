// Crash safety of install and rollback (issue: "after a SIGKILL at any
// instant, the next Airlock command finds the old release with the old data
// or the new release with the new data, never a mix, and says what it did").
// For every named point the real CLI runs in a child with AIRLOCK_CRASH_AT set,
// which SIGKILLs it there; then `airlock status` in a fresh process must
// report the recovery, and the root must be wholly old or wholly new.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_CRASH_POINTS, ROLLBACK_CRASH_POINTS } from '../../../electron/core/install/install-crash-points.ts';
import { InstallLayout } from '../../../electron/core/install/install-layout.ts';
import { readInstallState } from '../../../electron/core/install/install-state.ts';
import { checkReleaseDir, payloadFiles } from '../../../electron/core/install/release-materializer.ts';
import type { InstallStatus } from '../../../electron/core/install/install-types.ts';
import { Registry } from '../../../electron/core/registry/registry.ts';
import Database from 'better-sqlite3';
import { InstallService } from '../../../electron/core/install/install-service.ts';
import { APP, DB_PATH, HEALTH_V2, fakePreflightReport, makeInstallEnv, query, sha256OfFile, v1, v2, yes, type InstallEnv } from '../../helpers/install-fixtures.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const CLI = path.join(repo, 'bin', 'airlock.js');

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function cli(args: string[], crashAt?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.AIRLOCK_CRASH_AT;
    if (crashAt) env.AIRLOCK_CRASH_AT = crashAt;
    // Node's compile cache halves the start-up of the ~45 CLI processes this file runs.
    env.NODE_COMPILE_CACHE = path.join(work, 'node-compile-cache');
    const child = spawn(process.execPath, [CLI, ...args], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

let base: InstallEnv;
let work: string;
/** A copy of the data folder and install root with 1.0.0 installed (and user data written). */
let snapV1: string;
/** The same after upgrading to 1.1.0 (1.0.0 retained with its backup). */
let snapV2: string;
let shaV1: string;
let shaV2: string;

function addNote(dbFile: string, body: string): void {
  const db = new Database(dbFile);
  db.prepare('INSERT INTO notes (body) VALUES (?)').run(body);
  db.close();
}

function snapshot(name: string): string {
  const dir = path.join(work, name);
  fs.cpSync(base.dir, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

let copies = 0;
function copyOf(snap: string): { dir: string; root: string; dataDir: string; db: string } {
  const dir = path.join(work, `run-${++copies}`);
  fs.cpSync(snap, dir, { recursive: true, verbatimSymlinks: true });
  return { dir, root: path.join(dir, 'root'), dataDir: path.join(dir, 'data-dir'), db: path.join(dir, 'root', 'data', ...DB_PATH.split('/')) };
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-install-crash-'));
  base = await makeInstallEnv('airlock-install-crash-base-');
  await base.importVersion(v1());
  await base.importVersion(v2());
  // 1.2.0 passes every step up to its health check, which fails: the undo path.
  await base.importVersion({ ...v2(), version: '1.2.0', health: [...HEALTH_V2, { type: 'file', path: 'bin/not-shipped' }] });
  await base.service.install(APP, '1.0.0', base.root, { confirm: () => yes });
  addNote(base.dbFile(), 'user data under 1.0.0');
  shaV1 = sha256OfFile(base.dbFile());
  base.registry.close();
  snapV1 = snapshot('snap-v1');
  base.registry = await Registry.open(base.dataDir);
  await base.serviceWith({}).install(APP, '1.1.0', base.root, { confirm: () => yes });
  addNote(base.dbFile(), 'user data under 1.1.0');
  shaV2 = sha256OfFile(base.dbFile());
  base.registry.close();
  snapV2 = snapshot('snap-v2');
  base.registry = await Registry.open(base.dataDir);
}, 120_000);

afterAll(() => {
  base.close();
  fs.rmSync(work, { recursive: true, force: true });
});

async function statusAfter(run: { root: string; dataDir: string }): Promise<InstallStatus> {
  const r = await cli(['status', '--root', run.root, '--data-dir', run.dataDir, '--json']);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return (JSON.parse(r.stdout) as { status: InstallStatus }).status;
}

/** Asserts the root is wholly at `version` with that version's data, and nothing half-done is left. */
async function assertWhole(run: { root: string; dataDir: string; db: string }, version: '1.0.0' | '1.1.0', expectSha: string | null): Promise<void> {
  const layout = new InstallLayout(run.root);
  expect(fs.readlinkSync(layout.currentLink)).toBe(`releases/${version}`);
  expect(fs.existsSync(layout.journalFile)).toBe(false);
  const leftovers = fs.readdirSync(layout.releasesDir).filter((n) => n.includes('~'));
  expect(leftovers).toEqual([]);
  const state = readInstallState(layout)!;
  const registry = await Registry.open(run.dataDir);
  try {
    const detail = registry.show(APP, version);
    expect(await checkReleaseDir(layout.releaseDir(version), payloadFiles(detail.files, 'payload/'))).toEqual([]);
    expect(registry.catalog.operations().filter((o) => o.status === 'running')).toEqual([]);
  } finally {
    registry.close();
  }
  const migrations = query<{ id: string }>(run.db, 'SELECT id FROM airlock_migrations ORDER BY id').map((m) => m.id);
  if (version === '1.0.0') {
    expect(sha256OfFile(run.db)).toBe(expectSha);
    expect(migrations).toEqual(['0001_init']);
    expect(state.releases.map((r) => r.version)).toContain('1.0.0');
  } else {
    if (expectSha) expect(sha256OfFile(run.db)).toBe(expectSha);
    expect(migrations).toEqual(['0001_init', '0002_tags']);
    expect(query(run.db, 'SELECT count(*) AS n FROM tags')).toEqual([{ n: 20 }]);
    expect(query(run.db, "SELECT count(*) AS n FROM notes WHERE body = 'user data under 1.0.0' AND tag = 'tag-0'")).toEqual([{ n: 1 }]);
    expect(state.releases.find((r) => r.version === '1.1.0')).toBeTruthy();
  }
  for (const side of ['-journal', '-wal']) expect(fs.existsSync(run.db + side)).toBe(false);
}

async function installAgain(run: { root: string; dataDir: string; db: string }): Promise<void> {
  const registry = await Registry.open(run.dataDir);
  try {
    const service = new InstallService({ registry, preflight: async ({ manifest }) => fakePreflightReport('pass', manifest), identity: { actor: 'tester', host: 'test-host' } });
    const r = await service.install(APP, '1.1.0', run.root, { confirm: () => yes });
    expect(r.active).toBe('1.1.0');
  } finally {
    registry.close();
  }
  await assertWhole(run, '1.1.0', null);
}

/** Install points after which the commit had happened: recovery finishes it (the two last ones find the catalog already updated). */
const FORWARD = new Set(['install-committed', 'install-state-written', 'install-catalog-committed', 'install-cleaned']);
/** Points on the failure path (reached only when a step fails). */
const UNDO_PATH = new Set(['install-rolling-back', 'install-undo-restored']);

describe.concurrent('SIGKILL during an install, then recovery by the next command', () => {
  const points = INSTALL_CRASH_POINTS.filter((p) => !UNDO_PATH.has(p));
  it.each(points)('%s', async (point) => {
    const run = copyOf(snapV1);
    const r = await cli(['install', `${APP}@1.1.0`, '--root', run.root, '--data-dir', run.dataDir, '--yes', '--json'], point);
    expect(r.signal, `${point} was not reached: ${r.stdout}${r.stderr}`).toBe('SIGKILL');
    const status = await statusAfter(run);
    const forward = FORWARD.has(point);
    if (point === 'install-catalog-committed' || point === 'install-cleaned') {
      // The catalog had recorded success; recovery only tidied (or found nothing left to do).
      expect(status.lastOperation?.status).toBe('succeeded');
    } else {
      expect(status.recovery, JSON.stringify(status)).not.toBeNull();
      expect(status.recovery!.action).toBe(forward ? 'completed' : 'rolled-back');
      expect(status.recovery!.message).toContain(forward ? 'finished it' : 'rolled it back');
      expect(status.lastOperation?.status).toBe('interrupted');
      expect(status.lastOperation?.recovery?.action).toBe(forward ? 'completed' : 'rolled-back');
    }
    expect(status.active).toBe(forward ? '1.1.0' : '1.0.0');
    await assertWhole(run, forward ? '1.1.0' : '1.0.0', forward ? null : shaV1);
    // And the install can simply be run again (in this process: the recovery was the point).
    if (!forward) await installAgain(run);
    fs.rmSync(run.dir, { recursive: true, force: true });
  });

  it.each([...UNDO_PATH])('%s (while undoing a failed health check)', async (point) => {
    const run = copyOf(snapV1);
    const r = await cli(['install', `${APP}@1.2.0`, '--root', run.root, '--data-dir', run.dataDir, '--yes', '--json'], point);
    expect(r.signal, `${point} was not reached: ${r.stdout}${r.stderr}`).toBe('SIGKILL');
    const status = await statusAfter(run);
    expect(status.recovery?.action).toBe('rolled-back');
    expect(status.recovery?.message).toContain('while undoing a failed health');
    expect(status.lastOperation).toMatchObject({ status: 'interrupted', failedStep: 'health', error: { code: 'HEALTH_CHECK_FAILED' } });
    await assertWhole(run, '1.0.0', shaV1);
    fs.rmSync(run.dir, { recursive: true, force: true });
  });

  it('a crash during recovery itself is recovered by the command after it', async () => {
    const run = copyOf(snapV1);
    const r = await cli(['install', `${APP}@1.1.0`, '--root', run.root, '--data-dir', run.dataDir, '--yes'], 'install-migration-mid');
    expect(r.signal).toBe('SIGKILL');
    // Between two statements of 0002_tags: its transaction is open in a hot journal.
    expect(fs.existsSync(run.db + '-journal')).toBe(true);
    const first = await cli(['status', '--root', run.root, '--data-dir', run.dataDir, '--json'], 'recovery-restored');
    expect(first.signal).toBe('SIGKILL');
    const second = await cli(['status', '--root', run.root, '--data-dir', run.dataDir, '--json'], 'recovery-switched');
    expect(second.signal).toBe('SIGKILL');
    const status = await statusAfter(run);
    expect(status.recovery?.action).toBe('rolled-back');
    await assertWhole(run, '1.0.0', shaV1);
    fs.rmSync(run.dir, { recursive: true, force: true });
  });
});

// The rollback's own boundaries; the start (journal written, backups taken) is the same machinery as the install's.
const ROLLBACK_POINTS = ROLLBACK_CRASH_POINTS.filter((p) => p !== 'rollback-journal-started' && p !== 'rollback-verified');

describe.concurrent('SIGKILL during a rollback, then recovery by the next command', () => {
  it.each(ROLLBACK_POINTS)('%s', async (point) => {
    const run = copyOf(snapV2);
    const r = await cli(['rollback', '--root', run.root, '--data-dir', run.dataDir, '--yes', '--json'], point);
    expect(r.signal, `${point} was not reached: ${r.stdout}${r.stderr}`).toBe('SIGKILL');
    const status = await statusAfter(run);
    const forward = point === 'rollback-committed' || point === 'rollback-catalog-committed';
    if (point === 'rollback-catalog-committed') expect(status.lastOperation?.status).toBe('succeeded');
    else expect(status.recovery?.action).toBe(forward ? 'completed' : 'rolled-back');
    // Rolled back: 1.0.0 with the data it was left with. Undone: still 1.1.0 with its data.
    expect(status.active).toBe(forward ? '1.0.0' : '1.1.0');
    await assertWhole(run, forward ? '1.0.0' : '1.1.0', forward ? shaV1 : shaV2);
    fs.rmSync(run.dir, { recursive: true, force: true });
  });
});

describe('recovery by a command that does not name the root', () => {
  it('kit list after a crash in the middle of a migration rolls the install back first and says so', async () => {
    const run = copyOf(snapV1);
    const r = await cli(['install', `${APP}@1.1.0`, '--root', run.root, '--data-dir', run.dataDir, '--yes', '--json'], 'install-migration-mid');
    expect(r.signal).toBe('SIGKILL');
    const list = await cli(['kit', 'list', '--data-dir', run.dataDir, '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toMatch(/^airlock: recovered an interrupted install of 1\.1\.0: .*rolled it back/m);
    const doc = JSON.parse(list.stdout) as { ok: boolean; recovered: Array<{ action: string; to: string }> };
    expect(doc.ok).toBe(true);
    expect(doc.recovered).toHaveLength(1);
    expect(doc.recovered[0]).toMatchObject({ action: 'rolled-back', to: '1.1.0' });
    // Already recovered: status finds nothing more to do, and records what happened.
    const status = await statusAfter(run);
    expect(status.recovery).toBeNull();
    expect(status.lastOperation?.status).toBe('interrupted');
    await assertWhole(run, '1.0.0', shaV1);
    fs.rmSync(run.dir, { recursive: true, force: true });
  });
});
