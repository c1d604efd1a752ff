// A kit worker for the cancel tests: the real job code, except that a verify
// is paced (PACE_MS per chunk, so the progress bar visibly moves) and stops
// streaming for good once HOLD_AFTER_BYTES have been read, until it is
// cancelled. So "cancel during verify" never races the clock, however fast
// the machine hashes. Small kits never reach the hold and are barely slowed.
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { KitJobData } from '../../../electron/workers/kit-job.ts';
import { serveKitJob } from '../../../electron/workers/kit-worker-host.ts';

export const HOLD_AFTER_BYTES = 20 * 1024 * 1024;
const PACE_MS = 25;
const PACE_FROM_BYTES = 1024 * 1024;

if (parentPort) {
  await serveKitJob(parentPort, workerData as KitJobData, {
    openSink: (signal) => {
      let streamed = 0;
      return () => ({
        async write(chunk: Uint8Array) {
          streamed += chunk.length;
          if (streamed > HOLD_AFTER_BYTES && !signal.aborted) {
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          } else if (streamed > PACE_FROM_BYTES && !signal.aborted) {
            await sleep(PACE_MS);
          }
        },
        end() {},
        abort() {},
      });
    },
  });
}
