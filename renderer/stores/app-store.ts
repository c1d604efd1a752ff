// Which screen is open, what this Airlock is, and whether console mode still
// has its connection.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import type { IpcResponse } from '../../shared/ipc-contract.ts';
import { errorPayloadOf, type AirlockClient } from '../api/airlock-client.ts';

export const APP_VIEWS = [
  { id: 'flow', title: 'Add a kit' },
  { id: 'releases', title: 'Releases' },
  { id: 'registry', title: 'Registry' },
  { id: 'audit', title: 'Audit' },
  { id: 'settings', title: 'Settings' },
] as const;
export type AppView = (typeof APP_VIEWS)[number]['id'];
export type AppInfo = IpcResponse<'app.info'>;

export interface AppState {
  view: AppView;
  info: AppInfo | null;
  infoError: ErrorPayload | null;
  connectionLost: boolean;
  openFolderError: ErrorPayload | null;

  loadInfo(): Promise<void>;
  show(view: AppView): void;
  markConnectionLost(): void;
  openDataDir(): Promise<void>;
}

export function createAppStore(client: AirlockClient): StoreApi<AppState> {
  return createStore<AppState>()((set) => ({
    view: 'flow',
    info: null,
    infoError: null,
    connectionLost: false,
    openFolderError: null,

    async loadInfo() {
      try {
        set({ info: await client.call('app.info', {}), infoError: null });
      } catch (error) {
        set({ infoError: errorPayloadOf(error) });
      }
    },

    show(view) {
      set({ view });
    },

    markConnectionLost() {
      set({ connectionLost: true });
    },

    async openDataDir() {
      try {
        await client.call('app.openDataDir', {});
        set({ openFolderError: null });
      } catch (error) {
        set({ openFolderError: errorPayloadOf(error) });
      }
    },
  }));
}
