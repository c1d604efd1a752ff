import { AirlockError } from '../../../shared/airlock-error.ts';
import { startConsoleMode, type ConsoleModeOptions, type RunningConsoleMode } from '../../server/console-mode.ts';
import type { CommandContext, CommandSpec } from '../cli-types.ts';

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) throw new AirlockError('USAGE', `--port takes a port number from 0 to 65535, got "${value}"`, { field: '--port' });
  return n;
}

export function servingText(running: RunningConsoleMode): string {
  const port = running.server.port;
  return [
    'Airlock console mode is running on 127.0.0.1 only.',
    `  Open:         ${running.server.url}`,
    '                The link signs in one browser once; keep it private.',
    `  From afar:    ssh -L ${port}:127.0.0.1:${port} THIS-HOST, then open the link on your machine.`,
    `  Data folder:  ${running.dataDir}`,
    `  Trust policy: ${running.policyPath}`,
    `  Install root: ${running.installRoot ?? 'none (start with --root DIR to install from the window)'}`,
    `  Kit folders:  ${running.kitFolders.join(', ')} (and removable drives)`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

/** Waits for SIGINT/SIGTERM (the CLI aborts ctx.signal on either). */
function untilStopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export interface ServeCommandOptions {
  /** Extra service options (tests inject a fixture host or a paced worker). */
  services?: Partial<ConsoleModeOptions>;
}

export function createServeCommand(extra: ServeCommandOptions = {}): CommandSpec {
  return {
    words: ['serve'],
    summary: 'console mode: the desktop app in a browser, on 127.0.0.1 with a one-time sign-in link',
    usage: 'serve [--port N] [--kits DIR ...] [--policy FILE] [--root DIR]',
    help: [
      'Serves the same screens and actions as the desktop app to a browser on this machine, for servers',
      'without a display (reach it through an SSH tunnel). Listens on 127.0.0.1 only, on a random port',
      'unless --port is given, and prints a link with a one-time token: the first browser that opens it',
      'is signed in and the link stops working. Kits are offered from removable drives, from the data',
      'folder\'s incoming/ folder and from every --kits DIR. The trust policy Settings edits is',
      '<data-dir>/trust-policy.json unless --policy FILE is given. --root DIR is the install root the window',
      'installs into and rolls back (shown read-only in Settings); without it the window can import but not install.',
    ].join('\n'),
    options: { port: { type: 'string' }, kits: { type: 'string', multiple: true }, policy: { type: 'string' }, root: { type: 'string' } },
    positionals: { min: 0, max: 0 },
    async run(ctx: CommandContext) {
      const port = parsePort(ctx.options.port as string | undefined);
      const kitFolders = ((ctx.options.kits as string[] | undefined) ?? []).map((d) => ctx.resolvePath(d));
      const policy = ctx.options.policy as string | undefined;
      const root = ctx.options.root as string | undefined;
      if (root === '') throw new AirlockError('USAGE', '--root takes the install root folder', { field: '--root' });
      const running = await startConsoleMode({
        dataDir: ctx.dataDir,
        kitFolders,
        port,
        ...(policy !== undefined ? { policyPath: ctx.resolvePath(policy) } : {}),
        ...(root !== undefined ? { installRoot: ctx.resolvePath(root) } : {}),
        log: (line) => ctx.io.stderr.write(`${new Date().toISOString()} ${line}\n`),
        ...extra.services,
      });
      if (ctx.json) {
        ctx.io.stdout.write(`${JSON.stringify({ listening: true, url: running.server.url, port: running.server.port, dataDir: running.dataDir, policyPath: running.policyPath, kitFolders: running.kitFolders, installRoot: running.installRoot })}\n`);
      } else {
        ctx.io.stdout.write(servingText(running));
      }
      try {
        await untilStopped(ctx.signal);
      } finally {
        await running.close();
      }
      return { json: { stopped: true }, text: 'Console mode stopped.' };
    },
  };
}

export const serveCommand = createServeCommand();
