// Install and upgrade through the service against a real registry: the
// promise "an upgrade either completes or leaves you exactly where you were".
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { readInstallState } from '../../../electron/core/install/install-state.ts';
import { InstallLayout } from '../../../electron/core/install/install-layout.ts';
import { AuditLog } from '../../../electron/core/evidence/audit-log.ts';
import {
  APP, HEALTH_V2, V1_MIGRATIONS, V2_MIGRATIONS, makeInstallEnv, query, sha256OfFile, v1, v2, yes, type InstallEnv,
} from '../../helpers/install-fixtures.ts';

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

function currentTarget(): string {
  return fs.readlinkSync(path.join(env.root, 'current'));
}

describe('fresh install', () => {
  it('materializes the payload with its modes, creates the database, switches current and records every step', async () => {
    await env.importVersion(v1());
    const result = await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    expect(result.kind).toBe('fresh');
    expect(result.active).toBe('1.0.0');
    expect(currentTarget()).toBe('releases/1.0.0');
    const rel = path.join(env.root, 'releases', '1.0.0');
    expect(fs.readFileSync(path.join(rel, 'bin', 'notes'), 'utf8')).toContain('notes 1.0.0');
    expect(fs.statSync(path.join(rel, 'bin', 'notes')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(rel, 'share', 'README')).mode & 0o777).toBe(0o644);
    // Only the payload is installed: no kit.json or migrations in the release folder.
    expect(fs.readdirSync(rel).sort()).toEqual(['bin', 'share']);
    expect(query(env.dbFile(), 'SELECT body FROM notes ORDER BY id')).toEqual([{ body: 'first note; with a semicolon' }, { body: 'second' }]);
    expect(query(env.dbFile(), 'SELECT id, kit, version FROM airlock_migrations')).toEqual([{ id: '0001_init', kit: APP, version: '1.0.0' }]);
    expect(result.health.every((h) => h.ok)).toBe(true);

    const state = readInstallState(new InstallLayout(env.root))!;
    expect(state.name).toBe(APP);
    expect(state.releases.map((r) => r.version)).toEqual(['1.0.0']);
    expect(fs.existsSync(path.join(env.root, '.airlock', 'journal.json'))).toBe(false);
    // The fresh install's safety backup (of an absent database) is not kept.
    const backups = path.join(env.root, '.airlock', 'backups');
    expect(fs.existsSync(backups) ? fs.readdirSync(backups) : []).toEqual([]);

    const op = env.registry.catalog.operations('install').at(-1)!;
    expect(op.status).toBe('succeeded');
    expect((op.details.steps as Array<{ name: string; outcome: string }>).map((s) => [s.name, s.outcome])).toEqual([
      ['backup', 'succeeded'], ['materialize', 'succeeded'], ['migrate', 'succeeded'], ['switch', 'succeeded'], ['health', 'succeeded'], ['commit', 'succeeded'],
    ]);
    expect((op.details.preflight as { verdict: string }).verdict).toBe('pass');
    expect(op.details.release).toBe(`${APP}@1.0.0`);

    const audit = new AuditLog(env.registry.catalog.db, { clock: () => new Date(), actor: 'x', host: 'y' });
    const types = audit.list({ operationId: op.id }).map((r) => r.type);
    expect(types).toEqual(['install.plan', 'install.backup', 'install.materialize', 'migration.apply', 'install.switch', 'install.health', 'install.commit']);
    expect(audit.verify().ok).toBe(true);
    const materialize = audit.list({ operationId: op.id }).find((r) => r.type === 'install.materialize')!;
    expect(JSON.stringify(materialize.data)).toContain('sha256:');
  });

  it('plans without changing anything and names what it would do', async () => {
    await env.importVersion(v1());
    const plan = await env.service.plan(APP, '1.0.0', env.root);
    expect(plan.kind).toBe('fresh');
    expect(plan.from).toBeNull();
    expect(plan.files.added.sort()).toEqual(['bin/notes', 'share/README', 'share/only-in-v1.txt']);
    expect(plan.migrations.map((m) => [m.id, m.action, m.statements])).toEqual([['0001_init', 'apply', 3]]);
    expect(plan.preflight.verdict).toBe('pass');
    expect(plan.blockers).toEqual([]);
    expect(plan.disk.neededBytes).toBeGreaterThan(0);
    expect(fs.existsSync(env.root)).toBe(false);
  });

  it('a fresh install that is refused leaves no trace in the root', async () => {
    await env.importVersion(v1());
    env.preflightVerdict = 'fail';
    await expectCode(env.service.install(APP, '1.0.0', env.root, { confirm: () => yes }), 'PREFLIGHT_FAILED');
    expect(fs.existsSync(env.root)).toBe(false);
    const op = env.registry.catalog.operations('install').at(-1)!;
    expect([op.status, op.errorCode]).toEqual(['failed', 'PREFLIGHT_FAILED']);
    expect((op.details.preflight as { verdict: string }).verdict).toBe('fail');
  });

  it('preflight warnings need an acknowledgement', async () => {
    await env.importVersion(v1());
    env.preflightVerdict = 'warn';
    const plan = await env.service.plan(APP, '1.0.0', env.root);
    expect(plan.warnings.map((w) => w.code)).toEqual(['PREFLIGHT_WARN']);
    await expectCode(env.service.install(APP, '1.0.0', env.root, { confirm: () => ({ proceed: true }) }), 'CANCELLED');
    expect(fs.existsSync(env.root)).toBe(false);
    const r = await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    expect(r.active).toBe('1.0.0');
  });
});

describe('a kit without databases or health checks', () => {
  it('installs, upgrades and rolls back with files only', async () => {
    const plain = (version: string): Parameters<InstallEnv['importVersion']>[0] => ({ version, payload: { 'bin/tool': { data: `#!/bin/sh\necho ${version}\n`, mode: 0o755 } }, manifest: { databases: [] } });
    await env.importVersion(plain('0.1.0'));
    await env.importVersion(plain('0.2.0'));
    await env.service.install(APP, '0.1.0', env.root, { confirm: () => yes });
    const up = await env.service.install(APP, '0.2.0', env.root, { confirm: () => yes });
    expect([up.kind, up.backups, up.migrations, up.health]).toEqual(['upgrade', [], [], []]);
    const back = await env.service.rollback(env.root, { confirm: () => yes });
    expect([back.active, back.restored]).toEqual(['0.1.0', []]);
    expect(fs.readFileSync(path.join(env.root, 'current', 'bin', 'tool'), 'utf8')).toContain('0.1.0');
    expect(fs.existsSync(path.join(env.root, 'data'))).toBe(false);
  });
});

describe('upgrade', () => {
  it('v1 → v2 with an additive migration keeps the data', async () => {
    await env.importVersion(v1());
    await env.importVersion(v2());
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    // The app writes its own data while v1 runs.
    const db = (await import('better-sqlite3')).default;
    const conn = new db(env.dbFile());
    conn.prepare('INSERT INTO notes (body) VALUES (?)').run('written by the user under 1.0.0');
    conn.close();

    const plan = await env.service.plan(APP, '1.1.0', env.root);
    expect(plan.kind).toBe('upgrade');
    expect(plan.from?.version).toBe('1.0.0');
    expect(plan.files.added).toEqual(['share/tags.txt']);
    expect(plan.files.changed.sort()).toEqual(['bin/notes', 'share/README']);
    expect(plan.files.removed).toEqual(['share/only-in-v1.txt']);
    expect(plan.migrations.map((m) => [m.id, m.action])).toEqual([['0001_init', 'skip'], ['0002_tags', 'apply']]);
    expect(plan.destructive.present).toBe(false);

    const before = sha256OfFile(env.dbFile());
    const result = await env.service.install(APP, '1.1.0', env.root, { confirm: () => yes });
    expect(result.kind).toBe('upgrade');
    expect(currentTarget()).toBe('releases/1.1.0');
    expect(query(env.dbFile(), 'SELECT body, tag FROM notes ORDER BY id')).toEqual([
      { body: 'first note; with a semicolon', tag: 'tag-0' },
      { body: 'second', tag: 'tag-0' },
      { body: 'written by the user under 1.0.0', tag: 'tag-0' },
    ]);
    expect(query(env.dbFile(), 'SELECT count(*) AS n FROM tags')).toEqual([{ n: 20 }]);
    expect(result.migrations.map((m) => [m.id, m.outcome])).toEqual([['0001_init', 'skipped'], ['0002_tags', 'applied']]);
    // The backup taken before the upgrade is 1.0.0's "left" backup, byte-identical to the database then.
    const state = readInstallState(new InstallLayout(env.root))!;
    const left = state.releases.find((r) => r.version === '1.0.0')!.leftBackup!;
    expect(left.operationId).toBe(result.operationId);
    expect(left.databases[0]!.sha256).toBe(before);
    expect(sha256OfFile(path.join(env.root, '.airlock', left.databases[0]!.file!))).toBe(before);
    // Both releases are retained; 1.0.0 is still on disk for a rollback.
    expect(fs.existsSync(path.join(env.root, 'releases', '1.0.0', 'share', 'only-in-v1.txt'))).toBe(true);
  });

  it('a failing migration leaves the database sha256 unchanged and v1 active', async () => {
    await env.importVersion(v1());
    const broken = v2();
    broken.migrations = [...V1_MIGRATIONS, { id: '0002_tags', sql: 'ALTER TABLE notes ADD COLUMN tag TEXT;\nCREATE TABLE tags (name TEXT PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n' }];
    await env.importVersion(broken);
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    const before = sha256OfFile(env.dbFile());
    const error = await expectCode(env.service.install(APP, '1.1.0', env.root, { confirm: () => yes }), 'MIGRATION_FAILED');
    expect(error.message).toContain('statement 3');
    expect(error.message).toContain('1.0.0 is still active');
    expect(error.details?.failedStep).toBe('migrate');
    expect(sha256OfFile(env.dbFile())).toBe(before);
    expect(currentTarget()).toBe('releases/1.0.0');
    expect(fs.existsSync(path.join(env.root, 'releases', '1.1.0'))).toBe(false);
    expect(fs.readdirSync(path.join(env.root, 'releases'))).toEqual(['1.0.0']);
    expect(fs.existsSync(path.join(env.root, '.airlock', 'journal.json'))).toBe(false);
    const op = env.registry.catalog.operations('install').at(-1)!;
    expect([op.status, op.errorCode, op.details.failedStep]).toEqual(['failed', 'MIGRATION_FAILED', 'migrate']);
    const steps = op.details.steps as Array<{ name: string; outcome: string; error?: { code: string } }>;
    expect(steps.find((s) => s.name === 'migrate')).toMatchObject({ outcome: 'failed', error: { code: 'MIGRATION_FAILED' } });
    expect(steps.at(-1)).toMatchObject({ name: 'rollback', outcome: 'succeeded' });
    // Only 1.0.0's state survives: 1.1.0 was never committed.
    expect(readInstallState(new InstallLayout(env.root))!.releases.map((r) => r.version)).toEqual(['1.0.0']);
  });

  it('a failing health check rolls back', async () => {
    await env.importVersion(v1());
    const sick = v2();
    sick.health = [...HEALTH_V2, { type: 'sql', database: 'main', query: 'SELECT count(*) FROM notes', expect: { equals: 99 } }];
    await env.importVersion(sick);
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    const before = sha256OfFile(env.dbFile());
    const error = await expectCode(env.service.install(APP, '1.1.0', env.root, { confirm: () => yes }), 'HEALTH_CHECK_FAILED');
    expect(error.message).toContain('health[3]');
    expect(sha256OfFile(env.dbFile())).toBe(before);
    expect(currentTarget()).toBe('releases/1.0.0');
    const op = env.registry.catalog.operations('install').at(-1)!;
    expect([op.status, op.errorCode, op.details.failedStep]).toEqual(['failed', 'HEALTH_CHECK_FAILED', 'health']);
    const migrations = op.details.migrations as Array<{ id: string; outcome: string }>;
    expect(migrations.find((m) => m.id === '0002_tags')?.outcome).toBe('rolled-back');
  });

  it('re-installing the same version is a repair: files re-materialized and checked, no migration', async () => {
    await env.importVersion(v1());
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    const readme = path.join(env.root, 'releases', '1.0.0', 'share', 'README');
    fs.writeFileSync(readme, 'tampered');
    fs.writeFileSync(path.join(env.root, 'releases', '1.0.0', 'extra.txt'), 'not from the kit');
    const before = sha256OfFile(env.dbFile());
    const plan = await env.service.plan(APP, '1.0.0', env.root);
    expect(plan.kind).toBe('repair');
    expect(plan.migrations).toEqual([]);
    const r = await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    expect(r.kind).toBe('repair');
    expect(fs.readFileSync(readme, 'utf8')).toBe('notes 1.0.0\n');
    expect(fs.existsSync(path.join(env.root, 'releases', '1.0.0', 'extra.txt'))).toBe(false);
    expect(sha256OfFile(env.dbFile())).toBe(before);
    expect(fs.readdirSync(path.join(env.root, 'releases'))).toEqual(['1.0.0']);
    expect(currentTarget()).toBe('releases/1.0.0');
  });

  it('MIGRATION_CHANGED: an applied migration whose SQL changed is refused before anything is touched', async () => {
    await env.importVersion(v1());
    const edited = v2();
    edited.migrations = [{ id: '0001_init', sql: V1_MIGRATIONS[0]!.sql + '-- edited after release\n' }, V2_MIGRATIONS[1]!];
    await env.importVersion(edited);
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    const before = sha256OfFile(env.dbFile());
    const plan = await env.service.plan(APP, '1.1.0', env.root);
    expect(plan.blockers.map((b) => b.code)).toEqual(['MIGRATION_CHANGED']);
    const error = await expectCode(env.service.install(APP, '1.1.0', env.root, { confirm: () => yes }), 'MIGRATION_CHANGED');
    expect(error.path).toBe('migrations/0001_init.sql');
    expect(sha256OfFile(env.dbFile())).toBe(before);
    expect(currentTarget()).toBe('releases/1.0.0');
  });
});
