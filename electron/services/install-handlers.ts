// The handlers behind the window's install, releases, evidence and audit
// screens. Plans, status and the audit chain are read on the main side (short
// reads of the catalog and the root); installs, rollbacks and evidence exports
// run in the kit worker. The install root comes from InstallRootSetting; the
// page never sends a path, and evidence bundles are named to it by handle.
import path from 'node:path';
import { AirlockError } from '../../shared/airlock-error.ts';
import type { AppMode } from '../../shared/ipc-contract.ts';
import type { PreflightReport } from '../../shared/preflight.ts';
import type { ProgressEvent } from '../../shared/progress.ts';
import { openAuditLog } from '../core/evidence/audit-catalog.ts';
import { InstallService } from '../core/install/install-service.ts';
import type { PreflightInput } from '../core/preflight/preflight-service.ts';
import type { Registry } from '../core/registry/registry.ts';
import { defaultResourcesDir, resolveTrustPolicy, type ResolvedTrustPolicy, type TrustInput } from '../core/trust/trust-policy.ts';
import type { HandlerContext, IpcHandlers } from '../ipc/contract-dispatcher.ts';
import { recordedWorkstationKey } from '../core/evidence/audit-catalog.ts';
import { installPlanDigest, rollbackPlanDigest } from '../workers/install-plan-digest.ts';
import type { StepsSnapshot } from '../workers/operation-steps.ts';
import type { DesktopAbilities } from './airlock-handlers.ts';
import type { EvidenceHandleRegistry } from './evidence-handles.ts';
import { installHistory } from './install-history.ts';
import type { InstallRootSetting } from './install-root-setting.ts';
import type { KitJobRunner } from './kit-job-runner.ts';
import type { OperationTracker } from './operation-tracker.ts';
import type { TrustPolicyStore } from './trust-policy-store.ts';

/** Exported evidence bundles go here, one folder per operation. */
export const EVIDENCE_DIR = 'evidence';

export interface InstallHandlersDeps {
  mode: AppMode;
  version: string;
  dataDir: string;
  resourcesDir?: string;
  desktop?: DesktopAbilities;
  operations: OperationTracker;
  trust: TrustPolicyStore;
  jobs: KitJobRunner;
  preflight: { run(input: PreflightInput): Promise<PreflightReport> };
  registry(): Promise<Registry>;
  installRoot: InstallRootSetting;
  evidence: EvidenceHandleRegistry;
}

export type InstallChannel =
  | 'settings.installRoot'
  | 'settings.chooseInstallRoot'
  | 'workstation.key'
  | 'install.plan'
  | 'install.run'
  | 'install.status'
  | 'releases.list'
  | 'rollback.plan'
  | 'rollback.run'
  | 'evidence.export'
  | 'evidence.openFolder'
  | 'audit.status'
  | 'audit.list';

/** How many operations the Releases view lists. */
export const HISTORY_LIMIT = 50;

export function createInstallHandlers(deps: InstallHandlersDeps): Pick<IpcHandlers, InstallChannel> {
  const resources = deps.resourcesDir === undefined ? {} : { resourcesDir: deps.resourcesDir };
  const face = deps.mode === 'electron' ? 'desktop' : 'serve';

  const trustInput = async (): Promise<TrustInput | null> => {
    try {
      return await deps.trust.trustInput();
    } catch (error) {
      if (error instanceof AirlockError && error.code === 'TRUST_POLICY_MISSING') return null;
      throw error;
    }
  };
  const trustPolicy = async (input: TrustInput | null): Promise<ResolvedTrustPolicy | undefined> =>
    input === null ? undefined : resolveTrustPolicy(input, resources);

  /** The install service over the window's registry, with the window's host preflight. */
  const installService = async (): Promise<InstallService> =>
    new InstallService({
      registry: await deps.registry(),
      preflight: (r) => deps.preflight.run({ manifest: r.manifest, manifestVerified: true, installRoot: r.installRoot, dataDir: r.dataDir }),
    });

  const emitters = (ctx: HandlerContext, operationId: string, state: { cancellable: boolean }) => ({
    onProgress: (progress: ProgressEvent): void => ctx.emit('operation.progress', { operationId, progress }),
    onSteps: (snapshot: StepsSnapshot): void => {
      state.cancellable = snapshot.cancellable;
      ctx.emit('operation.steps', { operationId, ...snapshot });
    },
  });

  const withAudit = <T>(read: (log: ReturnType<typeof openAuditLog>['log']) => T): T => {
    const audit = openAuditLog(deps.dataDir);
    try {
      return read(audit.log);
    } finally {
      audit.close();
    }
  };

  return {
    'settings.installRoot': () => deps.installRoot.current(),

    'settings.chooseInstallRoot': async () => {
      if (!deps.desktop) throw new AirlockError('UNAVAILABLE', 'the folder dialog is only available in the desktop app; start "airlock serve" with --root DIR instead');
      const chosen = await deps.desktop.chooseFolder('Choose the install root');
      return chosen === null ? deps.installRoot.current() : deps.installRoot.set(chosen);
    },

    'workstation.key': () => {
      const key = recordedWorkstationKey(deps.dataDir);
      return { fingerprint: key.fingerprint, publicKeyPath: key.publicKeyPath };
    },

    'install.plan': async ({ release }) => {
      const root = await deps.installRoot.require();
      const policy = await trustPolicy(await trustInput());
      const plan = await (await installService()).plan(release.name, release.version, root, policy ? { trustPolicy: policy } : {});
      return { plan, planDigest: installPlanDigest(plan) };
    },

    'install.run': async (request, ctx) => {
      const root = await deps.installRoot.require();
      const trust = await trustInput();
      const policy = await trustPolicy(trust);
      const { name, version } = request.release;
      // The plan again, for its preflight and to catch a change before the worker starts.
      const plan = await (await installService()).plan(name, version, root, policy ? { trustPolicy: policy } : {});
      if (installPlanDigest(plan) !== request.planDigest) {
        throw new AirlockError('PLAN_CHANGED', `the plan for ${name} ${version} changed since it was shown; nothing was changed`, { details: { release: `${name}@${version}` } });
      }
      const state = { cancellable: true };
      const outcome = await deps.operations.run(request.operationId, ctx, (signal) =>
        deps.jobs.run({
          kind: 'install',
          dataDir: deps.dataDir,
          root,
          release: { name, version },
          trust,
          ...resources,
          preflight: plan.preflight.report,
          planDigest: request.planDigest,
          confirmation: { acknowledgeWarnings: request.acknowledgeWarnings, allowDestructive: request.allowDestructive },
          command: `airlock ${face}: install ${name}@${version}`,
        }, { signal, ...emitters(ctx, request.operationId, state) }),
      { cancellable: () => state.cancellable });
      if (outcome.kind !== 'install') throw new AirlockError('INTERNAL', 'the install worker answered with another job kind');
      return outcome.result;
    },

    'install.status': async () => (await installService()).status(await deps.installRoot.require()),

    'releases.list': async () => {
      const service = await installService();
      const status = await service.status(await deps.installRoot.require());
      const { history, more } = installHistory((await deps.registry()).catalog.db, status.root, HISTORY_LIMIT);
      return { status, history, moreHistory: more };
    },

    'rollback.plan': async ({ to }) => {
      const plan = await (await installService()).planRollback(await deps.installRoot.require(), { to });
      return { plan, planDigest: rollbackPlanDigest(plan) };
    },

    'rollback.run': async (request, ctx) => {
      const root = await deps.installRoot.require();
      const plan = await (await installService()).planRollback(root, { to: request.to });
      if (rollbackPlanDigest(plan) !== request.planDigest) {
        throw new AirlockError('PLAN_CHANGED', `the rollback to ${request.to} changed since it was shown; nothing was changed`);
      }
      const state = { cancellable: false };
      const outcome = await deps.operations.run(request.operationId, ctx, (signal) =>
        deps.jobs.run({ kind: 'rollback', dataDir: deps.dataDir, root, to: request.to, planDigest: request.planDigest, command: `airlock ${face}: rollback to ${request.to}` }, {
          signal,
          ...emitters(ctx, request.operationId, state),
        }),
      { cancellable: () => false });
      if (outcome.kind !== 'rollback') throw new AirlockError('INTERNAL', 'the rollback worker answered with another job kind');
      return outcome.result;
    },

    'evidence.export': async ({ operation }, ctx) => {
      const outcome = await deps.jobs.run({
        kind: 'evidence',
        dataDir: deps.dataDir,
        operationId: operation,
        evidenceDir: path.join(deps.dataDir, EVIDENCE_DIR),
        airlockVersion: deps.version,
        fontsDir: path.join(deps.resourcesDir ?? defaultResourcesDir(), 'fonts'),
      }, { signal: ctx.signal, onProgress: () => {} });
      if (outcome.kind !== 'evidence') throw new AirlockError('INTERNAL', 'the evidence worker answered with another job kind');
      const r = outcome.result;
      const ref = deps.evidence.register(r.outDir, r.operationId);
      return {
        handle: ref.id,
        folder: r.outDir,
        operationId: r.operationId,
        operationType: r.operationType,
        verdict: r.verdict,
        auditHead: r.auditHead,
        workstationFingerprint: r.workstationFingerprint,
        files: r.files,
        evidenceSumsSha256: r.evidenceSumsSha256,
        reportDownload: deps.mode === 'console' ? deps.evidence.downloadPath(ref.id, 'report.pdf') : null,
      };
    },

    'evidence.openFolder': async ({ handle }) => {
      if (!deps.desktop) throw new AirlockError('UNAVAILABLE', 'opening folders is only available in the desktop app; download report.pdf instead');
      return { opened: await deps.desktop.openFolder(deps.evidence.get(handle).folder) };
    },

    'audit.status': () =>
      withAudit((log) => {
        const result = log.verify();
        const head = log.head();
        return result.ok
          ? { ok: true, count: result.count, head, firstBadSeq: null, reason: null }
          : { ok: false, count: result.count, head, firstBadSeq: result.firstBadSeq, reason: result.reason };
      }),

    'audit.list': ({ page, pageSize }) =>
      withAudit((log) => {
        const total = log.head()?.seq ?? 0;
        const throughSeq = total - page * pageSize;
        const records = throughSeq < 1 ? [] : log.list({ sinceSeq: Math.max(1, throughSeq - pageSize + 1), throughSeq }).reverse();
        return { records, total, page, pageSize };
      }),
  };
}
