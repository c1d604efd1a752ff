// Where removable media are mounted, so kits on a USB stick or a disc are
// offered without a file dialog. Linux: mounts below /media, /run/media and
// /mnt (from /proc/self/mountinfo, or those folders when it cannot be read).
// Windows: drives of the removable (2) and optical (5) types, asked of CIM
// through PowerShell. Side effects are injected so tests use fixtures.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseMountInfo } from '../core/preflight/mountinfo.ts';
import type { ProcessRunner } from '../core/preflight/probe-deps.ts';

export interface RemovableRoot {
  path: string;
  label: string;
}

export interface DriveScanDeps {
  platform: NodeJS.Platform;
  /** File text, or null when it does not exist or cannot be read. */
  readText(absPath: string): Promise<string | null>;
  /** Sub-folder names, or [] when the folder does not exist or cannot be read. */
  listDirs(absPath: string): Promise<string[]>;
  runner: ProcessRunner;
}

const LINUX_MEDIA_PREFIXES = ['/media/', '/run/media/', '/mnt/'];
const OPTICAL_FS = new Set(['iso9660', 'udf']);

export const WINDOWS_DRIVE_QUERY =
  "Get-CimInstance Win32_LogicalDisk | Where-Object { $_.DriveType -eq 2 -or $_.DriveType -eq 5 } | ForEach-Object { $_.DeviceID + '|' + $_.DriveType + '|' + $_.VolumeName + '|' + $_.FileSystem }";

function linuxLabel(mountPoint: string, fsType: string | null): string {
  const what = fsType !== null && OPTICAL_FS.has(fsType) ? 'Disc' : 'Removable drive';
  return `${what} ${path.posix.basename(mountPoint)}${fsType ? ` (${fsType})` : ''}`;
}

async function linuxRoots(deps: DriveScanDeps): Promise<RemovableRoot[]> {
  const mountinfo = await deps.readText('/proc/self/mountinfo');
  if (mountinfo !== null) {
    const seen = new Set<string>();
    const roots: RemovableRoot[] = [];
    for (const m of parseMountInfo(mountinfo)) {
      if (!LINUX_MEDIA_PREFIXES.some((p) => m.mountPoint.startsWith(p)) || seen.has(m.mountPoint)) continue;
      seen.add(m.mountPoint);
      roots.push({ path: m.mountPoint, label: linuxLabel(m.mountPoint, m.fsType) });
    }
    return roots;
  }
  // Without mountinfo, the usual mount folders stand in for the mounts.
  const roots: RemovableRoot[] = [];
  for (const name of await deps.listDirs('/media')) roots.push({ path: `/media/${name}`, label: linuxLabel(`/media/${name}`, null) });
  for (const user of await deps.listDirs('/run/media')) {
    for (const name of await deps.listDirs(`/run/media/${user}`)) roots.push({ path: `/run/media/${user}/${name}`, label: linuxLabel(name, null) });
  }
  for (const name of await deps.listDirs('/mnt')) roots.push({ path: `/mnt/${name}`, label: linuxLabel(`/mnt/${name}`, null) });
  return roots;
}

async function windowsRoots(deps: DriveScanDeps): Promise<RemovableRoot[]> {
  let stdout: string;
  try {
    const result = await deps.runner.run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_DRIVE_QUERY]);
    if (result.exitCode !== 0) return [];
    stdout = result.stdout;
  } catch {
    return [];
  }
  const roots: RemovableRoot[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const [device, type, volume, fs] = line.trim().split('|');
    if (!device || !/^[A-Z]:$/i.test(device)) continue;
    const what = type === '5' ? 'Disc' : 'Removable drive';
    const name = volume ? ` "${volume}"` : '';
    roots.push({ path: `${device.toUpperCase()}\\`, label: `${what} ${device.toUpperCase()}${name}${fs ? ` (${fs})` : ''}` });
  }
  return roots;
}

export async function listRemovableRoots(deps: DriveScanDeps): Promise<RemovableRoot[]> {
  if (deps.platform === 'win32') return windowsRoots(deps);
  if (deps.platform === 'linux') return linuxRoots(deps);
  return [];
}

export function createNodeDriveScanDeps(runner: ProcessRunner, platform: NodeJS.Platform = process.platform): DriveScanDeps {
  return {
    platform,
    async readText(absPath) {
      try {
        return await readFile(absPath, 'utf8');
      } catch {
        return null;
      }
    },
    async listDirs(absPath) {
      try {
        return (await readdir(absPath, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
      } catch {
        return [];
      }
    },
    runner,
  };
}
