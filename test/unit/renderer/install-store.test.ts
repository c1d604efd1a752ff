import { describe, expect, it } from 'vitest';
import type { IpcResult } from '../../../shared/ipc-contract.ts';
import { createAirlockClient } from '../../../renderer/api/airlock-client.ts';
import { createInstallStore, installHeldBy, logChanges, pendingSteps, type OperationStep } from '../../../renderer/stores/install-store.ts';
import { deferred, fail, fakeBridge, ok } from './fake-airlock.ts';

const RELEASE = { name: 'notes', version: '1.1.0' };
const DIGEST = 'ab'.repeat(32);

function plan(extra: { from?: string | null; warn?: string[]; blockers?: string[]; destructive?: boolean } = {}) {
  const warn = extra.warn ?? [];
  return {
    plan: {
      name: 'notes',
      kind: extra.from ? 'upgrade' : 'fresh',
      from: extra.from ? { version: extra.from, sumsSha256: null } : null,
      to: { version: '1.1.0' },
      preflight: { verdict: warn.length ? 'warn' : 'pass', report: { checks: warn.map((id) => ({ id, status: 'warn' })) } },
      warnings: [...warn.map(() => ({ code: 'PREFLIGHT_WARN', message: 'w' })), ...(extra.destructive ? [{ code: 'DESTRUCTIVE_MIGRATION', message: 'd' }] : [])],
      blockers: (extra.blockers ?? []).map((code) => ({ code, message: 'blocked' })),
      destructive: { present: extra.destructive ?? false, permitted: extra.destructive ?? false, needsConfirmation: extra.destructive ?? false },
    },
    planDigest: DIGEST,
  };
}

const step = (name: string, outcome: OperationStep['outcome'], extra: Partial<OperationStep> = {}): OperationStep => ({
  name, outcome, startedAt: outcome === 'pending' ? null : '2026-11-20T10:00:01.000Z', endedAt: null, detail: null, error: null, ...extra,
});

function setup(answers: Parameters<typeof fakeBridge>[0] = {}) {
  const bridge = fakeBridge(answers);
  let n = 0;
  const store = createInstallStore(createAirlockClient(bridge), () => `op_install_${++n}`);
  return { bridge, store };
}

describe('install store', () => {
  it('plans the release, carries the preflight acknowledgement when it covers every warning, and compares SBOM packages with the installed release', async () => {
    const diff = { from: { name: 'notes', version: '1.0.0' }, to: RELEASE, packages: { added: [], removed: [], changed: [], unchanged: 2 } };
    const { store, bridge } = setup({ 'install.plan': () => ok(plan({ from: '1.0.0', warn: ['network-isolation'] })), 'registry.diff': () => ok(diff) });
    await store.getState().loadPlan(RELEASE, ['network-isolation']);
    expect(bridge.calls.map((c) => c[0])).toEqual(['install.plan', 'registry.diff']);
    expect(bridge.calls[1]![1]).toEqual({ from: { name: 'notes', version: '1.0.0' }, to: RELEASE });
    expect(store.getState()).toMatchObject({ plan: { status: 'done' }, acknowledged: true, packages: { status: 'done', changes: { kind: 'diff', diff } } });

    // A warning not acknowledged before must be acknowledged here.
    bridge.answers.set('install.plan', () => ok(plan({ from: '1.0.0', warn: ['network-isolation', 'disk-root'] })));
    await store.getState().loadPlan(RELEASE, ['network-isolation']);
    expect(store.getState().acknowledged).toBe(false);
    expect(installHeldBy(store.getState())).toEqual(['Tick the acknowledgement of the preflight warnings.']);
  });

  it('shows a fresh install\'s packages from the release, and keeps a plan error (INSTALL_ROOT_UNSET) with its code', async () => {
    const { store, bridge } = setup({ 'install.plan': () => ok(plan()), 'registry.show': () => ok({ packages: [{}, {}, {}], sboms: [{}] }) });
    await store.getState().ensurePlan(RELEASE, []);
    await store.getState().ensurePlan(RELEASE, []);
    expect(bridge.calls.filter((c) => c[0] === 'install.plan')).toHaveLength(1);
    expect(store.getState().packages.changes).toEqual({ kind: 'fresh', packageCount: 3, sbomCount: 1 });
    bridge.answers.set('install.plan', () => fail('INSTALL_ROOT_UNSET'));
    await store.getState().loadPlan(RELEASE, []);
    expect(store.getState().plan).toMatchObject({ status: 'failed', error: { code: 'INSTALL_ROOT_UNSET', remedy: 'remedy for INSTALL_ROOT_UNSET' } });
    expect(installHeldBy(store.getState())).toEqual(['The plan is not ready.']);
  });

  it('holds the install while the plan has blockers or an unconfirmed destructive migration', async () => {
    const { store, bridge } = setup({ 'install.plan': () => ok(plan({ blockers: ['KIT_DOWNGRADE'] })), 'registry.show': () => ok({ packages: [], sboms: [] }) });
    await store.getState().loadPlan(RELEASE, []);
    expect(installHeldBy(store.getState())).toHaveLength(1);
    await store.getState().startInstall();
    expect(bridge.calls.map((c) => c[0])).not.toContain('install.run');

    bridge.answers.set('install.plan', () => ok(plan({ from: '1.0.0', destructive: true })));
    bridge.answers.set('registry.diff', () => ok({ packages: { added: [], removed: [], changed: [], unchanged: 0 } }));
    await store.getState().loadPlan(RELEASE, []);
    expect(installHeldBy(store.getState())).toEqual(['Tick the confirmation of the destructive migrations.']);
    store.getState().confirmDestructive(true);
    expect(installHeldBy(store.getState())).toEqual([]);
  });

  it('installs the confirmed plan by its digest, following only its own steps, and logs each step as it starts and ends', async () => {
    const answer = deferred<IpcResult<unknown>>();
    const { store, bridge } = setup({ 'install.plan': () => ok(plan({ from: '1.0.0', destructive: true, warn: ['network-isolation'] })), 'registry.diff': () => ok({}), 'install.run': () => answer.promise });
    await store.getState().loadPlan(RELEASE, ['network-isolation']);
    store.getState().confirmDestructive(true);
    const running = store.getState().startInstall();
    expect(bridge.calls.at(-1)).toEqual(['install.run', { release: RELEASE, operationId: 'op_install_1', planDigest: DIGEST, acknowledgeWarnings: true, allowDestructive: true }]);
    expect(store.getState().run).toMatchObject({ status: 'running', cancellable: true, steps: pendingSteps(['backup', 'materialize', 'migrate', 'switch', 'health', 'commit']) });

    bridge.emit('operation.steps', { operationId: 'op_someone_else', catalogOperationId: 99, steps: [step('backup', 'failed')], cancellable: false });
    expect(store.getState().run.steps[0]!.outcome).toBe('pending');
    const live = [step('backup', 'succeeded', { endedAt: '2026-11-20T10:00:02.000Z', detail: 'main: sha256 abc' }), step('materialize', 'running'), step('migrate', 'pending')];
    bridge.emit('operation.steps', { operationId: 'op_install_1', catalogOperationId: 7, steps: live, cancellable: true });
    expect(store.getState().run).toMatchObject({ catalogOperationId: 7, steps: live });
    expect(store.getState().run.log).toEqual([
      { time: '2026-11-20T10:00:02.000Z', step: 'backup', outcome: 'succeeded', detail: 'main: sha256 abc' },
      { time: '2026-11-20T10:00:01.000Z', step: 'materialize', outcome: 'running', detail: null },
    ]);

    const final = [step('backup', 'succeeded'), step('materialize', 'succeeded'), step('migrate', 'succeeded')];
    answer.resolve(ok({ operationId: 7, active: '1.1.0', steps: final }));
    await running;
    expect(store.getState().run).toMatchObject({ status: 'done', result: { active: '1.1.0' }, steps: final, cancellable: false });
    expect(store.getState().run.log.map((l) => `${l.step} ${l.outcome}`)).toEqual(['backup succeeded', 'materialize running', 'materialize succeeded', 'migrate succeeded']);
  });

  it('keeps a failed install\'s error and its recorded operation, and cancels only while it can', async () => {
    const answer = deferred<IpcResult<unknown>>();
    const { store, bridge } = setup({ 'install.plan': () => ok(plan()), 'registry.show': () => ok({ packages: [], sboms: [] }), 'install.run': () => answer.promise, 'operation.cancel': () => ok({ cancelled: false }) });
    await store.getState().loadPlan(RELEASE, []);
    const running = store.getState().startInstall();
    bridge.emit('operation.steps', { operationId: 'op_install_1', catalogOperationId: 12, steps: [step('backup', 'succeeded'), step('switch', 'running')], cancellable: false });
    await store.getState().cancelInstall();
    expect(bridge.calls.map((c) => c[0])).not.toContain('operation.cancel');

    bridge.emit('operation.steps', { operationId: 'op_install_1', catalogOperationId: 12, steps: [step('backup', 'succeeded')], cancellable: true });
    await store.getState().cancelInstall();
    await store.getState().cancelInstall();
    expect(bridge.calls.filter((c) => c[0] === 'operation.cancel')).toEqual([['operation.cancel', { operationId: 'op_install_1' }]]);
    expect(store.getState().run.log.slice(-2).map((l) => l.outcome)).toEqual(['requested-cancel', 'cancel-refused']);

    answer.resolve(fail('MIGRATION_FAILED', 'migration 0002 failed', { details: { operationId: 12, failedStep: 'migrate', active: '1.0.0' } }));
    await running;
    expect(store.getState().run).toMatchObject({ status: 'failed', catalogOperationId: 12, error: { code: 'MIGRATION_FAILED', details: { active: '1.0.0' } } });
  });

  it('logs a step once per change and skips steps that never ran', () => {
    const before = [step('backup', 'running'), step('switch', 'pending')];
    const after = [step('backup', 'succeeded', { endedAt: '2026-11-20T10:00:05.000Z' }), step('switch', 'skipped', { startedAt: null }), step('rollback', 'failed', { error: { code: 'BACKUP_FAILED', message: 'disk' } })];
    expect(logChanges(before, after)).toEqual([
      { time: '2026-11-20T10:00:05.000Z', step: 'backup', outcome: 'succeeded', detail: null },
      { time: '2026-11-20T10:00:01.000Z', step: 'rollback', outcome: 'failed', detail: 'BACKUP_FAILED: disk' },
    ]);
    expect(logChanges(after, after)).toEqual([]);
  });
});
