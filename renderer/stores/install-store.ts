// The install half of the guided flow: the plan of an imported release (with
// what changes in its SBOM packages against the installed release), the
// admin's confirmations, and the install itself with its live step list and
// log. The plan comes with a digest the install sends back, so main installs
// exactly the plan the admin read.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import type { IpcEventPayload, IpcResponse } from '../../shared/ipc-contract.ts';
import { INSTALL_STEP_NAMES } from '../../shared/ipc-install-schemas.ts';
import { errorPayloadOf, type AirlockClient } from '../api/airlock-client.ts';
import { newOperationId, type TaskStatus } from './kit-flow-store.ts';

export type InstallPlanResult = IpcResponse<'install.plan'>;
export type InstallPlan = InstallPlanResult['plan'];
export type InstallResult = IpcResponse<'install.run'>;
export type StepsEvent = IpcEventPayload<'operation.steps'>;
export type OperationStep = StepsEvent['steps'][number];
export type ReleaseDiff = IpcResponse<'registry.diff'>;
export type ReleaseRef = { name: string; version: string };

/** What changes in the SBOM packages: a diff against the installed release, or (fresh install) what the release brings. */
export type PackageChanges =
  | { kind: 'diff'; diff: ReleaseDiff }
  | { kind: 'fresh'; packageCount: number; sbomCount: number };

/** One line of the install log: a step starting or ending. */
export interface LogEntry {
  /** ISO time the service recorded; null for lines the window adds. */
  time: string | null;
  step: string;
  outcome: OperationStep['outcome'] | 'requested-cancel' | 'cancel-refused';
  detail: string | null;
}

export interface StepRun<T> {
  status: TaskStatus;
  /** The id this window chose (events and cancel). */
  operationId: string | null;
  /** The catalog's operation id, once the service recorded it. */
  catalogOperationId: number | null;
  steps: OperationStep[];
  cancellable: boolean;
  cancelRequested: boolean;
  log: LogEntry[];
  result: T | null;
  error: ErrorPayload | null;
}

export interface InstallState {
  release: ReleaseRef | null;
  plan: { status: TaskStatus; result: InstallPlanResult | null; error: ErrorPayload | null };
  packages: { status: TaskStatus; changes: PackageChanges | null; error: ErrorPayload | null };
  /** Preflight warnings (check ids) acknowledged at the Preflight step. */
  carriedChecks: string[];
  acknowledged: boolean;
  destructiveConfirmed: boolean;
  run: StepRun<InstallResult>;

  loadPlan(release: ReleaseRef, carriedChecks: string[]): Promise<void>;
  /** Loads the plan unless this release's plan is already loaded or loading (a screen shown again). */
  ensurePlan(release: ReleaseRef, carriedChecks: string[]): Promise<void>;
  acknowledgeWarnings(value: boolean): void;
  confirmDestructive(value: boolean): void;
  startInstall(): Promise<void>;
  cancelInstall(): Promise<void>;
  reset(): void;
}

export function pendingSteps(names: readonly string[]): OperationStep[] {
  return names.map((name) => ({ name, outcome: 'pending' as const, startedAt: null, endedAt: null, detail: null, error: null }));
}

export function idleRun<T>(): StepRun<T> {
  return { status: 'idle', operationId: null, catalogOperationId: null, steps: [], cancellable: false, cancelRequested: false, log: [], result: null, error: null };
}

/** Log lines for what changed between two step lists (a step started or ended). */
export function logChanges(before: readonly OperationStep[], after: readonly OperationStep[]): LogEntry[] {
  const out: LogEntry[] = [];
  for (const step of after) {
    const old = before.find((s) => s.name === step.name);
    if (old && old.outcome === step.outcome) continue;
    if (step.outcome === 'pending' || (step.outcome === 'skipped' && step.startedAt === null)) continue;
    out.push({
      time: step.outcome === 'running' ? step.startedAt : (step.endedAt ?? step.startedAt),
      step: step.name,
      outcome: step.outcome,
      detail: step.error ? `${step.error.code}: ${step.error.message}` : step.detail,
    });
  }
  return out;
}

/** Applies a steps event to a run (same operation only). */
export function applySteps<T>(run: StepRun<T>, event: StepsEvent): StepRun<T> {
  if (run.status !== 'running' || run.operationId !== event.operationId) return run;
  return {
    ...run,
    catalogOperationId: event.catalogOperationId ?? run.catalogOperationId,
    steps: event.steps,
    cancellable: event.cancellable,
    log: [...run.log, ...logChanges(run.steps, event.steps)],
  };
}

export function planWarnChecks(plan: InstallPlan): string[] {
  return plan.preflight.report.checks.filter((c) => c.status === 'warn').map((c) => c.id);
}

/** The plan's preflight warnings were all acknowledged at the Preflight step. */
export function warningsCarried(plan: InstallPlan, carried: readonly string[]): boolean {
  const warn = planWarnChecks(plan);
  return warn.length > 0 && warn.every((id) => carried.includes(id));
}

export function needsAcknowledgement(plan: InstallPlan): boolean {
  return plan.warnings.some((w) => w.code === 'PREFLIGHT_WARN');
}

/** Why Install is not possible yet, in plain words (empty: it is). */
export function installHeldBy(state: Pick<InstallState, 'plan' | 'acknowledged' | 'destructiveConfirmed' | 'run'>): string[] {
  const plan = state.plan.result?.plan;
  if (state.plan.status !== 'done' || !plan) return ['The plan is not ready.'];
  const reasons: string[] = [];
  if (plan.blockers.length > 0) reasons.push('The plan has problems that stop the install (listed above).');
  if (needsAcknowledgement(plan) && !state.acknowledged) reasons.push('Tick the acknowledgement of the preflight warnings.');
  if (plan.destructive.needsConfirmation && !state.destructiveConfirmed) reasons.push('Tick the confirmation of the destructive migrations.');
  if (state.run.status === 'running') reasons.push('An install is running.');
  return reasons;
}

export function createInstallStore(client: AirlockClient, makeOperationId: () => string = () => newOperationId()): StoreApi<InstallState> {
  const store = createStore<InstallState>()((set, get) => ({
    release: null,
    plan: { status: 'idle', result: null, error: null },
    packages: { status: 'idle', changes: null, error: null },
    carriedChecks: [],
    acknowledged: false,
    destructiveConfirmed: false,
    run: idleRun(),

    async loadPlan(release, carriedChecks) {
      set({
        release,
        plan: { status: 'running', result: null, error: null },
        packages: { status: 'idle', changes: null, error: null },
        carriedChecks,
        acknowledged: false,
        destructiveConfirmed: false,
        run: idleRun(),
      });
      let result: InstallPlanResult;
      try {
        result = await client.call('install.plan', { release });
      } catch (error) {
        if (get().release !== release) return;
        set({ plan: { status: 'failed', result: null, error: errorPayloadOf(error) } });
        return;
      }
      if (get().release !== release) return;
      set({ plan: { status: 'done', result, error: null }, acknowledged: warningsCarried(result.plan, carriedChecks), packages: { status: 'running', changes: null, error: null } });
      try {
        const from = result.plan.from;
        let changes: PackageChanges;
        if (from && from.version !== release.version) {
          changes = { kind: 'diff', diff: await client.call('registry.diff', { from: { name: release.name, version: from.version }, to: release }) };
        } else {
          const detail = await client.call('registry.show', release);
          changes = { kind: 'fresh', packageCount: detail.packages.length, sbomCount: detail.sboms.length };
        }
        if (get().release === release) set({ packages: { status: 'done', changes, error: null } });
      } catch (error) {
        if (get().release === release) set({ packages: { status: 'failed', changes: null, error: errorPayloadOf(error) } });
      }
    },

    async ensurePlan(release, carriedChecks) {
      const current = get().release;
      const same = current !== null && current.name === release.name && current.version === release.version;
      if (same && get().plan.status !== 'failed' && get().plan.status !== 'idle') return;
      await get().loadPlan(release, carriedChecks);
    },

    acknowledgeWarnings(value) {
      set({ acknowledged: value });
    },

    confirmDestructive(value) {
      set({ destructiveConfirmed: value });
    },

    async startInstall() {
      const state = get();
      const plan = state.plan.result;
      if (!state.release || !plan || installHeldBy(state).length > 0) return;
      const operationId = makeOperationId();
      set({ run: { ...idleRun<InstallResult>(), status: 'running', operationId, steps: pendingSteps(INSTALL_STEP_NAMES), cancellable: true } });
      try {
        const result = await client.call('install.run', {
          release: state.release,
          operationId,
          planDigest: plan.planDigest,
          acknowledgeWarnings: state.acknowledged,
          allowDestructive: plan.plan.destructive.needsConfirmation && state.destructiveConfirmed,
        });
        const run = get().run;
        if (run.operationId !== operationId) return;
        set({ run: { ...run, status: 'done', result, catalogOperationId: result.operationId, steps: result.steps, cancellable: false, log: [...run.log, ...logChanges(run.steps, result.steps)] } });
      } catch (error) {
        const run = get().run;
        if (run.operationId !== operationId) return;
        const payload = errorPayloadOf(error);
        const recorded = typeof payload.details?.operationId === 'number' ? payload.details.operationId : run.catalogOperationId;
        set({ run: { ...run, status: 'failed', error: payload, catalogOperationId: recorded, cancellable: false } });
      }
    },

    async cancelInstall() {
      const run = get().run;
      if (run.status !== 'running' || !run.operationId || !run.cancellable || run.cancelRequested) return;
      set({ run: { ...run, cancelRequested: true, log: [...run.log, { time: null, step: 'cancel', outcome: 'requested-cancel', detail: null }] } });
      const answer = await client.call('operation.cancel', { operationId: run.operationId }).catch(() => ({ cancelled: false }));
      if (!answer.cancelled) {
        const now = get().run;
        if (now.operationId === run.operationId) set({ run: { ...now, log: [...now.log, { time: null, step: 'cancel', outcome: 'cancel-refused', detail: null }] } });
      }
    },

    reset() {
      set({ release: null, plan: { status: 'idle', result: null, error: null }, packages: { status: 'idle', changes: null, error: null }, carriedChecks: [], acknowledged: false, destructiveConfirmed: false, run: idleRun() });
    },
  }));

  client.on('operation.steps', (event) => {
    const run = store.getState().run;
    const next = applySteps(run, event);
    if (next !== run) store.setState({ run: next });
  });
  return store;
}
