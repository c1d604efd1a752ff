import { describe, expect, it } from 'vitest';
import type { IpcResult } from '../../../shared/ipc-contract.ts';
import { createAirlockClient } from '../../../renderer/api/airlock-client.ts';
import { acknowledgedChecks, createKitFlowStore, KIT_FLOW_STEPS, newOperationId, preflightAllowsImport } from '../../../renderer/stores/kit-flow-store.ts';
import { deferred, fail, fakeBridge, ok } from './fake-airlock.ts';

const KIT = { id: `kit_${'a'.repeat(32)}`, name: 'app-1.0.0.kit.tar', displayPath: '/srv/kits/app-1.0.0.kit.tar', kind: 'archive', sizeBytes: 10, source: 'folder', location: 'Kit folder' } as const;
const VERIFICATION = { name: 'app', version: '1.0.0' };
const PROGRESS = { phase: 'verify', bytesDone: 5, bytesTotal: 10, itemsDone: 1, itemsTotal: 4, rate: 100, eta: 1 };
const report = (verdict: 'pass' | 'warn' | 'fail') => ({
  verdict,
  checks: verdict === 'pass' ? [] : [{ id: verdict === 'warn' ? 'network-isolation' : 'os', status: verdict, title: 't', observed: 'o', expected: 'e', remedy: 'r' }],
  scope: 'kit',
});

function setup(answers: Parameters<typeof fakeBridge>[0] = {}) {
  const bridge = fakeBridge(answers);
  let n = 0;
  const store = createKitFlowStore(createAirlockClient(bridge), () => `op_test_${++n}`);
  return { bridge, store };
}

describe('kit flow store', () => {
  it('lists its steps in order, from choosing a kit to done', () => {
    expect(KIT_FLOW_STEPS.map((s) => s.id)).toEqual(['choose', 'verify', 'preflight', 'import', 'plan', 'install', 'done']);
    expect(newOperationId()).toMatch(/^op_[0-9a-f]{24}$/);
  });

  it('scans for kits and keeps an error with its code', async () => {
    const { store, bridge } = setup({ 'kits.scan': () => ok({ kits: [KIT], searched: [] }) });
    await store.getState().scanKits();
    expect(store.getState().scan).toMatchObject({ status: 'done', result: { kits: [KIT] } });
    bridge.answers.set('kits.scan', () => fail('IO_ERROR'));
    await store.getState().scanKits();
    expect(store.getState().scan).toMatchObject({ status: 'failed', error: { code: 'IO_ERROR' }, result: { kits: [KIT] } });
  });

  it('selecting a kit verifies it by handle, showing only its own progress', async () => {
    const answer = deferred<IpcResult<unknown>>();
    const { store, bridge } = setup({ 'kit.verify': () => answer.promise });
    const done = store.getState().selectKit(KIT);
    expect(store.getState()).toMatchObject({ step: 'verify', kit: KIT, verify: { status: 'running', operationId: 'op_test_1' } });
    expect(bridge.calls).toEqual([['kit.verify', { kit: KIT.id, operationId: 'op_test_1' }]]);
    bridge.emit('operation.progress', { operationId: 'op_other', progress: { ...PROGRESS, bytesDone: 9 } });
    bridge.emit('operation.progress', { operationId: 'op_test_1', progress: PROGRESS });
    expect(store.getState().verify.progress).toEqual(PROGRESS);
    answer.resolve(ok(VERIFICATION));
    await done;
    expect(store.getState().verify).toMatchObject({ status: 'done', result: VERIFICATION });
  });

  it('keeps a failed verify as an error payload and blocks the next step', async () => {
    const { store } = setup({ 'kit.verify': () => fail('KIT_DIGEST_MISMATCH', 'payload/a differs', { path: 'payload/a' }) });
    await store.getState().selectKit(KIT);
    expect(store.getState().verify).toMatchObject({ status: 'failed', error: { code: 'KIT_DIGEST_MISMATCH', path: 'payload/a' } });
    await store.getState().goToPreflight();
    expect(store.getState().step).toBe('verify');
  });

  it('cancels the running verify by its operation id', async () => {
    const answer = deferred<IpcResult<unknown>>();
    const { store, bridge } = setup({ 'kit.verify': () => answer.promise, 'operation.cancel': () => ok({ cancelled: true }) });
    const done = store.getState().selectKit(KIT);
    await store.getState().cancelVerify();
    expect(store.getState().verify.cancelling).toBe(true);
    expect(bridge.calls.at(-1)).toEqual(['operation.cancel', { operationId: 'op_test_1' }]);
    answer.resolve(fail('CANCELLED'));
    await done;
    expect(store.getState().verify).toMatchObject({ status: 'failed', cancelling: false, error: { code: 'CANCELLED' } });
  });

  it('needs an acknowledgement of warnings before import, and never continues past a failed preflight', async () => {
    const { store, bridge } = setup({ 'kit.verify': () => ok(VERIFICATION), 'kit.preflight': () => ok(report('warn')) });
    await store.getState().selectKit(KIT);
    await store.getState().goToPreflight();
    expect(store.getState()).toMatchObject({ step: 'preflight', preflight: { status: 'done', acknowledged: false } });
    expect(preflightAllowsImport(store.getState())).toBe(false);
    expect(acknowledgedChecks(store.getState())).toEqual([]);
    store.getState().goToImport();
    expect(store.getState().step).toBe('preflight');
    store.getState().acknowledgeWarnings(true);
    store.getState().goToImport();
    expect(store.getState().step).toBe('import');
    expect(acknowledgedChecks(store.getState())).toEqual(['network-isolation']);

    bridge.answers.set('kit.preflight', () => ok(report('fail')));
    await store.getState().runPreflight();
    store.getState().acknowledgeWarnings(true);
    expect(preflightAllowsImport(store.getState())).toBe(false);
  });

  it('imports only after confirmation, tracks progress, and starts over cleanly', async () => {
    const answer = deferred<IpcResult<unknown>>();
    const { store, bridge } = setup({
      'kit.verify': () => ok(VERIFICATION),
      'kit.preflight': () => ok(report('pass')),
      'kit.import': () => answer.promise,
      'kits.scan': () => ok({ kits: [], searched: [] }),
    });
    await store.getState().selectKit(KIT);
    await store.getState().goToPreflight();
    store.getState().goToImport();
    expect(bridge.calls.map((c) => c[0])).not.toContain('kit.import');
    const importing = store.getState().startImport();
    await store.getState().startImport();
    expect(bridge.calls.filter((c) => c[0] === 'kit.import')).toHaveLength(1);
    bridge.emit('operation.progress', { operationId: 'op_test_2', progress: { ...PROGRESS, phase: 'import' } });
    expect(store.getState().importing.progress?.phase).toBe('import');
    store.getState().goToPlan();
    expect(store.getState().step).toBe('import');
    answer.resolve(ok({ status: 'imported' }));
    await importing;
    expect(store.getState().importing).toMatchObject({ status: 'done', result: { status: 'imported' } });
    // On to the install steps, in order only.
    store.getState().goToDone();
    expect(store.getState().step).toBe('import');
    store.getState().goToPlan();
    store.getState().goToInstall();
    expect(store.getState().step).toBe('install');
    store.getState().backToPlan();
    expect(store.getState().step).toBe('plan');
    store.getState().goToInstall();
    store.getState().goToDone();
    expect(store.getState().step).toBe('done');
    store.getState().startOver();
    expect(store.getState()).toMatchObject({ step: 'choose', kit: null, verify: { status: 'idle' }, importing: { status: 'idle' } });
  });

  it('verifies a single dropped kit at once, and lists kits for choosing when other files were dropped too', async () => {
    const { store, bridge } = setup({ 'kit.verify': () => ok(VERIFICATION) });
    bridge.dropFiles = async () => ok({ kits: [KIT], rejected: [] });
    await store.getState().dropFiles([]);
    expect(store.getState()).toMatchObject({ step: 'verify', kit: KIT });
    bridge.answers.set('kits.scan', () => ok({ kits: [], searched: [] }));
    store.getState().startOver();
    await store.getState().scanKits();
    bridge.dropFiles = async () => ok({ kits: [KIT], rejected: [{ name: 'notes.txt', reason: 'not a kit' }] });
    await store.getState().dropFiles([]);
    expect(store.getState()).toMatchObject({ step: 'choose', choiceProblems: [{ name: 'notes.txt' }] });
    const second = { ...KIT, id: `kit_${'b'.repeat(32)}`, name: 'b.kit.tar' };
    bridge.dropFiles = async () => ok({ kits: [KIT, second], rejected: [] });
    await store.getState().dropFiles([]);
    expect(store.getState().step).toBe('choose');
    expect(store.getState().scan.result?.kits.map((k) => k.id)).toEqual([second.id, KIT.id]);
  });
});
