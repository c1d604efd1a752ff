// A kit worker for the install tests: the real job code, except that an
// install holds after its backup step while <data-dir>/e2e-hold-install
// exists, so the test can see the running install, its live steps and its
// Cancel button, press Cancel, and then remove the file to let it go on. The
// hold blocks this worker thread only (Atomics.wait); its step messages are
// already on their way to the main side.
import fs from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { KitJobData } from '../../../electron/workers/kit-job.ts';
import { serveKitJob } from '../../../electron/workers/kit-worker-host.ts';

export const HOLD_FILE = 'e2e-hold-install';
const MAX_HOLD_MS = 20_000;

if (parentPort) {
  const data = workerData as KitJobData;
  const marker = 'dataDir' in data.job ? path.join(data.job.dataDir, HOLD_FILE) : null;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  await serveKitJob(parentPort, data, {
    checkpoint: (point) => {
      if (point !== 'install-backed-up' || marker === null) return;
      const until = Date.now() + MAX_HOLD_MS;
      while (fs.existsSync(marker) && Date.now() < until) Atomics.wait(pause, 0, 0, 50);
    },
  });
}
