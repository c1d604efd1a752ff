// Import this FIRST in code that runs under the renderer's CSP (the renderer
// entry and the preload): zod probes `new Function` when a schema is built,
// and a CSP without 'unsafe-eval' reports that probe as a violation. jitless
// skips the probe and compiles nothing.
import { z } from 'zod';

z.config({ jitless: true });
