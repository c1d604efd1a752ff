// Upgrade rules: destructive migrations, requires.upgradeFrom, downgrades,
// a changed publisher, and a damaged blob store.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { resolveTrustPolicy } from '../../../electron/core/trust/trust-policy.ts';
import {
  APP, V2_MIGRATIONS, makeInstallEnv, makePublisher, query, sha256OfFile, v1, v2, v3, yes, yesDestructive, type InstallEnv,
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

const current = (): string => fs.readlinkSync(path.join(env.root, 'current'));

async function installV2(): Promise<void> {
  await env.importVersion(v1());
  await env.importVersion(v2());
  await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
  await env.service.install(APP, '1.1.0', env.root, { confirm: () => yes });
}

describe('destructive migrations', () => {
  it('are refused without a major version bump, even when marked', async () => {
    await installV2();
    await env.importVersion({ ...v3(), version: '1.2.0' });
    const before = sha256OfFile(env.dbFile());
    const plan = await env.service.plan(APP, '1.2.0', env.root);
    expect(plan.destructive).toEqual({ present: true, permitted: false, needsConfirmation: false });
    expect(plan.migrations.find((m) => m.id === '0003_drop_tag')?.findings.map((f) => f.kind)).toEqual(['drop-column']);
    const error = await expectCode(env.service.install(APP, '1.2.0', env.root, { confirm: () => yesDestructive }), 'MIGRATION_DESTRUCTIVE');
    expect(error.message).toContain('major version');
    expect(sha256OfFile(env.dbFile())).toBe(before);
    expect(current()).toBe('releases/1.1.0');
  });

  it('are refused when not marked destructive, whatever the version', async () => {
    await installV2();
    const sneaky = v3();
    sneaky.migrations = [...V2_MIGRATIONS, { id: '0003_cleanup', sql: '-- tidy up; DROP TABLE in a comment is fine\nDELETE FROM tags;\n' }];
    await env.importVersion(sneaky);
    const error = await expectCode(env.service.install(APP, '2.0.0', env.root, { confirm: () => yesDestructive }), 'MIGRATION_DESTRUCTIVE');
    expect(error.message).toContain('not marked destructive');
    expect(error.message).toContain('deletes every row of tags');
    expect(query(env.dbFile(), 'SELECT count(*) AS n FROM tags')).toEqual([{ n: 20 }]);
  });

  it('run with a major bump only once the operator confirms', async () => {
    await installV2();
    await env.importVersion(v3());
    const plan = await env.service.plan(APP, '2.0.0', env.root);
    expect(plan.destructive).toEqual({ present: true, permitted: true, needsConfirmation: true });
    expect(plan.warnings.map((w) => w.code)).toEqual(['DESTRUCTIVE_MIGRATION']);
    const before = sha256OfFile(env.dbFile());
    await expectCode(env.service.install(APP, '2.0.0', env.root, { confirm: () => yes }), 'MIGRATION_DESTRUCTIVE');
    expect(sha256OfFile(env.dbFile())).toBe(before);
    const op = env.registry.catalog.operations('install').at(-1)!;
    expect([op.status, op.errorCode, op.details.failedStep]).toEqual(['failed', 'MIGRATION_DESTRUCTIVE', 'plan']);

    const r = await env.service.install(APP, '2.0.0', env.root, { confirm: () => yesDestructive });
    expect(r.migrations.find((m) => m.id === '0003_drop_tag')?.outcome).toBe('applied');
    expect(query<{ name: string }>(env.dbFile(), 'SELECT name FROM pragma_table_info(\'notes\')').map((c) => c.name)).toEqual(['id', 'body']);
    expect(current()).toBe('releases/2.0.0');
    const done = env.registry.catalog.operations('install').at(-1)!;
    expect(done.details.confirmation).toEqual({ how: 'test', warningsAcknowledged: true, destructiveConfirmed: true });
  });

  it('need no confirmation when there is no data yet (fresh install)', async () => {
    await env.importVersion(v3());
    const plan = await env.service.plan(APP, '2.0.0', env.root);
    expect(plan.destructive).toEqual({ present: true, permitted: true, needsConfirmation: false });
    const r = await env.service.install(APP, '2.0.0', env.root, { confirm: () => yes });
    expect(r.migrations.map((m) => m.outcome)).toEqual(['applied', 'applied', 'applied']);
  });
});

describe('upgrade paths and downgrades', () => {
  it('requires.upgradeFrom is enforced: UPGRADE_PATH_INVALID', async () => {
    await installV2();
    await env.importVersion({ ...v3(), upgradeFrom: '>=1.5.0 <2.0.0' });
    const error = await expectCode(env.service.install(APP, '2.0.0', env.root, { confirm: () => yesDestructive }), 'UPGRADE_PATH_INVALID');
    expect(error.field).toBe('requires.upgradeFrom');
    expect(error.message).toContain('1.1.0 is installed');
  });

  it('a downgrade is refused unless the trust policy allows it for the signer', async () => {
    await installV2();
    const refused = await expectCode(env.service.install(APP, '1.0.0', env.root, { confirm: () => yes }), 'KIT_DOWNGRADE');
    expect(refused.message).toContain('no trust policy');
    const keysOnly = await resolveTrustPolicy({ keyFiles: [env.publisher.publicPath] });
    await expectCode(env.service.install(APP, '1.0.0', env.root, { confirm: () => yes, trustPolicy: keysOnly }), 'KIT_DOWNGRADE');
    const policyFile = path.join(env.dir, 'policy.json');
    fs.writeFileSync(policyFile, JSON.stringify({ schema: 'airlock.trust-policy/v1', publishers: [{ name: 'notes-team', keys: [{ path: env.publisher.publicPath }], allowDowngrade: true }] }));
    const policy = await resolveTrustPolicy({ policyFile });
    const plan = await env.service.plan(APP, '1.0.0', env.root, { trustPolicy: policy });
    expect(plan.kind).toBe('downgrade');
    expect(plan.blockers).toEqual([]);
    const r = await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes, trustPolicy: policy });
    expect(r.kind).toBe('downgrade');
    expect(current()).toBe('releases/1.0.0');
  });

  it('KIT_PUBLISHER_CHANGED: a release of the same name from another signer is refused', async () => {
    await env.importVersion(v1());
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    const other = await makePublisher(env.dir, 'impostor');
    await env.importVersion(v2(), other);
    const error = await expectCode(env.service.install(APP, '1.1.0', env.root, { confirm: () => yes }), 'KIT_PUBLISHER_CHANGED');
    expect(error.message).toContain('was signed by');
    expect(current()).toBe('releases/1.0.0');
  });

  it('a root holds one app: another kit name is refused', async () => {
    await env.importVersion(v1());
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    await env.importVersion({ ...v1(), manifest: { name: 'other-app' } });
    await expectCode(env.service.install('other-app', '1.0.0', env.root, { confirm: () => yes }), 'INSTALL_ROOT_INVALID');
  });
});

describe('a damaged registry', () => {
  it('KIT_DIGEST_MISMATCH names the file whose blob changed, and nothing is switched', async () => {
    await env.importVersion(v1());
    await env.importVersion(v2());
    await env.service.install(APP, '1.0.0', env.root, { confirm: () => yes });
    const before = sha256OfFile(env.dbFile());
    const readme = env.registry.show(APP, '1.1.0').files.find((f) => f.path === 'payload/share/tags.txt')!;
    const blob = env.registry.store.blobPath(readme.digest);
    fs.chmodSync(blob, 0o644);
    fs.writeFileSync(blob, 'flipped bits\n');
    const error = await expectCode(env.service.install(APP, '1.1.0', env.root, { confirm: () => yes }), 'KIT_DIGEST_MISMATCH');
    expect(error.path).toBe('payload/share/tags.txt');
    expect(error.details?.failedStep).toBe('materialize');
    expect(sha256OfFile(env.dbFile())).toBe(before);
    expect(current()).toBe('releases/1.0.0');
    expect(fs.readdirSync(path.join(env.root, 'releases'))).toEqual(['1.0.0']);
  });
});
