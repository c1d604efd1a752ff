// Worker-thread entry for verify and import (see kit-job.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { KitJobData } from './kit-job.ts';
import { serveKitJob } from './kit-worker-host.ts';

if (parentPort) await serveKitJob(parentPort, workerData as KitJobData);
