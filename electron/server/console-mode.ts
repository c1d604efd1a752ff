// Console mode as one call: compose the services for the "console" face and
// serve them. `airlock serve`, `npm start` without an Electron binary and the
// end-to-end tests all start console mode through here.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAirlockServices, type AirlockServicesOptions } from '../services/airlock-services.ts';
import { startConsoleServer, type ConsoleServer } from './console-server.ts';

export interface ConsoleModeOptions extends Omit<AirlockServicesOptions, 'mode' | 'desktop'> {
  port?: number;
  rendererDir?: string;
  log?: (line: string) => void;
}

export interface RunningConsoleMode {
  server: ConsoleServer;
  dataDir: string;
  kitFolders: string[];
  policyPath: string;
  /** The install root given with --root, if any. */
  installRoot: string | null;
  close(): Promise<void>;
}

/** dist/renderer of this checkout (or of the package the compiled files sit in). */
export function defaultRendererDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // electron/server → repo root; dist/electron/server → dist/.. (the same root).
  const root = path.basename(path.resolve(here, '../..')) === 'dist' ? path.resolve(here, '../../..') : path.resolve(here, '../..');
  return path.join(root, 'dist', 'renderer');
}

export async function startConsoleMode(options: ConsoleModeOptions): Promise<RunningConsoleMode> {
  const { port, rendererDir, log, ...serviceOptions } = options;
  const services = createAirlockServices({
    ...serviceOptions,
    mode: 'console',
    onDefect: options.onDefect ?? ((channel, error) => log?.(`defect in ${channel}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)),
  });
  let server: ConsoleServer;
  try {
    server = await startConsoleServer({
      dispatcher: services.dispatcher,
      rendererDir: rendererDir ?? defaultRendererDir(),
      resolveDownload: (urlPath) => services.resolveDownload(urlPath),
      ...(port !== undefined ? { port } : {}),
      ...(log ? { log } : {}),
    });
  } catch (error) {
    services.close();
    throw error;
  }
  return {
    server,
    dataDir: services.dataDir,
    kitFolders: services.kitFolders,
    policyPath: services.policyPath,
    installRoot: services.installRoot,
    async close() {
      await server.close();
      services.close();
    },
  };
}
