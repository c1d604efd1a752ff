// /proc/self/mountinfo (proc(5)): which mount holds a path, and its file system.
// Fields: id parent major:minor root mountpoint options [optional…] - fstype source superoptions.

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
}

/** The kernel writes space, tab, newline and backslash in paths as octal escapes. */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-', 6);
    if (fields.length < 10 || dash === -1 || dash + 2 >= fields.length) continue;
    entries.push({ mountPoint: unescapeOctal(fields[4]!), fsType: fields[dash + 1]!, source: unescapeOctal(fields[dash + 2]!) });
  }
  return entries;
}

function isUnder(mountPoint: string, absPath: string): boolean {
  if (mountPoint === '/') return absPath.startsWith('/');
  return absPath === mountPoint || absPath.startsWith(mountPoint + '/');
}

/**
 * The mount that holds absPath: the longest mount point above it, and of equal
 * ones the last listed, since a later mount on the same point hides the earlier.
 */
export function mountFor(entries: readonly MountEntry[], absPath: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const entry of entries) {
    if (!isUnder(entry.mountPoint, absPath)) continue;
    if (!best || entry.mountPoint.length >= best.mountPoint.length) best = entry;
  }
  return best;
}

/** statfs f_type magic numbers (linux/magic.h) for when mountinfo is not readable. */
const FS_MAGIC: ReadonlyMap<number, string> = new Map([
  [0x4d44, 'vfat'],
  [0x2011bab0, 'exfat'],
  [0x5346544e, 'ntfs'],
  [0xef53, 'ext4'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x01021994, 'tmpfs'],
  [0x794c7630, 'overlay'],
  [0x6969, 'nfs'],
  [0x9660, 'iso9660'],
  [0x15013346, 'udf'],
]);

export function fsTypeFromMagic(type: number): string | undefined {
  return FS_MAGIC.get(type);
}
