// The install-side long work of the window, run in the kit worker thread (see
// kit-job.ts): installing a release, rolling back, and exporting an
// operation's evidence bundle. Each opens its own registry connection, as the
// CLI does, and reports the install service's recorded steps as they happen.
//
// The window confirmed a plan made on the main side; the worker's service
// makes the plan again under the install root's lock and goes ahead only if
// its digest is the one confirmed (install-plan-digest.ts). The host preflight
// was run by the main side for that plan (the window's host probe lives
// there) and is handed over as its report.
import fs from 'node:fs';
import path from 'node:path';
import { AirlockError } from '../../shared/airlock-error.ts';
import type { PreflightReport } from '../../shared/preflight.ts';
import type { OperationStep } from '../../shared/ipc-install-schemas.ts';
import { recordedWorkstationKey } from '../core/evidence/audit-catalog.ts';
import { AuditLog, defaultAuditIdentity } from '../core/evidence/audit-log.ts';
import { findOperation } from '../core/evidence/evidence-collector.ts';
import { EVIDENCE_FILES } from '../core/evidence/evidence-files.ts';
import { exportEvidence, type EvidenceExportResult } from '../core/evidence/evidence-exporter.ts';
import type { InstallCrashPoint } from '../core/install/install-crash-points.ts';
import { InstallService } from '../core/install/install-service.ts';
import type { InstallResult, RollbackResult } from '../core/install/install-types.ts';
import { Registry } from '../core/registry/registry.ts';
import { resolveTrustPolicy, type TrustInput } from '../core/trust/trust-policy.ts';
import { installPlanDigest, rollbackPlanDigest } from './install-plan-digest.ts';
import { OperationStepTracker, type StepsSnapshot } from './operation-steps.ts';

export interface InstallJob {
  kind: 'install';
  dataDir: string;
  root: string;
  release: { name: string; version: string };
  /** The trust policy (decides whether a downgrade is allowed); null when none is set up. */
  trust: TrustInput | null;
  resourcesDir?: string;
  /** The host preflight the main side ran for this plan. */
  preflight: PreflightReport;
  planDigest: string;
  confirmation: { acknowledgeWarnings: boolean; allowDestructive: boolean };
  command: string;
}

export interface RollbackJob {
  kind: 'rollback';
  dataDir: string;
  root: string;
  to: string;
  planDigest: string;
  command: string;
}

export interface EvidenceJob {
  kind: 'evidence';
  dataDir: string;
  operationId: number;
  /** The folder the bundle folders go in (<data-dir>/evidence). */
  evidenceDir: string;
  airlockVersion: string;
  fontsDir: string;
}

export interface InstallJobOptions {
  signal: AbortSignal;
  onSteps?: (snapshot: StepsSnapshot) => void;
  /** Called at each checkpoint after the steps were read and sent. */
  checkpoint?: (point: InstallCrashPoint) => void;
}

/** What the window says it confirmed, for the operation record. */
export const WINDOW_CONFIRMATION = 'confirmed in the Airlock window';

function planChanged(what: string): AirlockError {
  return new AirlockError('PLAN_CHANGED', `the ${what} plan changed between showing it and starting; nothing was changed`);
}

function failedOperationId(error: unknown): number | undefined {
  const id = error instanceof AirlockError ? error.details?.operationId : undefined;
  return typeof id === 'number' ? id : undefined;
}

export async function runInstallJob(job: InstallJob, options: InstallJobOptions): Promise<InstallResult & { steps: OperationStep[] }> {
  const trustPolicy = job.trust === null ? undefined : await resolveTrustPolicy(job.trust, job.resourcesDir === undefined ? {} : { resourcesDir: job.resourcesDir });
  const registry = await Registry.open(job.dataDir);
  const root = path.resolve(job.root);
  const tracker = new OperationStepTracker(registry.catalog.db, { root, type: 'install', emit: (s) => options.onSteps?.(s) });
  try {
    const service = new InstallService({
      registry,
      preflight: async ({ manifest }) => {
        const kit = job.preflight.kit;
        if (!kit || kit.name !== manifest.name || kit.version !== manifest.version) {
          throw new AirlockError('INTERNAL', `the preflight handed to the install is for ${kit ? `${kit.name}@${kit.version}` : 'no kit'}, not ${manifest.name}@${manifest.version}`);
        }
        return job.preflight;
      },
      checkpoint: (point) => {
        tracker.checkpoint(point);
        options.checkpoint?.(point);
      },
    });
    try {
      const result = await service.install(job.release.name, job.release.version, root, {
        ...(trustPolicy ? { trustPolicy } : {}),
        signal: options.signal,
        command: job.command,
        confirm: (plan) => {
          if (installPlanDigest(plan) !== job.planDigest) throw planChanged('install');
          return { proceed: true, acknowledgeWarnings: job.confirmation.acknowledgeWarnings, allowDestructive: job.confirmation.allowDestructive, how: WINDOW_CONFIRMATION };
        },
      });
      return { ...result, steps: tracker.refresh(result.operationId).steps };
    } catch (error) {
      const id = failedOperationId(error);
      if (id !== undefined) tracker.refresh(id);
      throw error;
    }
  } finally {
    registry.close();
  }
}

export async function runRollbackJob(job: RollbackJob, options: InstallJobOptions): Promise<RollbackResult & { steps: OperationStep[] }> {
  const registry = await Registry.open(job.dataDir);
  const root = path.resolve(job.root);
  const tracker = new OperationStepTracker(registry.catalog.db, { root, type: 'rollback', emit: (s) => options.onSteps?.(s) });
  try {
    const service = new InstallService({
      registry,
      // A rollback runs no preflight; the service never asks.
      preflight: () => Promise.reject(new AirlockError('INTERNAL', 'a rollback does not run a preflight')),
      checkpoint: (point) => {
        tracker.checkpoint(point);
        options.checkpoint?.(point);
      },
    });
    try {
      const result = await service.rollback(root, {
        to: job.to,
        command: job.command,
        confirm: (plan) => {
          if (rollbackPlanDigest(plan) !== job.planDigest) throw planChanged('rollback');
          return { proceed: true, how: WINDOW_CONFIRMATION };
        },
      });
      return { ...result, steps: tracker.refresh(result.operationId).steps };
    } catch (error) {
      const id = failedOperationId(error);
      if (id !== undefined) tracker.refresh(id);
      throw error;
    }
  } finally {
    registry.close();
  }
}


/** "<id>-<type>-<name>-<version>": stable across exports of the same operation, safe as a folder name everywhere. */
export function evidenceFolderName(operation: { id: number; type: string; details: Record<string, unknown> }): string {
  const release = typeof operation.details.release === 'string' ? operation.details.release.replace('@', '-') : '';
  const raw = [String(operation.id), operation.type, release].filter(Boolean).join('-');
  return `operation-${raw.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 120)}`;
}

/**
 * Exports the operation's bundle into <evidenceDir>/<stable name>. An earlier
 * export of the same operation there is replaced: the bundle is a function of
 * recorded data, so the new one says the same (with a fresh signature).
 */
export async function runEvidenceJob(job: EvidenceJob): Promise<EvidenceExportResult> {
  const workstationKey = recordedWorkstationKey(job.dataDir);
  const registry = await Registry.open(job.dataDir);
  try {
    const operation = findOperation(registry.catalog.db, job.operationId);
    if (operation.status === 'running') {
      throw new AirlockError('OPERATION_NOT_FOUND', `operation ${job.operationId} is still running; export its evidence when it has ended`, { field: 'operation' });
    }
    const outDir = path.join(job.evidenceDir, evidenceFolderName(operation));
    removeEarlierExport(outDir);
    return await exportEvidence({
      db: registry.catalog.db,
      audit: new AuditLog(registry.catalog.db, { clock: () => new Date(), ...defaultAuditIdentity() }),
      readBlob: (digest) => registry.store.read(digest),
      workstationKey,
      airlockVersion: job.airlockVersion,
      fontsDir: job.fontsDir,
    }, { operationId: job.operationId, outDir });
  } finally {
    registry.close();
  }
}

/** Removes a folder an earlier export wrote (it holds EVIDENCE.SHA256SUMS, or nothing); refuses anything else. */
function removeEarlierExport(outDir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(outDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new AirlockError('IO_ERROR', `cannot read ${outDir}: ${(error as Error).message}`, { path: outDir, cause: error });
  }
  if (names.length > 0 && !names.includes(EVIDENCE_FILES.evidenceSums)) {
    throw new AirlockError('OUTPUT_EXISTS', `${outDir} holds files that are not an evidence bundle; move them away and export again`, { path: outDir });
  }
  fs.rmSync(outDir, { recursive: true, force: true });
}
