// What a preflight reports: the facts found on the host, one row per check and
// a verdict. It crosses IPC to the renderer and is stored with the operation for
// the evidence export, so it is plain data with a zod schema.
import { z } from 'zod';
import { ARCHES, PLATFORM_OSES } from './kit-manifest.ts';

export const PREFLIGHT_SCHEMA = 'airlock.preflight/v1';

export type PlatformOs = (typeof PLATFORM_OSES)[number];
export type Arch = (typeof ARCHES)[number];
export type PackageFormat = 'AppImage' | 'rpm' | 'deb' | 'NSIS' | 'portable';

export interface SupportedPlatform {
  os: PlatformOs;
  name: string;
  /** Release lines; a host version matches when these components are its prefix ("9" ⊃ "9.4"). */
  versions: readonly string[];
  arch: readonly Arch[];
  packages: readonly PackageFormat[];
}

/** The hosts Airlock itself is built and tested for (docs/os-matrix.md). */
export const SUPPORT_MATRIX: readonly SupportedPlatform[] = [
  { os: 'rhel', name: 'Red Hat Enterprise Linux', versions: ['8', '9'], arch: ['x64', 'arm64'], packages: ['rpm', 'AppImage'] },
  { os: 'rocky', name: 'Rocky Linux', versions: ['8', '9'], arch: ['x64', 'arm64'], packages: ['rpm', 'AppImage'] },
  { os: 'almalinux', name: 'AlmaLinux', versions: ['8', '9'], arch: ['x64', 'arm64'], packages: ['rpm', 'AppImage'] },
  { os: 'ubuntu', name: 'Ubuntu', versions: ['20.04', '22.04', '24.04'], arch: ['x64', 'arm64'], packages: ['deb', 'AppImage'] },
  { os: 'debian', name: 'Debian', versions: ['12'], arch: ['x64', 'arm64'], packages: ['deb', 'AppImage'] },
  { os: 'windows', name: 'Windows', versions: ['10', '11'], arch: ['x64', 'arm64'], packages: ['NSIS', 'portable'] },
];

export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'skip'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];
export const VERDICTS = ['pass', 'warn', 'fail'] as const;
export type PreflightVerdict = (typeof VERDICTS)[number];

/** Stable check ids, in report order. Evidence and the UI refer to them. */
export const CHECK_IDS = [
  'os',
  'os-version',
  'arch',
  'cpus',
  'memory',
  'disk-root',
  'disk-data',
  'write-root',
  'write-data',
  'fips',
  'selinux',
  'crypto-policy',
  'clock',
  'medium-fs',
  'long-paths',
  'network-isolation',
] as const;
export type PreflightCheckId = (typeof CHECK_IDS)[number];

const reason = z.string().optional();

const windowsFactsSchema = z.object({
  /** CurrentBuildNumber; 22000 and above is Windows 11. */
  build: z.number().int().nonnegative(),
  /** Update build revision (the part after the dot in 22631.3880), when known. */
  ubr: z.number().int().nonnegative().nullable(),
  /** EditionID, e.g. Professional, Enterprise, EnterpriseS, ServerStandard. */
  edition: z.string(),
  /** DisplayVersion such as 23H2, when known. */
  displayVersion: z.string().nullable(),
  /** InstallationType: Client, Server or Server Core. */
  installationType: z.string(),
});

const osFactsSchema = z.object({
  kind: z.enum(['linux', 'windows', 'other']),
  /** os-release ID (lower case) or "windows"; "unknown" when not found. */
  id: z.string(),
  idLike: z.array(z.string()),
  /** VERSION_ID ("9.4", "22.04", "12") or "10"/"11" on Windows; "unknown" when not found. */
  version: z.string(),
  prettyName: z.string(),
  /** Where the facts came from, e.g. /etc/os-release or the registry. */
  source: z.string(),
  windows: windowsFactsSchema.optional(),
  reason,
});

const pathFactsSchema = z.object({
  path: z.string(),
  exists: z.boolean(),
  /** The directory measured: the path itself, or its nearest existing ancestor when it is still to be created. */
  probedPath: z.string().nullable(),
  freeBytes: z.number().nonnegative().nullable(),
  totalBytes: z.number().nonnegative().nullable(),
  /** st_dev of probedPath, to tell whether two paths share a file system. */
  device: z.number().nullable(),
  writable: z.enum(['yes', 'no', 'unknown']),
  reason,
});

const mediumFactsSchema = z.object({
  path: z.string(),
  kind: z.enum(['file', 'split', 'directory', 'unknown']),
  sizeBytes: z.number().nonnegative().nullable(),
  /** File system type in lower case (vfat, exfat, ext4, ntfs, fat32 …) or "unknown". */
  fsType: z.string(),
  mountPoint: z.string().nullable(),
  reason,
});

export const hostFactsSchema = z.object({
  /** process.platform of the probing process. */
  platform: z.string(),
  os: osFactsSchema,
  /** process.arch: x64 and arm64 are supported; anything else is reported as is. */
  arch: z.string(),
  /** os.machine(), which differs from arch when the process runs under emulation. */
  machine: z.string().nullable(),
  cpus: z.number().int().nonnegative(),
  memoryBytes: z.number().nonnegative(),
  /** The host clock at probe time (ISO 8601). */
  time: z.string(),
  fips: z.object({ state: z.enum(['on', 'off', 'unknown']), source: z.string(), reason }),
  selinux: z.object({ state: z.enum(['enforcing', 'permissive', 'disabled', 'not-present', 'not-applicable', 'unknown']), reason }),
  cryptoPolicy: z.object({ state: z.enum(['set', 'not-present', 'not-applicable', 'unknown']), policy: z.string().optional(), reason }),
  defaultRoute: z.object({ state: z.enum(['present', 'absent', 'unknown']), via: z.string().optional(), reason }),
  longPaths: z.object({ state: z.enum(['enabled', 'disabled', 'not-applicable', 'unknown']), reason }),
  installRoot: pathFactsSchema.optional(),
  dataDir: pathFactsSchema,
  medium: mediumFactsSchema.optional(),
});

export const preflightCheckSchema = z.object({
  id: z.enum(CHECK_IDS),
  title: z.string().min(1),
  status: z.enum(CHECK_STATUSES),
  /** What the host has, in plain words. */
  observed: z.string(),
  /** What the kit (or Airlock) needs. */
  expected: z.string(),
  /** What to do about a warn or fail; empty when there is nothing to do. */
  remedy: z.string(),
  /** Extra context worth reading even when the check passes. */
  note: z.string().optional(),
});

export const preflightKitSchema = z.object({
  name: z.string(),
  version: z.string(),
  created: z.string(),
  /** False when kit.json was read without checking the kit's signature. */
  manifestVerified: z.boolean(),
});

export const preflightReportSchema = z
  .object({
    schema: z.literal(PREFLIGHT_SCHEMA),
    generatedAt: z.string(),
    /** "kit": checked against a kit's requires; "matrix": against everything Airlock supports. */
    scope: z.enum(['kit', 'matrix']),
    host: hostFactsSchema,
    kit: preflightKitSchema.optional(),
    checks: z.array(preflightCheckSchema),
    verdict: z.enum(VERDICTS),
  })
  .superRefine((report, ctx) => {
    const expected = verdictOf(report.checks);
    if (report.verdict !== expected) {
      ctx.addIssue({ code: 'custom', path: ['verdict'], message: `verdict "${report.verdict}" disagrees with the checks ("${expected}")` });
    }
    if ((report.scope === 'kit') !== (report.kit !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['scope'], message: 'scope "kit" goes with a kit, "matrix" without one' });
    }
  });

export type WindowsFacts = z.infer<typeof windowsFactsSchema>;
export type OsFacts = z.infer<typeof osFactsSchema>;
export type PathFacts = z.infer<typeof pathFactsSchema>;
export type MediumFacts = z.infer<typeof mediumFactsSchema>;
export type HostFacts = z.infer<typeof hostFactsSchema>;
export type PreflightCheck = z.infer<typeof preflightCheckSchema>;
export type PreflightKit = z.infer<typeof preflightKitSchema>;
export type PreflightReport = z.infer<typeof preflightReportSchema>;

/** Any fail blocks the install; otherwise any warn needs an acknowledgement. */
export function verdictOf(checks: ReadonlyArray<Pick<PreflightCheck, 'status'>>): PreflightVerdict {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}

/** True when the install may go ahead only after the operator acknowledges the warnings. */
export function needsAcknowledgement(report: Pick<PreflightReport, 'verdict'>): boolean {
  return report.verdict === 'warn';
}
