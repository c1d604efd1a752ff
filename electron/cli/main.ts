// The `airlock` command: parses words and flags, runs one service call, prints
// text or one JSON document, and maps failures to exit codes (DESIGN §3):
// 0 success, 1 the operation ran and failed, 2 usage error.
import path from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { AirlockError, toErrorPayload, type ErrorPayload } from '../../shared/airlock-error.ts';
import { ERROR_CATALOG } from '../../shared/error-catalog.ts';
import { defaultDataDir } from '../core/data-dir.ts';
import type { CliIo, CommandSpec } from './cli-types.ts';
import { COMMANDS, type CommandEntry } from './commands/index.ts';
import { recoverInterruptedInstalls, startupRecoveryLines } from './startup-recovery.ts';
import { createTerminalProgress } from './terminal-progress.ts';

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}

async function specOf(entry: CommandEntry): Promise<CommandSpec> {
  return 'load' in entry ? entry.load() : entry;
}

function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  let best: { entry: CommandEntry; rest: string[] } | undefined;
  for (const entry of COMMANDS) {
    const n = entry.words.length;
    if (argv.length >= n && entry.words.every((w, i) => argv[i] === w)) {
      if (!best || n > best.entry.words.length) best = { entry, rest: argv.slice(n) };
    }
  }
  return best;
}

async function overview(): Promise<string> {
  const specs = await Promise.all(COMMANDS.map(specOf));
  const width = Math.max(...specs.map((c) => c.words.join(' ').length));
  const lines = specs.map((c) => `  airlock ${c.words.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    'airlock — verify, import and install signed offline kits',
    '',
    'Commands:',
    ...lines,
    '',
    'Global flags: --json (one JSON document on stdout), --data-dir DIR (or AIRLOCK_DATA_DIR), --help',
    'Exit codes: 0 success, 1 the operation ran and failed, 2 usage error.',
    '',
  ].join('\n');
}

function commandHelp(spec: CommandSpec): string {
  return [`usage: airlock ${spec.usage}`, '', spec.summary, ...(spec.help ? ['', spec.help] : []), ''].join('\n');
}

function printError(io: CliIo, json: boolean, payload: ErrorPayload, extra: Record<string, unknown> = {}): void {
  if (json) {
    io.stdout.write(JSON.stringify({ ok: false, error: payload, ...extra }) + '\n');
    return;
  }
  const title = ERROR_CATALOG[payload.code].title;
  const lines = [`airlock: ${payload.code}: ${title}`, `  what:   ${payload.message}`];
  if (payload.path !== undefined) lines.push(`  path:   ${payload.path}`);
  if (payload.field !== undefined) lines.push(`  field:  ${payload.field}`);
  lines.push(`  remedy: ${payload.remedy}`);
  io.stderr.write(lines.join('\n') + '\n');
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const json = argv.includes('--json');
  const found = findCommand(argv);
  if (!found) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      io.stdout.write(await overview());
      return argv.length === 0 ? 2 : 0;
    }
    const words = argv.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ');
    printError(io, json, toErrorPayload(new AirlockError('USAGE', `unknown command "${words}"; run "airlock --help" for the list`)));
    return 2;
  }
  const { entry, rest } = found;
  const spec = await specOf(entry);
  const abort = new AbortController();
  let recovered: Record<string, unknown> = {};
  const onSignal = (): void => abort.abort(new AirlockError('CANCELLED', 'interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...spec.options }, allowPositionals: true, strict: true });
    } catch (error) {
      throw new AirlockError('USAGE', `${(error as Error).message}\nusage: airlock ${spec.usage}`);
    }
    if (parsed.values.help) {
      io.stdout.write(commandHelp(spec));
      return 0;
    }
    const { positionals } = parsed;
    if (positionals.length < spec.positionals.min || positionals.length > spec.positionals.max) {
      throw new AirlockError('USAGE', `expected ${spec.positionals.min === spec.positionals.max ? spec.positionals.min : `${spec.positionals.min} to ${spec.positionals.max}`} argument(s), got ${positionals.length}\nusage: airlock ${spec.usage}`);
    }
    const dataDirOption = parsed.values['data-dir'] as string | undefined;
    const dataDir = dataDirOption ? path.resolve(io.cwd, dataDirOption) : defaultDataDir(io.env);
    const terminal = createTerminalProgress(io, !json && io.stderrIsTTY);
    const ctx = {
      options: parsed.values,
      positionals,
      io,
      json,
      dataDir,
      progress: terminal.listener,
      signal: abort.signal,
      resolvePath: (p: string) => path.resolve(io.cwd, p),
    };
    const startup = spec.recoversItself ? { recovered: [] } : await recoverInterruptedInstalls(ctx);
    for (const line of startupRecoveryLines(startup)) io.stderr.write(line + '\n');
    recovered = startup.recovered.length > 0 ? { recovered: startup.recovered } : {};
    try {
      const out = await spec.run(ctx);
      terminal.clear();
      const exitCode = out.exitCode ?? 0;
      if (json) io.stdout.write(JSON.stringify({ ok: exitCode === 0, ...out.json, ...recovered }) + '\n');
      else io.stdout.write(out.text.endsWith('\n') ? out.text : out.text + '\n');
      return exitCode;
    } finally {
      terminal.clear();
    }
  } catch (error) {
    const payload = toErrorPayload(error);
    printError(io, json, payload, recovered);
    if (payload.code === 'INTERNAL' && io.env.AIRLOCK_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`);
    return ERROR_CATALOG[payload.code].exit;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
