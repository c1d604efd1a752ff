import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsTypeFromMagic, mountFor, parseMountInfo } from '../../../electron/core/preflight/mountinfo.ts';
import { HOSTS_DIR } from './fixture-host.ts';

describe('mountinfo', () => {
  const rhel = parseMountInfo(readFileSync(path.join(HOSTS_DIR, 'linux/rhel-9.4/proc/self/mountinfo'), 'utf8'));
  const ubuntu = parseMountInfo(readFileSync(path.join(HOSTS_DIR, 'linux/ubuntu-22.04/proc/self/mountinfo'), 'utf8'));

  it('finds the longest mount above a path', () => {
    expect(mountFor(rhel, '/run/media/admin/KITS/app.kit.tar')).toMatchObject({ mountPoint: '/run/media/admin/KITS', fsType: 'vfat', source: '/dev/sdb1' });
    expect(mountFor(rhel, '/opt/app')).toMatchObject({ mountPoint: '/opt', fsType: 'xfs' });
    expect(mountFor(rhel, '/optional')).toMatchObject({ mountPoint: '/', fsType: 'xfs' });
    expect(mountFor(rhel, '/')).toMatchObject({ mountPoint: '/' });
  });

  it('decodes octal escapes in mount points', () => {
    expect(mountFor(ubuntu, '/media/admin/KIT STICK/app.kit.tar')).toMatchObject({ mountPoint: '/media/admin/KIT STICK', fsType: 'exfat' });
  });

  it('prefers the later of two mounts on the same point', () => {
    const entries = parseMountInfo(
      ['1 0 8:1 / / rw - ext4 /dev/sda1 rw', '2 1 8:2 / /mnt rw - ext4 /dev/sda2 rw', '3 2 8:3 / /mnt rw shared:5 - vfat /dev/sdb1 rw'].join('\n'),
    );
    expect(mountFor(entries, '/mnt/x')?.fsType).toBe('vfat');
  });

  it('skips malformed lines', () => {
    expect(parseMountInfo('garbage\n1 2 3\n')).toEqual([]);
  });

  it('names common statfs magic numbers', () => {
    expect(fsTypeFromMagic(0x4d44)).toBe('vfat');
    expect(fsTypeFromMagic(0x2011bab0)).toBe('exfat');
    expect(fsTypeFromMagic(0x12345)).toBeUndefined();
  });
});
