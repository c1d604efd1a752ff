// The Registry screen's state: the releases, the one open in detail, and a
// comparison with another release. Package search filters the open release's
// SBOM packages locally (they are already here).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import type { IpcResponse } from '../../shared/ipc-contract.ts';
import { errorPayloadOf, type AirlockClient } from '../api/airlock-client.ts';
import type { TaskStatus } from './kit-flow-store.ts';

export type ReleaseSummary = IpcResponse<'registry.list'>['releases'][number];
export type ReleaseDetail = IpcResponse<'registry.show'>;
export type ReleaseDiff = IpcResponse<'registry.diff'>;
export type ReleaseRef = { name: string; version: string };
export type ReleasePackage = ReleaseDetail['packages'][number];

export interface RegistryState {
  list: { status: TaskStatus; releases: ReleaseSummary[]; error: ErrorPayload | null };
  selected: ReleaseRef | null;
  detail: { status: TaskStatus; release: ReleaseDetail | null; error: ErrorPayload | null };
  compareWith: ReleaseRef | null;
  diff: { status: TaskStatus; result: ReleaseDiff | null; error: ErrorPayload | null };
  packageQuery: string;

  load(): Promise<void>;
  open(ref: ReleaseRef): Promise<void>;
  close(): void;
  compare(other: ReleaseRef | null): Promise<void>;
  setPackageQuery(query: string): void;
}

export const refKey = (r: ReleaseRef): string => `${r.name}@${r.version}`;

/** Packages whose name, version, license or purl contain every word of the query (case-insensitive). */
export function filterPackages(packages: readonly ReleasePackage[], query: string): ReleasePackage[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...packages];
  return packages.filter((p) => {
    const text = [p.name, p.version ?? '', p.license ?? '', p.purl ?? ''].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

export function createRegistryStore(client: AirlockClient): StoreApi<RegistryState> {
  return createStore<RegistryState>()((set, get) => ({
    list: { status: 'idle', releases: [], error: null },
    selected: null,
    detail: { status: 'idle', release: null, error: null },
    compareWith: null,
    diff: { status: 'idle', result: null, error: null },
    packageQuery: '',

    async load() {
      set({ list: { ...get().list, status: 'running', error: null } });
      try {
        const { releases } = await client.call('registry.list', {});
        set({ list: { status: 'done', releases, error: null } });
      } catch (error) {
        set({ list: { status: 'failed', releases: get().list.releases, error: errorPayloadOf(error) } });
      }
    },

    async open(ref) {
      set({ selected: ref, detail: { status: 'running', release: null, error: null }, compareWith: null, diff: { status: 'idle', result: null, error: null }, packageQuery: '' });
      try {
        const release = await client.call('registry.show', ref);
        if (get().selected !== ref) return;
        set({ detail: { status: 'done', release, error: null } });
      } catch (error) {
        if (get().selected !== ref) return;
        set({ detail: { status: 'failed', release: null, error: errorPayloadOf(error) } });
      }
    },

    close() {
      set({ selected: null, detail: { status: 'idle', release: null, error: null }, compareWith: null, diff: { status: 'idle', result: null, error: null } });
    },

    async compare(other) {
      const selected = get().selected;
      set({ compareWith: other, diff: { status: other ? 'running' : 'idle', result: null, error: null } });
      if (!other || !selected) return;
      try {
        const result = await client.call('registry.diff', { from: other, to: selected });
        if (get().compareWith !== other) return;
        set({ diff: { status: 'done', result, error: null } });
      } catch (error) {
        if (get().compareWith !== other) return;
        set({ diff: { status: 'failed', result: null, error: errorPayloadOf(error) } });
      }
    },

    setPackageQuery(query) {
      set({ packageQuery: query });
    },
  }));
}
