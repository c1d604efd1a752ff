// The worker side of a kit job: reads the job from workerData, runs it, posts
// progress (and an install's steps) and the outcome, and aborts when the main
// side says cancel.
import type { MessagePort } from 'node:worker_threads';
import { toErrorPayload } from '../../shared/airlock-error.ts';
import { runKitJob, type FromWorker, type KitJobData, type KitJobHooks, type ToWorker } from './kit-job.ts';

export async function serveKitJob(port: MessagePort, data: KitJobData, hooks: KitJobHooks = {}): Promise<void> {
  const abort = new AbortController();
  const post = (message: FromWorker): void => port.postMessage(message);
  port.on('message', (message: ToWorker) => {
    if (message?.type === 'cancel') abort.abort();
  });
  try {
    const result = await runKitJob(data.job, {
      signal: abort.signal,
      onProgress: (progress) => post({ type: 'progress', progress }),
      onSteps: (steps) => post({ type: 'steps', steps }),
      hooks,
    });
    post({ type: 'done', result });
  } catch (error) {
    post({ type: 'failed', error: toErrorPayload(error) });
  } finally {
    // Let the thread end once the messages are out.
    port.close();
  }
}
