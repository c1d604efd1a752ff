// Turns host facts into check rows. Pure: the same facts and kit always give the
// same rows, so every status rule is tested without a host. The meaning of each
// check and its statuses is written down in docs/os-matrix.md; keep them in step.
import { formatBytes } from '../../../shared/format.ts';
import type { KitManifest } from '../../../shared/kit-manifest.ts';
import {
  SUPPORT_MATRIX,
  type Arch,
  type CheckStatus,
  type HostFacts,
  type PathFacts,
  type PlatformOs,
  type PreflightCheck,
  type PreflightCheckId,
} from '../../../shared/preflight.ts';
import { versionMatches } from './os-version.ts';

const GiB = 1024 ** 3;
const YEAR_MS = 365.25 * 24 * 3600 * 1000;

/** Airlock's own needs, used when the kit states none. Falling short of these warns; a kit's stated minimum fails. */
export const PREFLIGHT_DEFAULTS = {
  installRootBytes: 1 * GiB,
  dataDirBytes: 1 * GiB,
  recommendedMemoryBytes: 2 * GiB,
  /** A host clock this far past the kit's creation is suspicious. */
  kitAgeWarnYears: 5,
  /** Without a kit: a clock this far past Airlock's build date is suspicious. */
  buildAgeWarnYears: 10,
  /** Longest kit path KIT-FORMAT §2 allows, in bytes. */
  kitMaxPathBytes: 240,
  /** Windows MAX_PATH, including the terminating NUL. */
  windowsMaxPath: 260,
} as const;

/** FAT32 cannot hold a file of 4 GiB or more. */
const FAT_FAMILY = new Set(['vfat', 'msdos', 'fat', 'fat12', 'fat16', 'fat32', 'umsdos']);

export interface CheckContext {
  manifest?: KitManifest;
  /** Longest path in the kit's payload, in bytes, when the caller knows it. */
  longestKitPathBytes?: number;
  /** When this Airlock was built: a host clock before it is wrong. */
  buildDate: Date;
}

const TITLES: Record<PreflightCheckId, string> = {
  os: 'Operating system',
  'os-version': 'OS version',
  arch: 'Architecture',
  cpus: 'CPUs',
  memory: 'Memory',
  'disk-root': 'Free space at the install root',
  'disk-data': 'Free space in the data directory',
  'write-root': 'Write access to the install root',
  'write-data': 'Write access to the data directory',
  fips: 'FIPS mode',
  selinux: 'SELinux',
  'crypto-policy': 'System crypto policy',
  clock: 'Clock',
  'medium-fs': 'File system of the kit medium',
  'long-paths': 'Windows long paths',
  'network-isolation': 'Network isolation',
};

function row(id: PreflightCheckId, status: CheckStatus, observed: string, expected: string, remedy = '', note?: string): PreflightCheck {
  const check: PreflightCheck = { id, title: TITLES[id], status, observed, expected, remedy: status === 'pass' ? '' : remedy };
  if (note !== undefined) check.note = note;
  return check;
}

interface Target {
  os: PlatformOs;
  versions: string[];
}

function osName(os: string): string {
  return SUPPORT_MATRIX.find((p) => p.os === os)?.name ?? os;
}

function describeTargets(targets: readonly Target[]): string {
  return targets.map((t) => `${osName(t.os)} ${t.versions.join(', ')}`).join('; ');
}

/** The kit's platforms (merged per OS), or the whole support matrix. */
function targetsFor(manifest: KitManifest | undefined): { targets: Target[]; fromKit: boolean } {
  const platforms = manifest?.requires?.platforms;
  if (!platforms || platforms.length === 0) return { targets: SUPPORT_MATRIX.map((p) => ({ os: p.os, versions: [...p.versions] })), fromKit: false };
  const merged = new Map<PlatformOs, Set<string>>();
  for (const p of platforms) {
    const set = merged.get(p.os) ?? new Set<string>();
    p.versions.forEach((v) => set.add(v));
    merged.set(p.os, set);
  }
  return { targets: [...merged].map(([os, versions]) => ({ os, versions: [...versions] })), fromKit: true };
}

function isWindows(facts: HostFacts): boolean {
  return facts.os.kind === 'windows';
}

function asAdmin(facts: HostFacts): string {
  return isWindows(facts) ? 'as Administrator' : 'as root (sudo)';
}

interface OsMatch {
  kind: 'exact' | 'like' | 'none' | 'unknown';
  target?: Target;
}

function matchOs(facts: HostFacts, targets: readonly Target[]): OsMatch {
  if (facts.os.id === 'unknown') return { kind: 'unknown' };
  const exact = targets.find((t) => t.os === facts.os.id);
  if (exact) return { kind: 'exact', target: exact };
  const like = targets.find((t) => facts.os.idLike.includes(t.os));
  if (like) return { kind: 'like', target: like };
  return { kind: 'none' };
}

function osObserved(facts: HostFacts): string {
  return facts.os.id === 'unknown' ? `unknown (${facts.os.reason ?? 'not identified'})` : `${facts.os.prettyName} (id ${facts.os.id})`;
}

function checkOs(facts: HostFacts, targets: readonly Target[], fromKit: boolean, match: OsMatch): PreflightCheck {
  const expected = fromKit ? `an OS this kit names: ${describeTargets(targets)}` : `an OS Airlock supports: ${describeTargets(targets)}`;
  const observed = osObserved(facts);
  switch (match.kind) {
    case 'exact':
      return row('os', 'pass', observed, expected);
    case 'like':
      return row(
        'os',
        'warn',
        `${observed}, which is like ${osName(match.target!.os)}`,
        expected,
        `${facts.os.prettyName} is not named ${fromKit ? 'by this kit' : 'in the support matrix'}; it is compatible with ${osName(match.target!.os)} but untested. Prefer a host running ${describeTargets(targets)}, or confirm with the publisher that this OS is supported.`,
      );
    case 'unknown':
      return row('os', 'warn', observed, expected, `Airlock could not identify this OS, so it cannot confirm support. Check that /etc/os-release exists (Linux) or that reg.exe can read HKLM (Windows).`);
    case 'none':
      return row(
        'os',
        'fail',
        observed,
        expected,
        fromKit
          ? `This kit is built for ${describeTargets(targets)}. Install it on one of those hosts, or ask the publisher for a kit that supports ${facts.os.prettyName}.`
          : `Airlock supports ${describeTargets(targets)} (see docs/os-matrix.md). Use one of those hosts.`,
      );
  }
}

function checkOsVersion(facts: HostFacts, fromKit: boolean, match: OsMatch): PreflightCheck {
  const target = match.target;
  if (!target) return row('os-version', 'skip', osObserved(facts), 'a supported OS first', '', 'The version is checked once the OS itself is one that is supported.');
  const expected = `${osName(target.os)} ${target.versions.join(', ')}`;
  const version = facts.os.version;
  if (version === 'unknown') {
    return row('os-version', 'warn', `unknown (${facts.os.reason ?? 'no version found'})`, expected, `Airlock could not read the OS version. Confirm by hand that this host runs ${expected}.`);
  }
  const inMatrix = SUPPORT_MATRIX.some((p) => p.os === facts.os.id);
  const observed = facts.os.windows || !inMatrix ? facts.os.prettyName : `${osName(facts.os.id)} ${version}`;
  const windowsServer = facts.os.windows?.installationType.toLowerCase().startsWith('server') ?? false;
  if (!target.versions.some((v) => versionMatches(v, version))) {
    return row(
      'os-version',
      'fail',
      observed,
      expected,
      fromKit
        ? `This kit supports ${expected}. Upgrade the host to one of those versions, or ask the publisher for a kit that lists ${osName(target.os)} ${version}.`
        : `Airlock supports ${expected}. Upgrade the host to one of those versions.`,
    );
  }
  if (windowsServer) {
    return row('os-version', 'warn', observed, `${expected} (desktop editions)`, 'Windows Server is not in the tested matrix (Windows 10 and 11 are). It usually works; acknowledge to go on, or use a Windows 10/11 host.');
  }
  return row('os-version', 'pass', observed, expected);
}

function normalizedArch(arch: string): Arch | undefined {
  return arch === 'x64' || arch === 'arm64' ? arch : undefined;
}

function machineArch(machine: string | null): Arch | undefined {
  if (machine === null) return undefined;
  const m = machine.toLowerCase();
  if (m === 'x86_64' || m === 'amd64' || m === 'x64') return 'x64';
  if (m === 'aarch64' || m === 'arm64' || m === 'armv8l') return 'arm64';
  return undefined;
}

function checkArch(facts: HostFacts, manifest: KitManifest | undefined): PreflightCheck {
  const kitArch = manifest?.requires?.arch;
  const wanted: readonly Arch[] = kitArch && kitArch.length > 0 ? kitArch : ['x64', 'arm64'];
  const expected = wanted.join(' or ');
  const host = normalizedArch(facts.arch);
  const machine = machineArch(facts.machine);
  const note = host && machine && machine !== host ? `This process runs as ${host} under emulation on an ${machine} machine.` : undefined;
  if (!host) {
    return row('arch', 'fail', facts.arch, expected, `Airlock and its kits run on x64 and arm64 only; this host is ${facts.arch}. Use an x64 or arm64 host.`);
  }
  if (!wanted.includes(host)) {
    return row('arch', 'fail', host, expected, `This kit is built for ${expected}. Install it on a ${expected} host, or ask the publisher for a ${host} kit.`, note);
  }
  return row('arch', 'pass', host, expected, '', note);
}

function checkCpus(facts: HostFacts, manifest: KitManifest | undefined): PreflightCheck {
  const need = manifest?.requires?.cpus;
  const observed = `${facts.cpus}`;
  if (need === undefined || need === 0) return row('cpus', 'pass', observed, 'no minimum');
  if (facts.cpus < need) {
    return row('cpus', 'fail', observed, `at least ${need} (kit)`, `The kit needs ${need} CPUs and this host offers ${facts.cpus}. Add CPUs (for a VM, raise its vCPU count) or use a larger host.`);
  }
  return row('cpus', 'pass', observed, `at least ${need} (kit)`);
}

function checkMemory(facts: HostFacts, manifest: KitManifest | undefined): PreflightCheck {
  const need = manifest?.requires?.memoryBytes;
  const soft = PREFLIGHT_DEFAULTS.recommendedMemoryBytes;
  const observed = formatBytes(facts.memoryBytes);
  if (need !== undefined && need > 0 && facts.memoryBytes < need) {
    return row('memory', 'fail', observed, `at least ${formatBytes(need)} (kit)`, `The kit needs ${formatBytes(need)} of memory and this host has ${observed}. Add memory (for a VM, raise its allocation) or use a larger host.`);
  }
  const expected = need !== undefined && need > 0 ? `at least ${formatBytes(need)} (kit)` : `at least ${formatBytes(soft)} (recommended)`;
  if (facts.memoryBytes < soft) {
    return row('memory', 'warn', observed, `${expected}; ${formatBytes(soft)} recommended for Airlock`, `Airlock works with less, but large kits verify slowly under memory pressure. Close other programs or add memory.`);
  }
  return row('memory', 'pass', observed, expected);
}

function where(p: PathFacts): string {
  return p.exists ? p.path : `${p.path} (to be created in ${p.probedPath ?? '?'})`;
}

interface DiskNeed {
  hard: number;
  soft: number;
  why: string;
}

function checkDisk(id: 'disk-root' | 'disk-data', p: PathFacts | undefined, need: DiskNeed, facts: HostFacts, flag: string): PreflightCheck {
  if (!p) return row(id, 'skip', 'no install root given', `${formatBytes(need.soft)} free`, '', `Name the install root (${flag} on the command line) to check its space.`);
  const expected =
    need.hard > 0
      ? `at least ${formatBytes(need.hard)} free (${need.why})${need.soft > need.hard ? `; ${formatBytes(need.soft)} recommended` : ''}`
      : `${formatBytes(need.soft)} free (${need.why})`;
  if (p.freeBytes === null) {
    return row(id, 'warn', `unknown (${p.reason ?? 'free space not measurable'})`, expected, `Check by hand that ${p.path} has ${formatBytes(Math.max(need.hard, need.soft))} free.`);
  }
  const observed = `${formatBytes(p.freeBytes)} free at ${where(p)}`;
  const cleanup = isWindows(facts) ? 'free space (Disk Cleanup, remove old files)' : 'free space (remove old files, grow the volume)';
  if (p.freeBytes < need.hard) {
    return row(id, 'fail', observed, expected, `${cleanup} or choose a location on a larger volume with ${flag}; ${formatBytes(need.hard - p.freeBytes)} more is needed.`);
  }
  if (p.freeBytes < need.soft) {
    return row(id, 'warn', observed, expected, `Space is tight: ${cleanup} or choose a larger volume with ${flag}. Older releases are kept for rollback and need room too.`);
  }
  return row(id, 'pass', observed, expected);
}

function diskChecks(facts: HostFacts, manifest: KitManifest | undefined): PreflightCheck[] {
  const kitDisk = manifest?.requires?.diskBytes;
  const rootNeed: DiskNeed =
    kitDisk !== undefined && kitDisk > 0
      ? { hard: kitDisk, soft: kitDisk, why: 'kit requires.diskBytes' }
      : { hard: 0, soft: PREFLIGHT_DEFAULTS.installRootBytes, why: 'Airlock default; the kit states no size' };
  const kitSize = facts.medium?.sizeBytes ?? null;
  const dataNeed: DiskNeed =
    kitSize !== null
      ? { hard: kitSize, soft: Math.max(2 * kitSize, PREFLIGHT_DEFAULTS.dataDirBytes), why: 'the kit is imported into the registry here' }
      : { hard: 0, soft: PREFLIGHT_DEFAULTS.dataDirBytes, why: 'Airlock default' };
  const root = facts.installRoot;
  const data = facts.dataDir;
  const shared = root !== undefined && root.device !== null && root.device === data.device;
  const combinedData: DiskNeed = shared ? { hard: dataNeed.hard + rootNeed.hard, soft: dataNeed.soft + rootNeed.soft, why: `${dataNeed.why}, plus the install root on the same volume` } : dataNeed;
  return [checkDisk('disk-root', root, rootNeed, facts, '--root'), checkDisk('disk-data', data, combinedData, facts, '--data-dir')];
}

function checkWrite(id: 'write-root' | 'write-data', p: PathFacts | undefined, facts: HostFacts, flag: string): PreflightCheck {
  if (!p) return row(id, 'skip', 'no install root given', 'writable', '', `Name the install root (${flag} on the command line) to check it.`);
  const expected = 'writable by this user';
  switch (p.writable) {
    case 'yes':
      return row(id, 'pass', p.exists ? `${p.path} is writable` : `${p.path} does not exist yet; ${p.probedPath} is writable`, expected);
    case 'no':
      return row(id, 'fail', `${where(p)} is not writable: ${p.reason ?? 'permission denied'}`, expected, `Run Airlock ${asAdmin(facts)} or as the user that owns ${p.probedPath ?? p.path}, or choose another location with ${flag}.`);
    case 'unknown':
      return row(id, 'warn', `unknown (${p.reason ?? 'not probed'})`, expected, `Check by hand that this user can create files in ${p.path}.`);
  }
}

function fipsRemedyEnable(facts: HostFacts): string {
  if (isWindows(facts)) return 'Enable the policy "System cryptography: Use FIPS compliant algorithms" (Local Security Policy or GPO) and restart.';
  if (facts.os.id === 'ubuntu') return 'Enable FIPS with Ubuntu Pro ("pro enable fips-updates") and reboot.';
  return 'Run "fips-mode-setup --enable" and reboot (RHEL, Rocky and AlmaLinux 8/9).';
}

function checkFips(facts: HostFacts, manifest: KitManifest | undefined): PreflightCheck {
  const mode = manifest?.requires?.fips ?? 'any';
  const state = facts.fips.state;
  const observed = state === 'unknown' ? `unknown (${facts.fips.reason ?? 'not readable'})` : `${state} (${facts.fips.source})`;
  const note = state === 'on' ? 'Airlock verifies kits with SHA-256 and ECDSA P-256, which FIPS mode allows.' : undefined;
  if (mode === 'required') {
    const expected = 'on (kit requires FIPS mode)';
    if (state === 'on') return row('fips', 'pass', observed, expected, '', note);
    if (state === 'off') return row('fips', 'fail', observed, expected, `This kit must run on a host in FIPS mode. ${fipsRemedyEnable(facts)}`);
    return row('fips', 'warn', observed, expected, 'Airlock could not tell whether FIPS mode is on; confirm it by hand before installing.');
  }
  if (mode === 'forbidden') {
    const expected = 'off (kit does not run in FIPS mode)';
    if (state === 'off') return row('fips', 'pass', observed, expected);
    if (state === 'on') return row('fips', 'fail', observed, expected, 'This kit does not work on a host in FIPS mode. Install it on a host without FIPS mode, or ask the publisher for a FIPS-capable build.');
    return row('fips', 'warn', observed, expected, 'Airlock could not tell whether FIPS mode is on; confirm it is off before installing.');
  }
  if (state === 'unknown') return row('fips', 'skip', observed, 'any (no requirement)');
  return row('fips', 'pass', observed, 'any (no requirement)', '', note);
}

function checkSelinux(facts: HostFacts): PreflightCheck {
  const s = facts.selinux;
  const expected = 'enforcing';
  switch (s.state) {
    case 'not-applicable':
      return row('selinux', 'skip', 'not applicable on this OS', expected);
    case 'not-present':
      return row('selinux', 'skip', 'SELinux is not present (Debian and Ubuntu use AppArmor)', expected);
    case 'unknown':
      return row('selinux', 'skip', `unknown (${s.reason ?? 'not readable'})`, expected);
    case 'enforcing':
      return row('selinux', 'pass', 'enforcing', expected, '', 'Installed files take the default SELinux context of their location. For an install root outside /opt or /usr, add a rule with "semanage fcontext" and run "restorecon -R" on the root.');
    case 'permissive':
      return row('selinux', 'warn', 'permissive', expected, 'SELinux only logs and does not enforce. Airlock does not need that: run "setenforce 1" and set SELINUX=enforcing in /etc/selinux/config, or acknowledge if permissive is intended.');
    case 'disabled':
      return row('selinux', 'warn', `disabled${s.reason ? ` (${s.reason})` : ''}`, expected, 'Files installed now get no SELinux labels, so enabling SELinux later needs a full relabel ("touch /.autorelabel" and reboot). Enable SELinux first if the host is meant to run with it, or acknowledge.');
  }
}

function checkCryptoPolicy(facts: HostFacts): PreflightCheck {
  const c = facts.cryptoPolicy;
  const expected = 'DEFAULT, FUTURE or FIPS';
  if (c.state === 'not-applicable') return row('crypto-policy', 'skip', 'not applicable on this OS', expected);
  if (c.state === 'not-present') return row('crypto-policy', 'skip', 'no system crypto policy (/etc/crypto-policies absent)', expected);
  if (c.state === 'unknown' || c.policy === undefined) return row('crypto-policy', 'skip', `unknown (${c.reason ?? 'not readable'})`, expected);
  const base = c.policy.split(':')[0]!.toUpperCase();
  const observed = c.policy;
  if (base === 'LEGACY') {
    return row('crypto-policy', 'warn', observed, expected, 'LEGACY re-enables weak algorithms for the whole host. Airlock does not need it: run "update-crypto-policies --set DEFAULT" unless another program requires LEGACY.');
  }
  if (facts.fips.state === 'on' && base !== 'FIPS') {
    return row('crypto-policy', 'warn', `${observed} while FIPS mode is on`, 'FIPS (FIPS mode is on)', 'The kernel is in FIPS mode but the crypto policy is not FIPS; run "fips-mode-setup --enable" to make them agree, then reboot.');
  }
  if (facts.fips.state === 'off' && base === 'FIPS') {
    return row('crypto-policy', 'warn', `${observed} while FIPS mode is off`, 'FIPS mode on when the policy is FIPS', 'The crypto policy is FIPS but the kernel is not in FIPS mode; run "fips-mode-setup --enable" and reboot, or set another policy.');
  }
  return row('crypto-policy', 'pass', observed, expected);
}

function checkClock(facts: HostFacts, manifest: KitManifest | undefined, buildDate: Date): PreflightCheck {
  const now = new Date(facts.time);
  const setClock = isWindows(facts)
    ? 'Set the date and time (Settings > Time & language, or "Set-Date" as Administrator)'
    : 'Set the date and time ("timedatectl set-time \'YYYY-MM-DD HH:MM:SS\'" as root, or in the firmware setup)';
  const observed = `host clock ${now.toISOString()}`;
  if (manifest) {
    const created = new Date(manifest.created);
    const expected = `after the kit was created (${manifest.created}) and within ${PREFLIGHT_DEFAULTS.kitAgeWarnYears} years of it`;
    if (now.getTime() < created.getTime()) {
      return row('clock', 'fail', observed, expected, `The host clock is before the kit was created, so signature and certificate times cannot be judged. ${setClock} and run preflight again.`);
    }
    if (now.getTime() - created.getTime() > PREFLIGHT_DEFAULTS.kitAgeWarnYears * YEAR_MS) {
      return row('clock', 'warn', observed, expected, `The clock is more than ${PREFLIGHT_DEFAULTS.kitAgeWarnYears} years after the kit was created. Check the clock; if it is right, the kit is very old: ask the publisher for a current one.`);
    }
  }
  const expected = manifest ? `after the kit was created (${manifest.created})` : `after this Airlock was built (${buildDate.toISOString().slice(0, 10)}) and within ${PREFLIGHT_DEFAULTS.buildAgeWarnYears} years of it`;
  if (now.getTime() < buildDate.getTime()) {
    return row('clock', 'warn', observed, `after this Airlock was built (${buildDate.toISOString().slice(0, 10)})`, `The host clock is before this Airlock release was built, so it is probably wrong. ${setClock}.`);
  }
  if (!manifest && now.getTime() - buildDate.getTime() > PREFLIGHT_DEFAULTS.buildAgeWarnYears * YEAR_MS) {
    return row('clock', 'warn', observed, expected, `The clock is more than ${PREFLIGHT_DEFAULTS.buildAgeWarnYears} years after this Airlock was built. Check the clock, and use a current Airlock.`);
  }
  return row('clock', 'pass', observed, expected);
}

function checkMedium(facts: HostFacts): PreflightCheck {
  const m = facts.medium;
  const expected = 'a file system that holds the kit (FAT32: split kits only)';
  if (!m) return row('medium-fs', 'skip', 'no kit given', expected);
  if (m.kind === 'unknown') return row('medium-fs', 'warn', `kit not found (${m.reason ?? m.path})`, expected, 'Check the kit path and that the medium is mounted.');
  if (m.fsType === 'unknown') return row('medium-fs', 'skip', `unknown (${m.reason ?? 'not identified'})`, expected);
  const at = m.mountPoint ? ` at ${m.mountPoint}` : '';
  const observed = `${m.fsType}${at}, ${m.kind === 'split' ? 'split kit' : m.kind === 'directory' ? 'unpacked kit' : 'single kit file'}`;
  if (FAT_FAMILY.has(m.fsType)) {
    if (m.kind !== 'file') return row('medium-fs', 'pass', observed, expected, '', 'FAT32 holds files up to 4 GiB − 1 byte; this kit is split or unpacked, as FAT32 needs.');
    return row(
      'medium-fs',
      'warn',
      observed,
      expected,
      'FAT32 cannot hold a file of 4 GiB or more, so a larger kit copied here arrives truncated or not at all. Build large kits split ("airlock kit build … --split-size fat32") or format the medium exFAT or NTFS.',
    );
  }
  if (m.fsType === 'exfat') return row('medium-fs', 'pass', observed, expected, '', 'exFAT has no 4 GiB file limit; eject the medium safely, since exFAT keeps no journal.');
  return row('medium-fs', 'pass', observed, expected);
}

function checkLongPaths(facts: HostFacts, ctx: CheckContext): PreflightCheck {
  const lp = facts.longPaths;
  const expected = `enabled, or every installed path under ${PREFLIGHT_DEFAULTS.windowsMaxPath} characters`;
  if (lp.state === 'not-applicable') return row('long-paths', 'skip', 'not applicable on this OS', expected);
  if (lp.state === 'enabled') return row('long-paths', 'pass', 'enabled (LongPathsEnabled = 1)', expected);
  const observed = lp.state === 'disabled' ? 'disabled (LongPathsEnabled is not 1)' : `unknown (${lp.reason ?? 'not readable'})`;
  const root = facts.installRoot?.path;
  const deepest = ctx.longestKitPathBytes;
  if (root !== undefined && deepest !== undefined) {
    const longest = root.length + 1 + deepest;
    if (longest < PREFLIGHT_DEFAULTS.windowsMaxPath) {
      return row('long-paths', 'pass', `${observed}; the longest installed path is ${longest} characters`, expected);
    }
  }
  const why =
    root !== undefined && deepest !== undefined
      ? `the longest installed path would be ${root.length + 1 + deepest} characters`
      : `kit paths may be up to ${PREFLIGHT_DEFAULTS.kitMaxPathBytes} characters below the install root`;
  return row(
    'long-paths',
    'warn',
    observed,
    expected,
    `Without long paths, programs that use the classic Windows APIs cannot open files whose full path reaches ${PREFLIGHT_DEFAULTS.windowsMaxPath} characters, and ${why}. Enable "Enable Win32 long paths" (Group Policy: Computer Configuration > Administrative Templates > System > Filesystem) or set HKLM\\SYSTEM\\CurrentControlSet\\Control\\FileSystem\\LongPathsEnabled to 1, or choose a shorter install root.`,
  );
}

function checkNetwork(facts: HostFacts): PreflightCheck {
  const r = facts.defaultRoute;
  const expected = 'no default route (an isolated enclave host)';
  if (r.state === 'absent') return row('network-isolation', 'pass', 'no default route', expected);
  if (r.state === 'unknown') return row('network-isolation', 'skip', `unknown (${r.reason ?? 'route table not readable'})`, expected);
  return row(
    'network-isolation',
    'warn',
    `default route ${r.via ? `via ${r.via}` : 'present'}`,
    expected,
    'This host looks connected; an enclave host normally has no default route. Airlock itself never uses the network. If this host is meant to be isolated, check its network configuration; otherwise acknowledge.',
  );
}

export function evaluateHost(facts: HostFacts, ctx: CheckContext): PreflightCheck[] {
  const { manifest } = ctx;
  const { targets, fromKit } = targetsFor(manifest);
  const match = matchOs(facts, targets);
  return [
    checkOs(facts, targets, fromKit, match),
    checkOsVersion(facts, fromKit, match),
    checkArch(facts, manifest),
    checkCpus(facts, manifest),
    checkMemory(facts, manifest),
    ...diskChecks(facts, manifest),
    checkWrite('write-root', facts.installRoot, facts, '--root'),
    checkWrite('write-data', facts.dataDir, facts, '--data-dir'),
    checkFips(facts, manifest),
    checkSelinux(facts),
    checkCryptoPolicy(facts),
    checkClock(facts, manifest, ctx.buildDate),
    checkMedium(facts),
    checkLongPaths(facts, ctx),
    checkNetwork(facts),
  ];
}
