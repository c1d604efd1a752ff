// The guided flow: choose a kit, verify it, check the host, import it, then
// plan, install and finish. This store holds the kit half and which step is
// shown; the install half (plan, live steps, evidence) is install-store.ts.
// Every call to the main side goes through the client; components only read
// the stores and call their actions.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import type { IpcResponse } from '../../shared/ipc-contract.ts';
import type { ProgressEvent } from '../../shared/progress.ts';
import { errorPayloadOf, type AirlockClient } from '../api/airlock-client.ts';

export const KIT_FLOW_STEPS = [
  { id: 'choose', title: 'Choose kit' },
  { id: 'verify', title: 'Verify' },
  { id: 'preflight', title: 'Preflight' },
  { id: 'import', title: 'Import' },
  { id: 'plan', title: 'Plan' },
  { id: 'install', title: 'Install' },
  { id: 'done', title: 'Done' },
] as const;
export type KitFlowStep = (typeof KIT_FLOW_STEPS)[number]['id'];

export type KitCandidate = IpcResponse<'kits.scan'>['kits'][number];
export type KitScan = IpcResponse<'kits.scan'>;
export type KitVerification = IpcResponse<'kit.verify'>;
export type PreflightReport = IpcResponse<'kit.preflight'>;
export type ImportResult = IpcResponse<'kit.import'>;

export type TaskStatus = 'idle' | 'running' | 'done' | 'failed';

export interface LongTask<T> {
  status: TaskStatus;
  operationId: string | null;
  progress: ProgressEvent | null;
  result: T | null;
  error: ErrorPayload | null;
  cancelling: boolean;
}

export interface KitFlowState {
  step: KitFlowStep;
  scan: { status: TaskStatus; result: KitScan | null; error: ErrorPayload | null };
  /** Problems with the last drop or dialog choice (not kits, unreadable). */
  choiceProblems: Array<{ name: string; reason: string }>;
  choiceError: ErrorPayload | null;
  kit: KitCandidate | null;
  verify: LongTask<KitVerification>;
  preflight: { status: TaskStatus; report: PreflightReport | null; error: ErrorPayload | null; acknowledged: boolean };
  importing: LongTask<ImportResult>;

  scanKits(): Promise<void>;
  chooseWithDialog(kind: 'file' | 'folder'): Promise<void>;
  dropFiles(files: readonly File[]): Promise<void>;
  /** Picks a kit and starts verifying it. */
  selectKit(kit: KitCandidate): Promise<void>;
  retryVerify(): Promise<void>;
  cancelVerify(): Promise<void>;
  goToPreflight(): Promise<void>;
  runPreflight(): Promise<void>;
  acknowledgeWarnings(value: boolean): void;
  goToImport(): void;
  startImport(): Promise<void>;
  cancelImport(): Promise<void>;
  /** After the import: plan the install of the imported release. */
  goToPlan(): void;
  /** The install was started from the plan. */
  goToInstall(): void;
  /** The install finished: show the verdict and the evidence. */
  goToDone(): void;
  /** Back from the install's failure to its plan. */
  backToPlan(): void;
  /** Back to step one for another kit. */
  startOver(): void;
}

const idleTask = <T>(): LongTask<T> => ({ status: 'idle', operationId: null, progress: null, result: null, error: null, cancelling: false });

export function newOperationId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(12));
  return `op_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The preflight warnings the admin acknowledged (check ids), carried to the install plan; empty when none were. */
export function acknowledgedChecks(state: Pick<KitFlowState, 'preflight'>): string[] {
  const report = state.preflight.report;
  if (state.preflight.status !== 'done' || !report || !state.preflight.acknowledged) return [];
  return report.checks.filter((c) => c.status === 'warn').map((c) => c.id);
}

/** True when the preflight lets the flow go on: a pass, or warnings the admin acknowledged. */
export function preflightAllowsImport(state: Pick<KitFlowState, 'preflight'>): boolean {
  const report = state.preflight.report;
  if (state.preflight.status !== 'done' || !report) return false;
  if (report.verdict === 'pass') return true;
  return report.verdict === 'warn' && state.preflight.acknowledged;
}

export function createKitFlowStore(client: AirlockClient, makeOperationId: () => string = () => newOperationId()): StoreApi<KitFlowState> {
  const store = createStore<KitFlowState>()((set, get) => {
    const runVerify = async (): Promise<void> => {
      const kit = get().kit;
      if (!kit) return;
      const operationId = makeOperationId();
      set({ verify: { ...idleTask<KitVerification>(), status: 'running', operationId }, preflight: { status: 'idle', report: null, error: null, acknowledged: false }, importing: idleTask() });
      try {
        const result = await client.call('kit.verify', { kit: kit.id, operationId });
        if (get().verify.operationId !== operationId) return;
        set({ verify: { ...get().verify, status: 'done', result, cancelling: false } });
      } catch (error) {
        if (get().verify.operationId !== operationId) return;
        set({ verify: { ...get().verify, status: 'failed', error: errorPayloadOf(error), cancelling: false } });
      }
    };

    return {
      step: 'choose',
      scan: { status: 'idle', result: null, error: null },
      choiceProblems: [],
      choiceError: null,
      kit: null,
      verify: idleTask(),
      preflight: { status: 'idle', report: null, error: null, acknowledged: false },
      importing: idleTask(),

      async scanKits() {
        set({ scan: { ...get().scan, status: 'running', error: null } });
        try {
          const result = await client.call('kits.scan', {});
          set({ scan: { status: 'done', result, error: null } });
        } catch (error) {
          set({ scan: { status: 'failed', result: get().scan.result, error: errorPayloadOf(error) } });
        }
      },

      async chooseWithDialog(kind) {
        set({ choiceProblems: [], choiceError: null });
        try {
          const { kit } = await client.call('kits.choose', { kind });
          if (kit) await get().selectKit(kit);
        } catch (error) {
          set({ choiceError: errorPayloadOf(error) });
        }
      },

      async dropFiles(files) {
        set({ choiceProblems: [], choiceError: null });
        try {
          const { kits, rejected } = await client.dropFiles(files);
          set({ choiceProblems: rejected });
          if (kits.length === 1 && rejected.length === 0) await get().selectKit(kits[0]!);
          else if (kits.length > 0) {
            // Several files dropped at once: list the kits with the scanned ones and let the admin pick.
            const scan = get().scan.result ?? { kits: [], searched: [] };
            const known = new Set(scan.kits.map((k) => k.id));
            set({ scan: { status: 'done', error: null, result: { ...scan, kits: [...kits.filter((k) => !known.has(k.id)), ...scan.kits] } } });
          }
        } catch (error) {
          set({ choiceError: errorPayloadOf(error) });
        }
      },

      async selectKit(kit) {
        set({ kit, step: 'verify', choiceProblems: [], choiceError: null });
        await runVerify();
      },

      retryVerify: runVerify,

      async cancelVerify() {
        const { operationId, status } = get().verify;
        if (status !== 'running' || !operationId) return;
        set({ verify: { ...get().verify, cancelling: true } });
        await client.call('operation.cancel', { operationId }).catch(() => undefined);
      },

      async goToPreflight() {
        if (get().verify.status !== 'done') return;
        set({ step: 'preflight' });
        await get().runPreflight();
      },

      async runPreflight() {
        const kit = get().kit;
        if (!kit) return;
        set({ preflight: { status: 'running', report: null, error: null, acknowledged: false } });
        try {
          const report = await client.call('kit.preflight', { kit: kit.id });
          set({ preflight: { status: 'done', report, error: null, acknowledged: false } });
        } catch (error) {
          set({ preflight: { status: 'failed', report: null, error: errorPayloadOf(error), acknowledged: false } });
        }
      },

      acknowledgeWarnings(value) {
        set({ preflight: { ...get().preflight, acknowledged: value } });
      },

      goToImport() {
        if (!preflightAllowsImport(get())) return;
        set({ step: 'import', importing: idleTask() });
      },

      async startImport() {
        const kit = get().kit;
        if (!kit || get().importing.status === 'running' || !preflightAllowsImport(get())) return;
        const operationId = makeOperationId();
        set({ importing: { ...idleTask<ImportResult>(), status: 'running', operationId } });
        try {
          const result = await client.call('kit.import', { kit: kit.id, operationId });
          set({ importing: { ...get().importing, status: 'done', result, cancelling: false } });
        } catch (error) {
          set({ importing: { ...get().importing, status: 'failed', error: errorPayloadOf(error), cancelling: false } });
        }
      },

      async cancelImport() {
        const { operationId, status } = get().importing;
        if (status !== 'running' || !operationId) return;
        set({ importing: { ...get().importing, cancelling: true } });
        await client.call('operation.cancel', { operationId }).catch(() => undefined);
      },

      goToPlan() {
        if (get().importing.status !== 'done') return;
        set({ step: 'plan' });
      },

      goToInstall() {
        if (get().step === 'plan') set({ step: 'install' });
      },

      goToDone() {
        if (get().step === 'install') set({ step: 'done' });
      },

      backToPlan() {
        if (get().step === 'install' || get().step === 'done') set({ step: 'plan' });
      },

      startOver() {
        set({ step: 'choose', kit: null, verify: idleTask(), preflight: { status: 'idle', report: null, error: null, acknowledged: false }, importing: idleTask(), choiceProblems: [], choiceError: null });
        void get().scanKits();
      },
    };
  });

  client.on('operation.progress', ({ operationId, progress }) => {
    const state = store.getState();
    if (state.verify.status === 'running' && state.verify.operationId === operationId) {
      store.setState({ verify: { ...state.verify, progress } });
    } else if (state.importing.status === 'running' && state.importing.operationId === operationId) {
      store.setState({ importing: { ...state.importing, progress } });
    }
  });
  return store;
}
