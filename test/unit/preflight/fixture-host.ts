// Fixture hosts for preflight tests: Linux trees under test/fixtures/hosts/linux
// read through the real rooted reader, Windows hosts as recorded command output
// replayed by a fake runner, and an in-memory file system for the paths.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { kitManifestSchema, type KitManifest } from '../../../shared/kit-manifest.ts';
import { createRootedSystemFiles } from '../../../electron/core/preflight/node-host-deps.ts';
import type { HostProbeDeps, OsFactsSource, PathInspector, PathStat, ProcessResult, ProcessRunner, SystemFiles } from '../../../electron/core/preflight/probe-deps.ts';

export const HOSTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/hosts');
export const GiB = 1024 ** 3;
export const NOW = new Date('2026-11-20T10:00:00Z');
/** Fixed so that moving AIRLOCK_BUILD_DATE does not change what these tests expect of the clock. */
export const BUILD_DATE = new Date('2026-06-01T00:00:00Z');

export const LINUX_HOSTS = {
  'rhel-8.10': { id: 'rhel', version: '8.10', line: '8' },
  'rhel-9.4': { id: 'rhel', version: '9.4', line: '9' },
  'rocky-8.9': { id: 'rocky', version: '8.9', line: '8' },
  'rocky-9.4': { id: 'rocky', version: '9.4', line: '9' },
  'almalinux-8.10': { id: 'almalinux', version: '8.10', line: '8' },
  'almalinux-9.4': { id: 'almalinux', version: '9.4', line: '9' },
  'ubuntu-20.04': { id: 'ubuntu', version: '20.04', line: '20.04' },
  'ubuntu-22.04': { id: 'ubuntu', version: '22.04', line: '22.04' },
  'ubuntu-24.04': { id: 'ubuntu', version: '24.04', line: '24.04' },
  'debian-12': { id: 'debian', version: '12', line: '12' },
} as const;
export type LinuxHostName = keyof typeof LINUX_HOSTS | 'fedora-40';

/** Files from a fixture tree, with some replaced (a string) or removed (null). */
export function overlayFiles(base: SystemFiles, overrides: Record<string, string | null>): SystemFiles {
  return {
    async readText(absPath) {
      if (Object.hasOwn(overrides, absPath)) return overrides[absPath] ?? null;
      return base.readText(absPath);
    },
  };
}

export interface FakeDir {
  free?: number;
  total?: number;
  dev?: number;
  writable?: boolean;
  /** A regular file instead of a directory. */
  file?: number;
  fsType?: number;
}

/** An in-memory file system: listed paths exist (as directories unless `file` is given). */
export function fakePaths(entries: Record<string, FakeDir>, extraText: Record<string, string> = {}): PathInspector & { writesProbed: string[] } {
  const writesProbed: string[] = [];
  const find = (p: string): FakeDir | undefined => entries[p];
  return {
    writesProbed,
    async stat(p): Promise<PathStat | null> {
      const e = find(p);
      if (!e) return null;
      return { isDirectory: e.file === undefined, size: e.file ?? 4096, dev: e.dev ?? 1 };
    },
    async statfs(p) {
      const e = find(p);
      if (!e || e.free === undefined) throw Object.assign(new Error(`statfs ${p}`), { code: 'ENOSYS' });
      return { freeBytes: e.free, totalBytes: e.total ?? e.free * 2, type: e.fsType ?? 0xef53 };
    },
    async probeWrite(dir) {
      writesProbed.push(dir);
      return find(dir)?.writable === false ? { ok: false, reason: `cannot create a file in ${dir} (EACCES)` } : { ok: true };
    },
    async realpath(p) {
      return p;
    },
    async readText(p) {
      const t = extraText[p];
      if (t === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
      return t;
    },
    async treeSize() {
      return 123_456;
    },
  };
}

/** A roomy, writable Linux layout: / with 100 GiB free, /opt/app to be created, a data dir. */
export function roomyLinuxPaths(): ReturnType<typeof fakePaths> {
  return fakePaths({
    '/': { free: 100 * GiB, dev: 1 },
    '/opt': { free: 100 * GiB, dev: 2 },
    '/var/lib/airlock': { free: 100 * GiB, dev: 1 },
    '/run/media/admin/KITS': { free: 1 * GiB, dev: 9 },
    '/run/media/admin/KITS/app-1.2.0.kit.tar': { file: 50 * 1024 * 1024, dev: 9 },
  });
}

export function linuxOs(overrides: Partial<OsFactsSource> = {}): OsFactsSource {
  return { platform: 'linux', arch: 'x64', machine: 'x86_64', release: '5.14.0-427.13.1.el9_4.x86_64', cpus: 4, totalMemoryBytes: 16 * GiB, ...overrides };
}

const noRunner: ProcessRunner = {
  async run(file) {
    throw Object.assign(new Error(`spawn ${file} ENOENT`), { code: 'ENOENT' });
  },
};

export function linuxHost(
  name: LinuxHostName,
  options: { files?: Record<string, string | null>; os?: Partial<OsFactsSource>; paths?: PathInspector; now?: Date } = {},
): HostProbeDeps {
  const rooted = createRootedSystemFiles(path.join(HOSTS_DIR, 'linux', name));
  return {
    files: options.files ? overlayFiles(rooted, options.files) : rooted,
    runner: noRunner,
    os: linuxOs(options.os),
    paths: options.paths ?? roomyLinuxPaths(),
    clock: { now: () => options.now ?? NOW },
  };
}

export function windowsFixture(host: string, file: string): string {
  return readFileSync(path.join(HOSTS_DIR, 'windows', host, file), 'utf8');
}

const REG_NOT_FOUND: ProcessResult = { exitCode: 1, stdout: '', stderr: 'ERROR: The system was unable to find the specified registry key or value.\r\n' };

export interface WindowsHostOptions {
  /** reg-fips.txt of the host unless given; null: the value is absent. */
  fips?: string | null;
  longPaths?: string | null;
  routePrint?: string;
  /** DriveInfo.DriveFormat per drive letter. */
  drives?: Record<string, string>;
  os?: Partial<OsFactsSource>;
  paths?: PathInspector;
  now?: Date;
  /** Commands that fail to start (reg.exe missing, say). */
  unavailable?: string[];
}

/** A fake runner that answers the commands the Windows probe runs, and records them. */
export function windowsRunner(host: string, options: WindowsHostOptions = {}): ProcessRunner & { calls: string[][] } {
  const calls: string[][] = [];
  const read = (file: string): string | null => {
    try {
      return windowsFixture(host, file);
    } catch {
      return null;
    }
  };
  const ok = (stdout: string | null): ProcessResult => (stdout === null ? REG_NOT_FOUND : { exitCode: 0, stdout, stderr: '' });
  return {
    calls,
    async run(file, args) {
      calls.push([file, ...args]);
      if (options.unavailable?.includes(file)) throw Object.assign(new Error(`spawn ${file} ENOENT`), { code: 'ENOENT' });
      if (file === 'reg' && args[0] === 'query') {
        const key = args[1] ?? '';
        if (key.endsWith('Windows NT\\CurrentVersion')) return ok(read('reg-currentversion.txt'));
        if (key.endsWith('FipsAlgorithmPolicy')) return ok(options.fips === undefined ? read('reg-fips.txt') : options.fips);
        if (key.endsWith('Control\\FileSystem')) return ok(options.longPaths === undefined ? read('reg-longpaths.txt') : options.longPaths);
        return REG_NOT_FOUND;
      }
      if (file === 'route' && args[0] === 'print') return ok(options.routePrint ?? read('route-print.txt') ?? '');
      if (file === 'powershell.exe') {
        const letter = /'([A-Z]):\\'/.exec(args.join(' '))?.[1];
        const format = letter ? options.drives?.[letter] : undefined;
        return format ? { exitCode: 0, stdout: `${format}\r\n`, stderr: '' } : { exitCode: 1, stdout: '', stderr: 'Exception calling ".ctor"' };
      }
      return { exitCode: 1, stdout: '', stderr: `unexpected command ${file}` };
    },
  };
}

export function roomyWindowsPaths(): ReturnType<typeof fakePaths> {
  return fakePaths({
    'C:\\': { free: 200 * GiB, dev: 11 },
    'C:\\Program Files': { free: 200 * GiB, dev: 11 },
    'C:\\Users\\admin\\AppData\\Roaming\\Airlock': { free: 200 * GiB, dev: 11 },
    'E:\\': { free: 2 * GiB, dev: 22 },
    'E:\\app-1.2.0.kit.tar': { file: 50 * 1024 * 1024, dev: 22 },
  });
}

export function windowsHost(host: string, options: WindowsHostOptions = {}): HostProbeDeps & { runner: ReturnType<typeof windowsRunner> } {
  return {
    files: { readText: async () => null },
    runner: windowsRunner(host, options),
    os: { platform: 'win32', arch: 'x64', machine: 'x86_64', release: '10.0.19045', cpus: 8, totalMemoryBytes: 32 * GiB, ...options.os },
    paths: options.paths ?? roomyWindowsPaths(),
    clock: { now: () => options.now ?? NOW },
  };
}

/** A valid kit.json with the given requires. */
export function manifest(requires: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): KitManifest {
  return kitManifestSchema.parse({ schema: 'airlock.kit/v1', name: 'app', version: '1.2.0', created: '2026-10-01T12:00:00Z', requires, ...extra });
}
