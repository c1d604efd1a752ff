// The Releases view: what is installed in the install root, the retained
// releases, the history of operations, and going back to a retained release.
// A rollback is always planned first and confirmed in a dialog that names
// what will be restored; the confirmation sends the plan's digest back.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import type { IpcResponse } from '../../shared/ipc-contract.ts';
import { ROLLBACK_STEP_NAMES } from '../../shared/ipc-install-schemas.ts';
import { errorPayloadOf, type AirlockClient } from '../api/airlock-client.ts';
import { applySteps, idleRun, logChanges, pendingSteps, type StepRun } from './install-store.ts';
import { newOperationId, type TaskStatus } from './kit-flow-store.ts';

export type ReleasesList = IpcResponse<'releases.list'>;
export type RetainedRelease = ReleasesList['status']['releases'][number];
export type HistoryOperation = ReleasesList['history'][number];
export type RollbackPlanResult = IpcResponse<'rollback.plan'>;
export type RollbackResult = IpcResponse<'rollback.run'>;

export interface ReleasesState {
  list: { status: TaskStatus; value: ReleasesList | null; error: ErrorPayload | null };
  /** The release the admin asked to go back to; the dialog is open while set. */
  rollbackTarget: string | null;
  rollbackPlan: { status: TaskStatus; result: RollbackPlanResult | null; error: ErrorPayload | null };
  rollback: StepRun<RollbackResult>;

  load(): Promise<void>;
  askRollback(version: string): Promise<void>;
  closeRollback(): void;
  confirmRollback(): Promise<void>;
}

export function createReleasesStore(client: AirlockClient, makeOperationId: () => string = () => newOperationId()): StoreApi<ReleasesState> {
  const store = createStore<ReleasesState>()((set, get) => ({
    list: { status: 'idle', value: null, error: null },
    rollbackTarget: null,
    rollbackPlan: { status: 'idle', result: null, error: null },
    rollback: idleRun(),

    async load() {
      set({ list: { ...get().list, status: 'running', error: null } });
      try {
        set({ list: { status: 'done', value: await client.call('releases.list', {}), error: null } });
      } catch (error) {
        set({ list: { status: 'failed', value: get().list.value, error: errorPayloadOf(error) } });
      }
    },

    async askRollback(version) {
      if (get().rollback.status === 'running') return;
      set({ rollbackTarget: version, rollbackPlan: { status: 'running', result: null, error: null } });
      try {
        const result = await client.call('rollback.plan', { to: version });
        if (get().rollbackTarget === version) set({ rollbackPlan: { status: 'done', result, error: null } });
      } catch (error) {
        if (get().rollbackTarget === version) set({ rollbackPlan: { status: 'failed', result: null, error: errorPayloadOf(error) } });
      }
    },

    closeRollback() {
      if (get().rollback.status === 'running') return;
      set({ rollbackTarget: null, rollbackPlan: { status: 'idle', result: null, error: null } });
    },

    async confirmRollback() {
      const to = get().rollbackTarget;
      const plan = get().rollbackPlan.result;
      if (!to || !plan || plan.plan.blockers.length > 0 || get().rollback.status === 'running') return;
      const operationId = makeOperationId();
      set({
        rollbackTarget: null,
        rollbackPlan: { status: 'idle', result: null, error: null },
        rollback: { ...idleRun<RollbackResult>(), status: 'running', operationId, steps: pendingSteps(ROLLBACK_STEP_NAMES) },
      });
      try {
        const result = await client.call('rollback.run', { to, operationId, planDigest: plan.planDigest });
        const run = get().rollback;
        if (run.operationId !== operationId) return;
        set({ rollback: { ...run, status: 'done', result, catalogOperationId: result.operationId, steps: result.steps, log: [...run.log, ...logChanges(run.steps, result.steps)] } });
      } catch (error) {
        const run = get().rollback;
        if (run.operationId !== operationId) return;
        const payload = errorPayloadOf(error);
        set({ rollback: { ...run, status: 'failed', error: payload, catalogOperationId: typeof payload.details?.operationId === 'number' ? payload.details.operationId : run.catalogOperationId } });
      }
      await get().load();
    },
  }));

  client.on('operation.steps', (event) => {
    const run = store.getState().rollback;
    const next = applySteps(run, event);
    if (next !== run) store.setState({ rollback: next });
  });
  return store;
}
