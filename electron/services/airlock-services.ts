// Composition of the core services behind the IPC contract, shared by the two
// faces: electron/main.ts (desktop) and `airlock serve` (console mode). Every
// side effect can be replaced, which is how the tests point preflight at a
// fixture host or hold a verify worker mid-stream.
import fs from 'node:fs';
import path from 'node:path';
import { AirlockError } from '../../shared/airlock-error.ts';
import type { AppMode } from '../../shared/ipc-contract.ts';
import { readAppVersion } from '../core/app-version.ts';
import { openAuditLog } from '../core/evidence/audit-catalog.ts';
import { createHostProbe } from '../core/preflight/host-probe.ts';
import { createNodeHostProbeDeps, createNodeProcessRunner } from '../core/preflight/node-host-deps.ts';
import type { HostProbeDeps } from '../core/preflight/probe-deps.ts';
import { PreflightService } from '../core/preflight/preflight-service.ts';
import { Registry } from '../core/registry/registry.ts';
import { ContractDispatcher } from '../ipc/contract-dispatcher.ts';
import { createAirlockHandlers, type DesktopAbilities } from './airlock-handlers.ts';
import { APP_SETTINGS_FILE, AppSettingsStore } from './app-settings-store.ts';
import { EvidenceHandleRegistry } from './evidence-handles.ts';
import { InstallRootSetting } from './install-root-setting.ts';
import { KitHandleRegistry } from './kit-handles.ts';
import { WorkerKitJobRunner, type KitJobRunner } from './kit-job-runner.ts';
import { createNodeDriveScanDeps, listRemovableRoots, type DriveScanDeps } from './removable-drives.ts';
import { DEFAULT_POLICY_FILE, TrustPolicyStore } from './trust-policy-store.ts';

/** Kits copied here are offered in every scan (the data dir's own drop-off folder). */
export const INCOMING_DIR = 'incoming';

export interface AirlockServicesOptions {
  mode: AppMode;
  dataDir: string;
  /** More folders to search for kits (`airlock serve --kits DIR`). */
  kitFolders?: string[];
  /** The trust policy Settings edits; default <dataDir>/trust-policy.json. */
  policyPath?: string;
  /** The install root, fixed (`airlock serve --root DIR`); otherwise the one chosen in Settings. */
  installRoot?: string;
  resourcesDir?: string;
  hostProbeDeps?: HostProbeDeps;
  jobs?: KitJobRunner;
  driveScan?: DriveScanDeps;
  desktop?: DesktopAbilities;
  version?: string;
  /** Defects (INTERNAL errors) for the log. */
  onDefect?(channel: string, error: unknown): void;
}

export interface AirlockServices {
  dispatcher: ContractDispatcher;
  dataDir: string;
  kitFolders: string[];
  policyPath: string;
  /** The install root fixed on the command line, if any. */
  installRoot: string | null;
  /** A file this session produced for download (console mode: evidence report.pdf), by its URL path; null otherwise. */
  resolveDownload(urlPath: string): { file: string; fileName: string; contentType: string } | null;
  close(): void;
}

/** Appends one event to the data folder's audit chain (its own short-lived connection). */
function appendAudit(dataDir: string, type: string, data: Record<string, unknown>): void {
  const audit = openAuditLog(dataDir);
  try {
    audit.log.append({ type, data });
  } finally {
    audit.close();
  }
}

export function createAirlockServices(options: AirlockServicesOptions): AirlockServices {
  const dataDir = path.resolve(options.dataDir);
  const incoming = path.join(dataDir, INCOMING_DIR);
  try {
    fs.mkdirSync(incoming, { recursive: true });
  } catch (error) {
    throw new AirlockError('IO_ERROR', `cannot create ${incoming}: ${(error as Error).message}`, { path: incoming, cause: error });
  }
  const kitFolders = [incoming, ...(options.kitFolders ?? []).map((f) => path.resolve(f))].filter((f, i, all) => all.indexOf(f) === i);
  const policyPath = options.policyPath ?? path.join(dataDir, DEFAULT_POLICY_FILE);
  const hostDeps = options.hostProbeDeps ?? createNodeHostProbeDeps();
  const preflight = new PreflightService({ probe: createHostProbe(hostDeps), clock: hostDeps.clock });
  const driveScan = options.driveScan ?? createNodeDriveScanDeps(createNodeProcessRunner());
  let registry: Promise<Registry> | undefined;
  const openRegistry = (): Promise<Registry> => {
    registry ??= Registry.open(dataDir);
    // A failed open (say, CATALOG_TOO_NEW) is retried on the next request rather than remembered.
    registry.catch(() => {
      registry = undefined;
    });
    return registry;
  };
  const installRoot = new InstallRootSetting({
    settings: new AppSettingsStore(path.join(dataDir, APP_SETTINGS_FILE)),
    ...(options.installRoot !== undefined ? { fixed: options.installRoot } : {}),
    editable: options.desktop !== undefined,
    onChange: (change) => appendAudit(dataDir, 'settings.install-root', change),
  });
  const evidence = new EvidenceHandleRegistry();
  const handlers = createAirlockHandlers({
    mode: options.mode,
    version: options.version ?? readAppVersion(),
    platform: process.platform,
    dataDir,
    kitFolders,
    handles: new KitHandleRegistry(),
    trust: new TrustPolicyStore({ policyPath, auditDataDir: dataDir, ...(options.resourcesDir ? { resourcesDir: options.resourcesDir } : {}) }),
    jobs: options.jobs ?? new WorkerKitJobRunner(),
    preflight,
    registry: openRegistry,
    removableRoots: () => listRemovableRoots(driveScan),
    installRoot,
    evidence,
    ...(options.resourcesDir ? { resourcesDir: options.resourcesDir } : {}),
    ...(options.desktop ? { desktop: options.desktop } : {}),
  });
  const dispatcher = new ContractDispatcher(handlers, options.onDefect ? { onDefect: options.onDefect } : {});
  return {
    dispatcher,
    dataDir,
    kitFolders,
    policyPath,
    installRoot: options.installRoot === undefined ? null : path.resolve(options.installRoot),
    resolveDownload: (urlPath) => evidence.resolveDownload(urlPath),
    close() {
      void registry?.then((r) => r.close(), () => undefined);
    },
  };
}
