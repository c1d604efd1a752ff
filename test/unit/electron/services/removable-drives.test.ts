import { describe, expect, it } from 'vitest';
import { listRemovableRoots, WINDOWS_DRIVE_QUERY, type DriveScanDeps } from '../../../../electron/services/removable-drives.ts';

const MOUNTINFO = [
  '22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/rhel-root rw',
  '98 22 8:17 / /run/media/admin/KITS rw,nosuid,nodev shared:55 - vfat /dev/sdb1 rw,uid=1000',
  '99 22 8:33 / /media/ops/RELEASE\\0402026 rw shared:56 - exfat /dev/sdc1 rw',
  '100 22 11:0 / /run/media/admin/DVD ro shared:57 - iso9660 /dev/sr0 ro',
  '101 22 0:50 / /mnt/usb rw shared:58 - ext4 /dev/sdd1 rw',
  '102 22 0:51 / /home rw shared:59 - xfs /dev/sda3 rw',
].join('\n');

function deps(overrides: Partial<DriveScanDeps>): DriveScanDeps & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    platform: 'linux',
    readText: async () => null,
    listDirs: async () => [],
    runner: {
      async run(file, args) {
        calls.push([file, ...args]);
        return { exitCode: 1, stdout: '', stderr: '' };
      },
    },
    ...overrides,
  };
}

describe('listRemovableRoots', () => {
  it('lists Linux media mounts from mountinfo, discs as discs, and nothing else', async () => {
    const roots = await listRemovableRoots(deps({ readText: async (p) => (p === '/proc/self/mountinfo' ? MOUNTINFO : null) }));
    expect(roots).toEqual([
      { path: '/run/media/admin/KITS', label: 'Removable drive KITS (vfat)' },
      { path: '/media/ops/RELEASE 2026', label: 'Removable drive RELEASE 2026 (exfat)' },
      { path: '/run/media/admin/DVD', label: 'Disc DVD (iso9660)' },
      { path: '/mnt/usb', label: 'Removable drive usb (ext4)' },
    ]);
  });

  it('falls back to the usual mount folders when mountinfo cannot be read', async () => {
    const dirs: Record<string, string[]> = { '/media': ['usb0'], '/run/media': ['admin'], '/run/media/admin': ['KITS'], '/mnt': [] };
    const roots = await listRemovableRoots(deps({ listDirs: async (p) => dirs[p] ?? [] }));
    expect(roots.map((r) => r.path)).toEqual(['/media/usb0', '/run/media/admin/KITS']);
  });

  it('asks Windows for removable and optical drives', async () => {
    const d = deps({
      platform: 'win32',
      runner: {
        async run(file, args) {
          d.calls.push([file, ...args]);
          return { exitCode: 0, stdout: 'E:|2|KITS|FAT32\r\nF:|5|RELEASE|UDF\r\nnot a drive\r\n', stderr: '' };
        },
      },
    });
    expect(await listRemovableRoots(d)).toEqual([
      { path: 'E:\\', label: 'Removable drive E: "KITS" (FAT32)' },
      { path: 'F:\\', label: 'Disc F: "RELEASE" (UDF)' },
    ]);
    expect(d.calls[0]).toEqual(['powershell.exe', '-NoProfile', '-NonInteractive', '-Command', WINDOWS_DRIVE_QUERY]);
  });

  it('lists nothing when PowerShell fails or the platform is not supported', async () => {
    expect(await listRemovableRoots(deps({ platform: 'win32' }))).toEqual([]);
    expect(await listRemovableRoots(deps({ platform: 'win32', runner: { run: async () => { throw new Error('ENOENT'); } } }))).toEqual([]);
    expect(await listRemovableRoots(deps({ platform: 'darwin' }))).toEqual([]);
  });
});
