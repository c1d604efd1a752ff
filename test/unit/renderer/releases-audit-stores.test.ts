// The Releases, Audit, evidence and settings stores: each calls only its
// channels, with handles and digests main handed out, and keeps errors as
// payloads with their codes.
import { describe, expect, it } from 'vitest';
import type { IpcResult } from '../../../shared/ipc-contract.ts';
import { createAirlockClient } from '../../../renderer/api/airlock-client.ts';
import { AUDIT_PAGE_SIZE, createAuditStore, pageCount } from '../../../renderer/stores/audit-store.ts';
import { createEvidenceStore, evidenceEntry } from '../../../renderer/stores/evidence-store.ts';
import { createReleasesStore } from '../../../renderer/stores/releases-store.ts';
import { createSettingsStore } from '../../../renderer/stores/settings-store.ts';
import { deferred, fail, fakeBridge, ok } from './fake-airlock.ts';

const DIGEST = 'cd'.repeat(32);
const rollbackPlan = (blockers: string[] = []) => ({ plan: { from: '1.1.0', to: '1.0.0', blockers: blockers.map((code) => ({ code, message: 'no' })) }, planDigest: DIGEST });

describe('releases store', () => {
  it('plans a rollback for the dialog, then runs it with the plan\'s digest and reloads the list', async () => {
    const answer = deferred<IpcResult<unknown>>();
    const bridge = fakeBridge({ 'releases.list': () => ok({ status: { active: '1.1.0' }, history: [] }), 'rollback.plan': () => ok(rollbackPlan()), 'rollback.run': () => answer.promise });
    const store = createReleasesStore(createAirlockClient(bridge), () => 'op_rollback_1');
    await store.getState().load();
    await store.getState().askRollback('1.0.0');
    expect(store.getState()).toMatchObject({ rollbackTarget: '1.0.0', rollbackPlan: { status: 'done' } });
    const running = store.getState().confirmRollback();
    expect(bridge.calls.at(-1)).toEqual(['rollback.run', { to: '1.0.0', operationId: 'op_rollback_1', planDigest: DIGEST }]);
    // The dialog closes as the rollback starts; it cannot be closed into a second one while it runs.
    expect(store.getState()).toMatchObject({ rollbackTarget: null, rollback: { status: 'running', steps: [{ name: 'backup', outcome: 'pending' }, {}, {}, {}, {}] } });
    await store.getState().askRollback('1.0.0');
    expect(store.getState().rollbackTarget).toBeNull();
    bridge.emit('operation.steps', { operationId: 'op_rollback_1', catalogOperationId: 5, steps: [{ name: 'backup', outcome: 'running', startedAt: 't', endedAt: null, detail: null, error: null }], cancellable: false });
    expect(store.getState().rollback).toMatchObject({ catalogOperationId: 5, steps: [{ name: 'backup', outcome: 'running' }] });
    bridge.answers.set('releases.list', () => ok({ status: { active: '1.0.0' }, history: [] }));
    answer.resolve(ok({ operationId: 5, active: '1.0.0', steps: [] }));
    await running;
    expect(store.getState()).toMatchObject({ rollback: { status: 'done', result: { active: '1.0.0' } }, list: { value: { status: { active: '1.0.0' } } } });
  });

  it('does not run a rollback its plan refuses, and keeps the error of one that failed', async () => {
    const bridge = fakeBridge({ 'rollback.plan': () => ok(rollbackPlan(['ROLLBACK_UNAVAILABLE'])), 'releases.list': () => ok({}) });
    const store = createReleasesStore(createAirlockClient(bridge), () => 'op_rollback_2');
    await store.getState().askRollback('1.0.0');
    await store.getState().confirmRollback();
    expect(bridge.calls.map((c) => c[0])).not.toContain('rollback.run');
    store.getState().closeRollback();
    expect(store.getState().rollbackTarget).toBeNull();

    bridge.answers.set('rollback.plan', () => ok(rollbackPlan()));
    bridge.answers.set('rollback.run', () => fail('HEALTH_CHECK_FAILED', 'health[0]', { details: { operationId: 9 } }));
    await store.getState().askRollback('1.0.0');
    await store.getState().confirmRollback();
    expect(store.getState().rollback).toMatchObject({ status: 'failed', catalogOperationId: 9, error: { code: 'HEALTH_CHECK_FAILED' } });
  });
});

describe('audit store', () => {
  it('checks the chain and pages its records, newest first', async () => {
    const bridge = fakeBridge({
      'audit.status': () => ok({ ok: true, count: 60, head: { seq: 60, hash: 'a'.repeat(64) }, firstBadSeq: null, reason: null }),
      'audit.list': (req) => ok({ records: [], total: 60, page: (req as { page: number }).page, pageSize: AUDIT_PAGE_SIZE }),
    });
    const store = createAuditStore(createAirlockClient(bridge));
    await store.getState().load();
    await store.getState().showPage(2);
    expect(bridge.calls).toEqual([['audit.status', {}], ['audit.list', { page: 0, pageSize: 25 }], ['audit.list', { page: 2, pageSize: 25 }]]);
    expect(store.getState()).toMatchObject({ pageIndex: 2, status: { value: { ok: true } }, page: { value: { page: 2 } } });
    expect(pageCount(60, 25)).toBe(3);
    expect(pageCount(0, 25)).toBe(1);
    bridge.answers.set('audit.status', () => fail('IO_ERROR'));
    await store.getState().load();
    expect(store.getState().status).toMatchObject({ status: 'failed', error: { code: 'IO_ERROR' } });
  });
});

describe('evidence and settings stores', () => {
  it('exports an operation\'s evidence once at a time and opens its folder by handle', async () => {
    const answer = deferred<IpcResult<unknown>>();
    const bridge = fakeBridge({ 'evidence.export': () => answer.promise, 'evidence.openFolder': () => fail('UNAVAILABLE') });
    const store = createEvidenceStore(createAirlockClient(bridge));
    const exporting = store.getState().exportFor(7);
    await store.getState().exportFor(7);
    expect(bridge.calls).toEqual([['evidence.export', { operation: 7 }]]);
    answer.resolve(ok({ handle: `ev_${'1'.repeat(32)}`, folder: '/data/evidence/operation-7-install-notes-1.0.0' }));
    await exporting;
    expect(evidenceEntry(store.getState(), 7)).toMatchObject({ status: 'done', result: { folder: '/data/evidence/operation-7-install-notes-1.0.0' } });
    expect(evidenceEntry(store.getState(), 8).status).toBe('idle');
    await store.getState().openFolder(7);
    expect(bridge.calls.at(-1)).toEqual(['evidence.openFolder', { handle: `ev_${'1'.repeat(32)}` }]);
    expect(evidenceEntry(store.getState(), 7).openError?.code).toBe('UNAVAILABLE');
  });

  it('loads the install root and the workstation key, and chooses a root through main\'s dialog', async () => {
    const bridge = fakeBridge({
      'settings.installRoot': () => ok({ path: null, source: 'unset', editable: true }),
      'settings.chooseInstallRoot': () => ok({ path: '/srv/notes', source: 'settings', editable: true }),
      'workstation.key': () => ok({ fingerprint: 'f'.repeat(64), publicKeyPath: '/data/keys/workstation.pub.pem' }),
    });
    const store = createSettingsStore(createAirlockClient(bridge));
    await store.getState().loadInstallRoot();
    await store.getState().loadWorkstationKey();
    expect(store.getState()).toMatchObject({ installRoot: { value: { source: 'unset' } }, workstationKey: { value: { fingerprint: 'f'.repeat(64) } } });
    await store.getState().chooseInstallRoot();
    expect(bridge.calls.at(-1)).toEqual(['settings.chooseInstallRoot', {}]);
    expect(store.getState().installRoot.value).toEqual({ path: '/srv/notes', source: 'settings', editable: true });
    bridge.answers.set('settings.chooseInstallRoot', () => fail('UNAVAILABLE'));
    await store.getState().chooseInstallRoot();
    expect(store.getState().chooseError?.code).toBe('UNAVAILABLE');
  });
});
