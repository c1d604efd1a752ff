// Runs a kit job (verify, import, install, rollback, evidence export) in a
// worker thread: one thread per job, so a crash or a stuck read cannot take
// the window or the server with it. Cancel travels as a message; the worker
// aborts its own AbortSignal and answers CANCELLED after closing its files. A
// verify or import that does not answer within the grace period is terminated
// (the registry is crash-safe, so that is safe too). An install, rollback or
// export is never terminated: past its point of no return it finishes, and
// before it the install service undoes what it did and answers CANCELLED.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AirlockError } from '../../shared/airlock-error.ts';
import type { ProgressListener } from '../../shared/progress.ts';
import { jobSubject, type FromWorker, type KitJob, type KitJobData, type KitJobResult, type ToWorker } from '../workers/kit-job.ts';
import type { StepsSnapshot } from '../workers/operation-steps.ts';

export interface KitJobRunOptions {
  signal: AbortSignal;
  onProgress: ProgressListener;
  /** Install and rollback: the recorded steps, each time they change. */
  onSteps?: (snapshot: StepsSnapshot) => void;
}

export interface KitJobRunner {
  run(job: KitJob, options: KitJobRunOptions): Promise<KitJobResult>;
}

/** Jobs a cancel may stop by force after the grace period; the others always run to their own end. */
const TERMINABLE: ReadonlySet<KitJob['kind']> = new Set(['verify', 'import']);

/** The worker entry next to this build: kit-worker.ts from a checkout, kit-worker.js in a package. */
export function defaultKitWorkerUrl(): URL {
  const ext = path.extname(fileURLToPath(import.meta.url));
  return new URL(`../workers/kit-worker${ext}`, import.meta.url);
}

export interface WorkerKitJobRunnerOptions {
  workerUrl?: URL;
  /** How long a cancelled worker may take to stop by itself. */
  cancelGraceMs?: number;
}

export class WorkerKitJobRunner implements KitJobRunner {
  readonly #workerUrl: URL;
  readonly #graceMs: number;

  constructor(options: WorkerKitJobRunnerOptions = {}) {
    this.#workerUrl = options.workerUrl ?? defaultKitWorkerUrl();
    this.#graceMs = options.cancelGraceMs ?? 15_000;
  }

  run(job: KitJob, options: KitJobRunOptions): Promise<KitJobResult> {
    const { signal, onProgress } = options;
    const subject = jobSubject(job);
    if (signal.aborted) return Promise.reject(new AirlockError('CANCELLED', `the ${job.kind} was cancelled before it started`, { path: subject }));
    const data: KitJobData = { job };
    const worker = new Worker(this.#workerUrl, { workerData: data });
    return new Promise<KitJobResult>((resolve, reject) => {
      let settled = false;
      let killTimer: NodeJS.Timeout | undefined;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (killTimer) clearTimeout(killTimer);
        fn();
      };
      const onAbort = (): void => {
        worker.postMessage({ type: 'cancel' } satisfies ToWorker);
        if (!TERMINABLE.has(job.kind)) return;
        killTimer = setTimeout(() => {
          void worker.terminate();
          finish(() => reject(new AirlockError('CANCELLED', `the ${job.kind} was cancelled`, { path: subject })));
        }, this.#graceMs);
        killTimer.unref();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'progress') {
          if (!settled) onProgress(message.progress);
        } else if (message.type === 'steps') {
          if (!settled) options.onSteps?.(message.steps);
        } else if (message.type === 'done') {
          finish(() => resolve(message.result));
        } else if (message.type === 'failed') {
          finish(() => reject(AirlockError.fromPayload(message.error)));
        }
      });
      worker.on('error', (error) => {
        finish(() => reject(new AirlockError('INTERNAL', `the ${job.kind} worker failed: ${error.message}`, { path: subject, cause: error })));
      });
      worker.on('exit', (code) => {
        finish(() => reject(new AirlockError('INTERNAL', `the ${job.kind} worker stopped (exit code ${code}) before it reported a result`, { path: subject })));
      });
    });
  }
}
