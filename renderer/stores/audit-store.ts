// The Audit view: whether the chain checks out (or the first record that does
// not), its head, and its records a page at a time, newest first.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import type { IpcResponse } from '../../shared/ipc-contract.ts';
import { errorPayloadOf, type AirlockClient } from '../api/airlock-client.ts';
import type { TaskStatus } from './kit-flow-store.ts';

export type AuditStatus = IpcResponse<'audit.status'>;
export type AuditPage = IpcResponse<'audit.list'>;
export type AuditRecord = AuditPage['records'][number];

export const AUDIT_PAGE_SIZE = 25;

export interface AuditState {
  status: { status: TaskStatus; value: AuditStatus | null; error: ErrorPayload | null };
  page: { status: TaskStatus; value: AuditPage | null; error: ErrorPayload | null };
  pageIndex: number;

  load(): Promise<void>;
  showPage(index: number): Promise<void>;
}

export function pageCount(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}

export function createAuditStore(client: AirlockClient): StoreApi<AuditState> {
  return createStore<AuditState>()((set, get) => ({
    status: { status: 'idle', value: null, error: null },
    page: { status: 'idle', value: null, error: null },
    pageIndex: 0,

    async load() {
      set({ status: { ...get().status, status: 'running', error: null } });
      try {
        set({ status: { status: 'done', value: await client.call('audit.status', {}), error: null } });
      } catch (error) {
        set({ status: { status: 'failed', value: null, error: errorPayloadOf(error) } });
      }
      await get().showPage(get().pageIndex);
    },

    async showPage(index) {
      const page = Math.max(0, index);
      set({ pageIndex: page, page: { ...get().page, status: 'running', error: null } });
      try {
        const value = await client.call('audit.list', { page, pageSize: AUDIT_PAGE_SIZE });
        if (get().pageIndex === page) set({ page: { status: 'done', value, error: null } });
      } catch (error) {
        if (get().pageIndex === page) set({ page: { status: 'failed', value: get().page.value, error: errorPayloadOf(error) } });
      }
    },
  }));
}
