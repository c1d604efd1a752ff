// One handler per IPC channel, over the core services. The Electron window and
// the console-mode page reach exactly these handlers through the one
// dispatcher, so the two faces cannot drift apart. Handlers get kit paths only
// from the handle registry: whatever the page sends is an id, never a path.
import path from 'node:path';
import { AirlockError } from '../../shared/airlock-error.ts';
import type { AppMode } from '../../shared/ipc-contract.ts';
import type { PreflightReport } from '../../shared/preflight.ts';
import type { ProgressEvent } from '../../shared/progress.ts';
import { readKitManifest } from '../core/kit/kit-verifier.ts';
import type { PreflightInput } from '../core/preflight/preflight-service.ts';
import type { Registry } from '../core/registry/registry.ts';
import type { HandlerContext, IpcHandlers } from '../ipc/contract-dispatcher.ts';
import type { EvidenceHandleRegistry } from './evidence-handles.ts';
import { createInstallHandlers } from './install-handlers.ts';
import type { InstallRootSetting } from './install-root-setting.ts';
import { findKits, inspectChosenPath } from './kit-finder.ts';
import { describeHandle, type KitHandleRegistry, type KitSource } from './kit-handles.ts';
import type { KitJobRunner } from './kit-job-runner.ts';
import { OperationTracker } from './operation-tracker.ts';
import type { RemovableRoot } from './removable-drives.ts';
import type { TrustPolicyStore } from './trust-policy-store.ts';

/** What only the desktop app can do; absent in console mode. */
export interface DesktopAbilities {
  /** Native open dialog; resolves to the chosen path, or null when the admin cancelled. */
  chooseKit(kind: 'file' | 'folder'): Promise<string | null>;
  /** Native folder dialog (the install root); null when the admin cancelled. */
  chooseFolder(title: string): Promise<string | null>;
  /** Opens a folder main produced or was given in the system file manager. */
  openFolder(folder: string): Promise<boolean>;
}

export interface AirlockHandlersDeps {
  mode: AppMode;
  version: string;
  platform: string;
  dataDir: string;
  /** Searched on every scan, besides removable drives. */
  kitFolders: string[];
  handles: KitHandleRegistry;
  trust: TrustPolicyStore;
  jobs: KitJobRunner;
  preflight: { run(input: PreflightInput): Promise<PreflightReport> };
  /** The registry, opened on first use and kept open. */
  registry(): Promise<Registry>;
  removableRoots(): Promise<RemovableRoot[]>;
  installRoot: InstallRootSetting;
  evidence: EvidenceHandleRegistry;
  resourcesDir?: string;
  desktop?: DesktopAbilities;
}

function unavailable(what: string): AirlockError {
  return new AirlockError('UNAVAILABLE', `${what} is only available in the desktop app`);
}

export function createAirlockHandlers(deps: AirlockHandlersDeps): IpcHandlers {
  const operations = new OperationTracker();
  const resources = deps.resourcesDir === undefined ? {} : { resourcesDir: deps.resourcesDir };
  const progressTo = (ctx: HandlerContext, operationId: string) => (progress: ProgressEvent): void => {
    ctx.emit('operation.progress', { operationId, progress });
  };
  const register = (found: { path: string; kind: 'archive' | 'split' | 'directory'; sizeBytes: number | null }, source: KitSource, location: string) =>
    describeHandle(deps.handles.register({ ...found, source, location }));

  return {
    'app.info': () => ({
      name: 'Airlock' as const,
      version: deps.version,
      mode: deps.mode,
      platform: deps.platform,
      dataDir: deps.dataDir,
      kitFolders: deps.kitFolders,
      capabilities: { nativeDialog: deps.desktop !== undefined, dropFiles: deps.desktop !== undefined, openFolder: deps.desktop !== undefined },
    }),

    'app.openDataDir': async () => {
      if (!deps.desktop) throw unavailable('Opening folders');
      return { opened: await deps.desktop.openFolder(deps.dataDir) };
    },

    'kits.scan': async () => {
      const roots: Array<{ kind: 'removable' | 'folder'; label: string; path: string }> = [
        ...(await deps.removableRoots()).map((r) => ({ kind: 'removable' as const, label: r.label, path: r.path })),
        ...deps.kitFolders.map((f) => ({ kind: 'folder' as const, label: `Kit folder “${path.basename(f) || f}”`, path: f })),
      ];
      const kits: ReturnType<typeof register>[] = [];
      const searched = [];
      for (const root of roots) {
        try {
          const found = await findKits(root.path);
          for (const kit of found) kits.push(register(kit, root.kind, root.label));
          searched.push({ ...root, found: found.length });
        } catch (error) {
          searched.push({ ...root, found: 0, problem: error instanceof AirlockError ? error.message : String(error) });
        }
      }
      return { kits, searched };
    },

    'kits.choose': async ({ kind }) => {
      if (!deps.desktop) throw unavailable('The file dialog');
      const chosen = await deps.desktop.chooseKit(kind);
      if (chosen === null) return { kit: null };
      return { kit: register(await inspectChosenPath(chosen), 'dialog', 'Chosen in a dialog') };
    },

    'kits.dropped': async ({ paths }) => {
      if (!deps.desktop) throw unavailable('Dropping files');
      const kits = [];
      const rejected = [];
      for (const p of paths) {
        try {
          kits.push(register(await inspectChosenPath(p), 'drop', 'Dropped on the window'));
        } catch (error) {
          rejected.push({ name: path.basename(p), reason: error instanceof AirlockError ? error.message : String(error) });
        }
      }
      return { kits, rejected };
    },

    'kit.verify': async ({ kit, operationId }, ctx) => {
      const handle = deps.handles.get(kit);
      const trust = await deps.trust.trustInput();
      deps.handles.setVerification(kit, null);
      const outcome = await operations.run(operationId, ctx, (signal) =>
        deps.jobs.run({ kind: 'verify', kitPath: handle.path, trust, ...resources }, { signal, onProgress: progressTo(ctx, operationId) }),
      );
      if (outcome.kind !== 'verify') throw new AirlockError('INTERNAL', 'the verify worker answered with another job kind');
      deps.handles.setVerification(kit, outcome.verification);
      return outcome.verification;
    },

    'kit.preflight': async ({ kit }, ctx) => {
      const handle = deps.handles.get(kit);
      // Normally the kit was verified first; otherwise the report says its kit.json was not checked.
      const manifest = handle.verification?.manifest ?? (await readKitManifest(handle.path, { signal: ctx.signal }));
      return deps.preflight.run({
        manifest,
        manifestVerified: handle.verification !== null,
        dataDir: deps.dataDir,
        kitMediumPath: handle.path,
      });
    },

    'kit.import': async ({ kit, operationId }, ctx) => {
      const handle = deps.handles.get(kit);
      const trust = await deps.trust.trustInput();
      const outcome = await operations.run(operationId, ctx, (signal) =>
        deps.jobs.run(
          { kind: 'import', kitPath: handle.path, trust, dataDir: deps.dataDir, command: `airlock ${deps.mode === 'electron' ? 'desktop' : 'serve'}: import ${handle.name}`, ...resources },
          { signal, onProgress: progressTo(ctx, operationId) },
        ),
      );
      if (outcome.kind !== 'import') throw new AirlockError('INTERNAL', 'the import worker answered with another job kind');
      return outcome.result;
    },

    'operation.cancel': ({ operationId }) => ({ cancelled: operations.cancel(operationId) }),

    'registry.list': async () => ({ releases: (await deps.registry()).list() }),
    'registry.show': async ({ name, version }) => (await deps.registry()).show(name, version),
    'registry.diff': async ({ from, to }) => (await deps.registry()).diff(from, to),

    'trust.get': () => deps.trust.settings(),
    'trust.addKey': (request) => deps.trust.addKey(request),
    'trust.addKeyless': (request) => deps.trust.addKeyless(request),
    'trust.remove': (request) => deps.trust.remove(request),

    ...createInstallHandlers({ ...deps, operations }),
  };
}
