// Settings beyond the trust policy: where releases are installed (main
// decides; the desktop app lets the admin choose with the native folder
// dialog) and the workstation key that signs evidence.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import type { IpcResponse } from '../../shared/ipc-contract.ts';
import { errorPayloadOf, type AirlockClient } from '../api/airlock-client.ts';
import type { TaskStatus } from './kit-flow-store.ts';

export type InstallRoot = IpcResponse<'settings.installRoot'>;
export type WorkstationKey = IpcResponse<'workstation.key'>;

export interface SettingsState {
  installRoot: { status: TaskStatus; value: InstallRoot | null; error: ErrorPayload | null };
  workstationKey: { status: TaskStatus; value: WorkstationKey | null; error: ErrorPayload | null };
  chooseError: ErrorPayload | null;

  loadInstallRoot(): Promise<void>;
  loadWorkstationKey(): Promise<void>;
  chooseInstallRoot(): Promise<void>;
}

export function createSettingsStore(client: AirlockClient): StoreApi<SettingsState> {
  return createStore<SettingsState>()((set, get) => ({
    installRoot: { status: 'idle', value: null, error: null },
    workstationKey: { status: 'idle', value: null, error: null },
    chooseError: null,

    async loadInstallRoot() {
      set({ installRoot: { ...get().installRoot, status: 'running', error: null } });
      try {
        set({ installRoot: { status: 'done', value: await client.call('settings.installRoot', {}), error: null } });
      } catch (error) {
        set({ installRoot: { status: 'failed', value: get().installRoot.value, error: errorPayloadOf(error) } });
      }
    },

    async loadWorkstationKey() {
      if (get().workstationKey.status === 'running') return;
      set({ workstationKey: { ...get().workstationKey, status: 'running', error: null } });
      try {
        set({ workstationKey: { status: 'done', value: await client.call('workstation.key', {}), error: null } });
      } catch (error) {
        set({ workstationKey: { status: 'failed', value: get().workstationKey.value, error: errorPayloadOf(error) } });
      }
    },

    async chooseInstallRoot() {
      set({ chooseError: null });
      try {
        set({ installRoot: { status: 'done', value: await client.call('settings.chooseInstallRoot', {}), error: null } });
      } catch (error) {
        set({ chooseError: errorPayloadOf(error) });
      }
    },
  }));
}
