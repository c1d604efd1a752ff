// The side effects a host probe has, as interfaces. Tests implement them over
// fixture trees and recorded command output; node-host-deps.ts implements them
// over Node's fs, os and child_process.
import type { HostFacts, OsFacts } from '../../../shared/preflight.ts';

/** Reads system files (/etc/os-release, /proc/…) by absolute POSIX path, below an injected root. */
export interface SystemFiles {
  /** The file's text, or null when it does not exist. Other read errors throw. */
  readText(absPath: string): Promise<string | null>;
}

export interface ProcessResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell. Rejects only when it cannot be started or times out. */
export interface ProcessRunner {
  run(file: string, args: readonly string[]): Promise<ProcessResult>;
}

export interface OsFactsSource {
  platform: NodeJS.Platform;
  /** process.arch */
  arch: string;
  /** os.machine(), null when unavailable. */
  machine: string | null;
  /** os.release(): the kernel release, or "10.0.22631" on Windows. */
  release: string;
  cpus: number;
  totalMemoryBytes: number;
}

export interface PathStat {
  isDirectory: boolean;
  size: number;
  dev: number;
}

/** The file system operations on the install root, the data dir and the kit medium. */
export interface PathInspector {
  /** null when the path does not exist. */
  stat(p: string): Promise<PathStat | null>;
  statfs(p: string): Promise<{ freeBytes: number; totalBytes: number; type: number }>;
  /** Creates and removes a temporary file in dir; leaves nothing behind. */
  probeWrite(dir: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  realpath(p: string): Promise<string>;
  readText(p: string, maxBytes: number): Promise<string>;
  /** Total bytes of the regular files below dir. */
  treeSize(dir: string): Promise<number>;
}

export interface Clock {
  now(): Date;
}

export interface HostProbeDeps {
  files: SystemFiles;
  runner: ProcessRunner;
  os: OsFactsSource;
  paths: PathInspector;
  clock: Clock;
}

/** The OS-specific half of a probe. */
export interface PlatformProbe {
  os(): Promise<OsFacts>;
  fips(): Promise<HostFacts['fips']>;
  selinux(): Promise<HostFacts['selinux']>;
  cryptoPolicy(): Promise<HostFacts['cryptoPolicy']>;
  defaultRoute(): Promise<HostFacts['defaultRoute']>;
  longPaths(): Promise<HostFacts['longPaths']>;
  /** File system type of the volume holding an existing path. */
  fileSystemOf(p: string): Promise<{ fsType: string; mountPoint: string | null; reason?: string }>;
}

export function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** Runs one probe; a throw becomes the fallback with the reason recorded. */
export async function safely<T>(probe: () => Promise<T>, fallback: (reason: string) => T): Promise<T> {
  try {
    return await probe();
  } catch (error) {
    return fallback(reasonOf(error));
  }
}
