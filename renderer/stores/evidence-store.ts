// Evidence export, by catalog operation: the Done screen, the install's
// failure card and the Releases history all export through here, so an
// export started in one place shows in the others. The result names the
// bundle's folder; main opens it (desktop app) or serves its report.pdf for
// download (console mode) by handle.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import type { IpcResponse } from '../../shared/ipc-contract.ts';
import { errorPayloadOf, type AirlockClient } from '../api/airlock-client.ts';
import type { TaskStatus } from './kit-flow-store.ts';

export type EvidenceExport = IpcResponse<'evidence.export'>;

export interface EvidenceEntry {
  status: TaskStatus;
  result: EvidenceExport | null;
  error: ErrorPayload | null;
  /** Opening the folder failed (desktop app). */
  openError: ErrorPayload | null;
}

export interface EvidenceState {
  byOperation: Record<number, EvidenceEntry>;
  exportFor(operation: number): Promise<void>;
  openFolder(operation: number): Promise<void>;
}

const idle: EvidenceEntry = { status: 'idle', result: null, error: null, openError: null };

export function evidenceEntry(state: Pick<EvidenceState, 'byOperation'>, operation: number | null): EvidenceEntry {
  return operation === null ? idle : (state.byOperation[operation] ?? idle);
}

export function createEvidenceStore(client: AirlockClient): StoreApi<EvidenceState> {
  return createStore<EvidenceState>()((set, get) => {
    const put = (operation: number, entry: Partial<EvidenceEntry>): void => {
      set({ byOperation: { ...get().byOperation, [operation]: { ...evidenceEntry(get(), operation), ...entry } } });
    };
    return {
      byOperation: {},

      async exportFor(operation) {
        if (evidenceEntry(get(), operation).status === 'running') return;
        put(operation, { status: 'running', error: null, openError: null });
        try {
          put(operation, { status: 'done', result: await client.call('evidence.export', { operation }) });
        } catch (error) {
          put(operation, { status: 'failed', error: errorPayloadOf(error) });
        }
      },

      async openFolder(operation) {
        const result = evidenceEntry(get(), operation).result;
        if (!result) return;
        try {
          await client.call('evidence.openFolder', { handle: result.handle });
          put(operation, { openError: null });
        } catch (error) {
          put(operation, { openError: errorPayloadOf(error) });
        }
      },
    };
  });
}
