// All stores of the window, made once over one client and handed to the
// components through React context.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { AirlockClient } from '../api/airlock-client.ts';
import { createAppStore, type AppState } from './app-store.ts';
import { createAuditStore, type AuditState } from './audit-store.ts';
import { createEvidenceStore, type EvidenceState } from './evidence-store.ts';
import { createInstallStore, type InstallState } from './install-store.ts';
import { createKitFlowStore, type KitFlowState } from './kit-flow-store.ts';
import { createRegistryStore, type RegistryState } from './registry-store.ts';
import { createReleasesStore, type ReleasesState } from './releases-store.ts';
import { createSettingsStore, type SettingsState } from './settings-store.ts';
import { createTrustStore, type TrustState } from './trust-store.ts';

export interface AppStores {
  app: StoreApi<AppState>;
  flow: StoreApi<KitFlowState>;
  install: StoreApi<InstallState>;
  evidence: StoreApi<EvidenceState>;
  releases: StoreApi<ReleasesState>;
  audit: StoreApi<AuditState>;
  registry: StoreApi<RegistryState>;
  trust: StoreApi<TrustState>;
  settings: StoreApi<SettingsState>;
}

export function createAppStores(client: AirlockClient): AppStores {
  return {
    app: createAppStore(client),
    flow: createKitFlowStore(client),
    install: createInstallStore(client),
    evidence: createEvidenceStore(client),
    releases: createReleasesStore(client),
    audit: createAuditStore(client),
    registry: createRegistryStore(client),
    trust: createTrustStore(client),
    settings: createSettingsStore(client),
  };
}

export const StoresContext = createContext<AppStores | null>(null);

/** The stores themselves, for calling actions from event handlers. */
export function useStoresApi(): AppStores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('StoresContext is missing');
  return stores;
}

export function useApp<T>(select: (s: AppState) => T): T {
  return useStore(useStoresApi().app, select);
}
export function useFlow<T>(select: (s: KitFlowState) => T): T {
  return useStore(useStoresApi().flow, select);
}
export function useRegistry<T>(select: (s: RegistryState) => T): T {
  return useStore(useStoresApi().registry, select);
}
export function useTrust<T>(select: (s: TrustState) => T): T {
  return useStore(useStoresApi().trust, select);
}
export function useInstall<T>(select: (s: InstallState) => T): T {
  return useStore(useStoresApi().install, select);
}
export function useEvidence<T>(select: (s: EvidenceState) => T): T {
  return useStore(useStoresApi().evidence, select);
}
export function useReleases<T>(select: (s: ReleasesState) => T): T {
  return useStore(useStoresApi().releases, select);
}
export function useAudit<T>(select: (s: AuditState) => T): T {
  return useStore(useStoresApi().audit, select);
}
export function useSettings<T>(select: (s: SettingsState) => T): T {
  return useStore(useStoresApi().settings, select);
}
