import type { ParseArgsOptionsConfig } from 'node:util';
import type { ProgressListener } from '../../shared/progress.ts';

/** Where the CLI writes and what it knows of its terminal; tests pass their own. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /** True when stderr is a terminal (progress lines are drawn only then). */
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface CommandContext {
  options: OptionValues;
  positionals: string[];
  io: CliIo;
  json: boolean;
  dataDir: string;
  /** Progress for long work; draws on a TTY in text mode, silent otherwise. */
  progress: ProgressListener;
  /** Aborted on SIGINT/SIGTERM so long work can stop cleanly. */
  signal: AbortSignal;
  /** Resolves a user-given path against the CLI's working directory. */
  resolvePath(p: string): string;
}

export interface CommandOutput {
  /** The JSON document for --json (the CLI adds "ok": true). */
  json: Record<string, unknown>;
  /** Human text for the terminal. */
  text: string;
  /** Exit status; defaults to 0. A command that ran and found a failed check returns 1. */
  exitCode?: 0 | 1;
}

export interface CommandSpec {
  /** Words that select the command, e.g. ['kit', 'verify']. */
  words: string[];
  summary: string;
  /** Usage line after "airlock ". */
  usage: string;
  options: ParseArgsOptionsConfig;
  positionals: { min: number; max: number };
  /** Extra help lines. */
  help?: string;
  /**
   * The command recovers the install root it works on and reports that in its
   * own output (install, rollback, status); others get start-up recovery of
   * every known root from the CLI first.
   */
  recoversItself?: boolean;
  run(ctx: CommandContext): Promise<CommandOutput>;
}
