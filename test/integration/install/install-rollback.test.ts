// Rollback to retained releases with the data they were left with, the
// refusals when that is not possible, retention, and status.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { InstallLayout } from '../../../electron/core/install/install-layout.ts';
import { readInstallState } from '../../../electron/core/install/install-state.ts';
import { AuditLog } from '../../../electron/core/evidence/audit-log.ts';
import { APP, makeInstallEnv, query, sha256OfFile, v1, v2, yes, type AppVersionSpec, type InstallEnv } from '../../helpers/install-fixtures.ts';

let env: InstallEnv;
beforeEach(async () => {
  env = await makeInstallEnv();
});
afterEach(() => env.close());

async function expectCode(p: Promise<unknown>, code: string): Promise<AirlockError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error, `expected ${code}`).toBeInstanceOf(AirlockError);
  expect((error as AirlockError).code, (error as Error).message).toBe(code);
  return error as AirlockError;
}

const current = (): string => fs.readlinkSync(path.join(env.root, 'current'));

function addNote(body: string): void {
  const db = new Database(env.dbFile());
  db.prepare('INSERT INTO notes (body) VALUES (?)').run(body);
  db.close();
}

describe('rollback', () => {
  it('returns to the previous release with the data it was left with, and forward again', async () => {
    await env.importVersion(v1());
    await env.importVersion(v2());
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    addNote('under 1.0.0');
    const leftV1 = sha256OfFile(env.dbFile());
    await env.service.install(APP, '1.1.0', env.root, { confirm: () => yes });
    addNote('under 1.1.0');
    const leftV2 = sha256OfFile(env.dbFile());

    const plan = await env.service.planRollback(env.root);
    expect([plan.from, plan.to, plan.blockers]).toEqual(['1.1.0', '1.0.0', []]);
    const back = await env.service.rollback(env.root, { confirm: () => yes });
    expect([back.from, back.to, back.active]).toEqual(['1.1.0', '1.0.0', '1.0.0']);
    expect(current()).toBe('releases/1.0.0');
    expect(sha256OfFile(env.dbFile())).toBe(leftV1);
    expect(query(env.dbFile(), 'SELECT body FROM notes ORDER BY id').map((r) => r.body)).toEqual(['first note; with a semicolon', 'second', 'under 1.0.0']);
    expect(back.health.every((h) => h.ok)).toBe(true);

    // 1.1.0 was left now, with its data backed up: rolling "back" to it restores that.
    const forward = await env.service.rollback(env.root, { to: '1.1.0', confirm: () => yes });
    expect(forward.active).toBe('1.1.0');
    expect(sha256OfFile(env.dbFile())).toBe(leftV2);

    const op = env.registry.catalog.operations('rollback').at(-1)!;
    expect(op.status).toBe('succeeded');
    expect((op.details.steps as Array<{ name: string }>).map((s) => s.name)).toEqual(['backup', 'restore', 'switch', 'health', 'commit']);
    const audit = new AuditLog(env.registry.catalog.db, { clock: () => new Date(), actor: 'x', host: 'y' });
    expect(audit.list({ operationId: op.id }).map((r) => r.type)).toEqual(['rollback.plan', 'rollback.backup', 'rollback.restore', 'rollback.switch', 'rollback.health', 'rollback.commit']);
    expect(audit.verify().ok).toBe(true);
  });

  it('refuses, with the reason, when the backup taken when the release was left is missing or corrupt', async () => {
    await env.importVersion(v1());
    await env.importVersion(v2());
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    await env.service.install(APP, '1.1.0', env.root, { confirm: () => yes });
    const state = readInstallState(new InstallLayout(env.root))!;
    const backup = path.join(env.root, '.airlock', state.releases.find((r) => r.version === '1.0.0')!.leftBackup!.databases[0]!.file!);
    const before = sha256OfFile(env.dbFile());

    fs.appendFileSync(backup, 'x');
    const corrupt = await expectCode(env.service.rollback(env.root, { confirm: () => yes }), 'ROLLBACK_UNAVAILABLE');
    expect(corrupt.message).toContain('is corrupt');
    fs.rmSync(backup);
    const missing = await expectCode(env.service.rollback(env.root, { confirm: () => yes }), 'ROLLBACK_UNAVAILABLE');
    expect(missing.message).toContain('is missing');
    expect(current()).toBe('releases/1.1.0');
    expect(sha256OfFile(env.dbFile())).toBe(before);
    const status = await env.service.status(env.root);
    expect(status.releases.find((r) => r.version === '1.0.0')?.leftBackup?.databases[0]?.problem).toContain('is missing');
  });

  it('refuses when the retained release folder no longer matches the signed release', async () => {
    await env.importVersion(v1());
    await env.importVersion(v2());
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    await env.service.install(APP, '1.1.0', env.root, { confirm: () => yes });
    // Same size, other bytes: only the digest can tell.
    fs.writeFileSync(path.join(env.root, 'releases', '1.0.0', 'bin', 'notes'), '#!/bin/sh\necho owned!!!!!!\n');
    const error = await expectCode(env.service.rollback(env.root, { confirm: () => yes }), 'ROLLBACK_UNAVAILABLE');
    expect(error.message).toContain('bin/notes has sha256');
    await expectCode(env.service.rollback(env.root, { to: '9.9.9', confirm: () => yes }), 'ROLLBACK_UNAVAILABLE');
  });

  it('a rollback whose health check fails puts the newer release and its data back', async () => {
    await env.importVersion(v1());
    await env.importVersion(v2());
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    await env.service.install(APP, '1.1.0', env.root, { confirm: () => yes });
    addNote('under 1.1.0');
    const before = sha256OfFile(env.dbFile());
    // 1.0.0's health check wants the notes table: a backup without it (re-recorded so it is
    // accepted as intact) lets the health check be the step that fails.
    const state = readInstallState(new InstallLayout(env.root))!;
    const backupFile = path.join(env.root, '.airlock', state.releases.find((r) => r.version === '1.0.0')!.leftBackup!.databases[0]!.file!);
    const db = new Database(backupFile);
    db.exec('DROP TABLE notes');
    db.close();
    const raw = JSON.parse(fs.readFileSync(path.join(env.root, '.airlock', 'state.json'), 'utf8')) as { releases: Array<{ version: string; leftBackup: { databases: Array<{ sha256: string; size: number }> } | null }> };
    const rec = raw.releases.find((r) => r.version === '1.0.0')!.leftBackup!.databases[0]!;
    rec.sha256 = sha256OfFile(backupFile);
    rec.size = fs.statSync(backupFile).size;
    fs.writeFileSync(path.join(env.root, '.airlock', 'state.json'), JSON.stringify(raw));

    const error = await expectCode(env.service.rollback(env.root, { confirm: () => yes }), 'HEALTH_CHECK_FAILED');
    expect(error.message).toContain('1.1.0 is still active');
    expect(current()).toBe('releases/1.1.0');
    expect(sha256OfFile(env.dbFile())).toBe(before);
    const op = env.registry.catalog.operations('rollback').at(-1)!;
    expect([op.status, op.details.failedStep]).toEqual(['failed', 'health']);
  });
});

describe('retention', () => {
  const version = (v: string): AppVersionSpec => ({ ...v2(), version: v, payload: { 'bin/notes': { data: `#!/bin/sh\necho ${v}\n`, mode: 0o755 } } });

  it('keeps the last 3 releases by default and prunes the oldest with its backup', async () => {
    await env.importVersion(v1());
    for (const v of ['1.1.0', '1.2.0', '1.3.0']) await env.importVersion(version(v));
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    await env.service.install(APP, '1.1.0', env.root, { confirm: () => yes });
    const firstBackupOp = readInstallState(new InstallLayout(env.root))!.releases.find((r) => r.version === '1.0.0')!.leftBackup!.operationId;
    await env.service.install(APP, '1.2.0', env.root, { confirm: () => yes });
    expect(fs.readdirSync(path.join(env.root, 'releases')).sort()).toEqual(['1.0.0', '1.1.0', '1.2.0']);
    const plan = await env.service.plan(APP, '1.3.0', env.root);
    expect(plan.retention).toEqual({ keep: 3, wouldPrune: ['1.0.0'] });
    const r = await env.service.install(APP, '1.3.0', env.root, { confirm: () => yes });
    expect(r.pruned).toEqual(['1.0.0']);
    expect(fs.readdirSync(path.join(env.root, 'releases')).sort()).toEqual(['1.1.0', '1.2.0', '1.3.0']);
    expect(fs.existsSync(path.join(env.root, '.airlock', 'backups', String(firstBackupOp)))).toBe(false);
    expect(readInstallState(new InstallLayout(env.root))!.releases.map((x) => x.version).sort()).toEqual(['1.1.0', '1.2.0', '1.3.0']);
    const status = await env.service.status(env.root);
    expect(status.releases.map((x) => [x.version, x.active, x.rollbackTarget])).toEqual([['1.3.0', true, false], ['1.2.0', false, true], ['1.1.0', false, false]]);
  });

  it('keep from .airlock/config.json (or --keep) never prunes the active release or the rollback target', async () => {
    await env.importVersion(v1());
    for (const v of ['1.1.0', '1.2.0']) await env.importVersion(version(v));
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    fs.writeFileSync(path.join(env.root, '.airlock', 'config.json'), JSON.stringify({ keep: 1 }));
    await env.service.install(APP, '1.1.0', env.root, { confirm: () => yes });
    expect(fs.readdirSync(path.join(env.root, 'releases')).sort()).toEqual(['1.0.0', '1.1.0']);
    const r = await env.service.install(APP, '1.2.0', env.root, { confirm: () => yes });
    expect(r.pruned).toEqual(['1.0.0']);
    expect(fs.readdirSync(path.join(env.root, 'releases')).sort()).toEqual(['1.1.0', '1.2.0']);
    const back = await env.service.rollback(env.root, { confirm: () => yes, keep: 5 });
    expect(back.active).toBe('1.1.0');
  });
});

describe('status', () => {
  it('shows the active release, retained ones and the last operation', async () => {
    const empty = await env.service.status(env.root);
    expect([empty.exists, empty.active, empty.releases]).toEqual([false, null, []]);
    await env.importVersion(v1());
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    const s = await env.service.status(env.root);
    expect([s.exists, s.name, s.active, s.switchStrategy, s.keep]).toEqual([true, APP, '1.0.0', 'symlink', 3]);
    expect(s.releases.map((r) => [r.version, r.active, r.dirPresent])).toEqual([['1.0.0', true, true]]);
    expect(s.lastOperation).toMatchObject({ type: 'install', status: 'succeeded', kind: 'fresh', to: '1.0.0' });
    expect(s.recovery).toBeNull();
  });
});
