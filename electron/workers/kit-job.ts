// The long work of the desktop app and console mode: verifying a kit,
// importing it into the registry, and (install-job.ts) installing, rolling
// back and exporting evidence. It runs inside a worker thread (kit-worker.ts),
// never on the Electron main thread (DESIGN §2 rule 5); this module is the
// part that does not know it is in a worker, so tests can also call it directly.
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import type { OperationStep } from '../../shared/ipc-install-schemas.ts';
import type { KitVerification } from '../../shared/kit-verification.ts';
import type { ProgressEvent, ProgressListener } from '../../shared/progress.ts';
import type { EvidenceExportResult } from '../core/evidence/evidence-exporter.ts';
import type { InstallCrashPoint } from '../core/install/install-crash-points.ts';
import type { InstallResult, RollbackResult } from '../core/install/install-types.ts';
import { verifyKit, type VerifyKitOptions } from '../core/kit/kit-verifier.ts';
import { Registry } from '../core/registry/registry.ts';
import type { ImportResult } from '../core/registry/registry-types.ts';
import { SignatureVerifier } from '../core/trust/signature-verifier.ts';
import { resolveTrustPolicy, type TrustInput } from '../core/trust/trust-policy.ts';
import { runEvidenceJob, runInstallJob, runRollbackJob, type EvidenceJob, type InstallJob, type RollbackJob } from './install-job.ts';
import type { StepsSnapshot } from './operation-steps.ts';

export type KitJob =
  | { kind: 'verify'; kitPath: string; trust: TrustInput; resourcesDir?: string }
  | { kind: 'import'; kitPath: string; trust: TrustInput; dataDir: string; resourcesDir?: string; command: string }
  | InstallJob
  | RollbackJob
  | EvidenceJob;

/** How long an import from the window waits for another holder of the registry lock. */
export const IMPORT_LOCK_WAIT_SECONDS = 10;

export type KitJobResult =
  | { kind: 'verify'; verification: KitVerification }
  | { kind: 'import'; result: ImportResult }
  | { kind: 'install'; result: InstallResult & { steps: OperationStep[] } }
  | { kind: 'rollback'; result: RollbackResult & { steps: OperationStep[] } }
  | { kind: 'evidence'; result: EvidenceExportResult };

/** Messages between the main side and the worker (structured-clone plain data). */
export type ToWorker = { type: 'cancel' };
export type FromWorker =
  | { type: 'progress'; progress: ProgressEvent }
  | { type: 'steps'; steps: StepsSnapshot }
  | { type: 'done'; result: KitJobResult }
  | { type: 'failed'; error: ErrorPayload };

/** What a job is about, for messages: the kit, the install root or the data folder. */
export function jobSubject(job: KitJob): string {
  if (job.kind === 'verify' || job.kind === 'import') return job.kitPath;
  if (job.kind === 'evidence') return job.dataDir;
  return job.root;
}

/** Install and rollback steps as progress: one item per step, so every progress display can show them too. */
export function stepsProgress(snapshot: StepsSnapshot): ProgressEvent {
  const current = snapshot.steps.find((s) => s.outcome === 'running') ?? snapshot.steps.findLast((s) => s.outcome !== 'pending');
  const done = snapshot.steps.filter((s) => s.outcome === 'succeeded' || s.outcome === 'skipped').length;
  return { phase: current?.name ?? 'start', bytesDone: 0, bytesTotal: null, itemsDone: done, itemsTotal: snapshot.steps.length, rate: 0, eta: null };
}

export interface KitJobData {
  job: KitJob;
}

export interface KitJobHooks {
  /** Receives each verified file's bytes during a verify (tests use it to hold the stream). */
  openSink?: (signal: AbortSignal) => VerifyKitOptions['openSink'];
  /** Called at each checkpoint of an install or rollback, after its steps were sent (tests use it to hold one). */
  checkpoint?: (point: InstallCrashPoint) => void;
}

export interface RunKitJobOptions {
  signal: AbortSignal;
  onProgress: ProgressListener;
  /** Install and rollback: the recorded steps, each time they change. */
  onSteps?: (snapshot: StepsSnapshot) => void;
  hooks?: KitJobHooks;
}

export async function runKitJob(job: KitJob, options: RunKitJobOptions): Promise<KitJobResult> {
  if (job.kind === 'install' || job.kind === 'rollback') {
    const onSteps = (snapshot: StepsSnapshot): void => {
      options.onSteps?.(snapshot);
      options.onProgress(stepsProgress(snapshot));
    };
    const checkpoint = options.hooks?.checkpoint;
    const jobOptions = { signal: options.signal, onSteps, ...(checkpoint ? { checkpoint } : {}) };
    if (job.kind === 'install') return { kind: 'install', result: await runInstallJob(job, jobOptions) };
    return { kind: 'rollback', result: await runRollbackJob(job, jobOptions) };
  }
  if (job.kind === 'evidence') return { kind: 'evidence', result: await runEvidenceJob(job) };
  const policy = await resolveTrustPolicy(job.trust, job.resourcesDir === undefined ? {} : { resourcesDir: job.resourcesDir });
  const signature = new SignatureVerifier(policy);
  if (job.kind === 'verify') {
    const openSink = options.hooks?.openSink?.(options.signal);
    const { summary } = await verifyKit(job.kitPath, {
      signature,
      onProgress: options.onProgress,
      signal: options.signal,
      ...(openSink ? { openSink } : {}),
    });
    return { kind: 'verify', verification: summary };
  }
  const registry = await Registry.open(job.dataDir);
  try {
    const result = await registry.import(job.kitPath, {
      signature,
      onProgress: options.onProgress,
      signal: options.signal,
      command: job.command,
      // The window's own registry reads take the lock for a moment at start-up; queue behind them (or a short CLI run) instead of failing at once.
      waitSeconds: IMPORT_LOCK_WAIT_SECONDS,
    });
    return { kind: 'import', result };
  } finally {
    registry.close();
  }
}
