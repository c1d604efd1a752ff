// Runs the CLI in-process with a captured CliIo.
import { main } from '../../../electron/cli/main.ts';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], cwd = process.cwd()): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const exitCode = await main(argv, {
    stdout: { write: (s: string) => { stdout += s; } },
    stderr: { write: (s: string) => { stderr += s; } },
    stderrIsTTY: false,
    env: {},
    cwd,
  });
  return { exitCode, stdout, stderr };
}
