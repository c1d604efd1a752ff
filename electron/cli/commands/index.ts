// Every CLI command. Only the module of the command being run is loaded, so a
// `kit verify` does not pay for the PDF renderer, SQLite or the web server at
// start-up; the help overview loads them all. Listed in help order.
import type { CommandSpec } from '../cli-types.ts';

export interface LazyCommand {
  /** Words that select the command; must equal the spec's `words`. */
  words: string[];
  load(): Promise<CommandSpec>;
}

export type CommandEntry = CommandSpec | LazyCommand;

export const COMMANDS: CommandEntry[] = [
  { words: ['kit', 'build'], load: async () => (await import('./kit-build.ts')).kitBuildCommand },
  { words: ['kit', 'verify'], load: async () => (await import('./kit-verify.ts')).kitVerifyCommand },
  { words: ['kit', 'import'], load: async () => (await import('./kit-import.ts')).kitImportCommand },
  { words: ['kit', 'list'], load: async () => (await import('./kit-list.ts')).kitListCommand },
  { words: ['kit', 'show'], load: async () => (await import('./kit-show.ts')).kitShowCommand },
  { words: ['kit', 'diff'], load: async () => (await import('./kit-diff.ts')).kitDiffCommand },
  { words: ['verify-blob'], load: async () => (await import('./verify-blob.ts')).verifyBlobCommand },
  { words: ['preflight'], load: async () => (await import('./preflight.ts')).preflightCommand },
  { words: ['install'], load: async () => (await import('./install.ts')).installCommand },
  { words: ['rollback'], load: async () => (await import('./rollback.ts')).rollbackCommand },
  { words: ['status'], load: async () => (await import('./status.ts')).statusCommand },
  { words: ['registry', 'push'], load: async () => (await import('./registry-push.ts')).registryPushCommand },
  { words: ['serve'], load: async () => (await import('./serve.ts')).serveCommand },
  { words: ['audit', 'verify'], load: async () => (await import('./audit-verify.ts')).auditVerifyCommand },
  { words: ['audit', 'list'], load: async () => (await import('./audit-list.ts')).auditListCommand },
  { words: ['evidence', 'export'], load: async () => (await import('./evidence-export.ts')).evidenceExportCommand },
  { words: ['evidence', 'verify'], load: async () => (await import('./evidence-verify.ts')).evidenceVerifyCommand },
  { words: ['evidence', 'key'], load: async () => (await import('./evidence-key.ts')).evidenceKeyCommand },
];
