// Windows facts from the registry (reg.exe), `route print` and .NET's DriveInfo,
// run through the injected ProcessRunner so tests replay recorded output on Linux.
// ProductName is not trusted for the version: Windows 11 still writes
// "Windows 10 Pro" there. The build number decides (22000 and above is 11).
import type { HostFacts, OsFacts, WindowsFacts } from '../../../shared/preflight.ts';
import { defaultRouteFromRoutePrint } from './net-route.ts';
import type { HostProbeDeps, PlatformProbe, ProcessResult } from './probe-deps.ts';
import { parseRegQuery, regDword, regString, type RegValue } from './windows-registry.ts';

export const WINDOWS_KEYS = {
  currentVersion: 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion',
  fips: 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\FipsAlgorithmPolicy',
  fileSystem: 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\FileSystem',
} as const;

export const WINDOWS_11_FIRST_BUILD = 22000;
const WINDOWS_10_FIRST_BUILD = 10240;

const EDITION_LABELS: Record<string, string> = {
  Core: 'Home',
  CoreN: 'Home N',
  CoreSingleLanguage: 'Home Single Language',
  Professional: 'Pro',
  ProfessionalN: 'Pro N',
  ProfessionalWorkstation: 'Pro for Workstations',
  ProfessionalEducation: 'Pro Education',
  Enterprise: 'Enterprise',
  EnterpriseN: 'Enterprise N',
  EnterpriseS: 'Enterprise LTSC',
  EnterpriseSN: 'Enterprise N LTSC',
  IoTEnterprise: 'IoT Enterprise',
  IoTEnterpriseS: 'IoT Enterprise LTSC',
  Education: 'Education',
  ServerStandard: 'Server Standard',
  ServerDatacenter: 'Server Datacenter',
};

/** "10"/"11" from the build; older NT versions keep their CurrentVersion ("6.3"). */
export function windowsVersionFromBuild(build: number, currentVersion?: string): string {
  if (build >= WINDOWS_11_FIRST_BUILD) return '11';
  if (build >= WINDOWS_10_FIRST_BUILD) return '10';
  return currentVersion ?? 'unknown';
}

function failureText(result: ProcessResult): string {
  return (result.stderr.trim() || result.stdout.trim() || `exit code ${result.exitCode}`).split(/\r?\n/)[0]!;
}

async function regQuery(deps: HostProbeDeps, key: string, value?: string): Promise<{ ok: true; values: Map<string, RegValue> } | { ok: false; why: string }> {
  const args = value === undefined ? ['query', key] : ['query', key, '/v', value];
  const result = await deps.runner.run('reg', args);
  if (result.exitCode !== 0) return { ok: false, why: failureText(result) };
  return { ok: true, values: parseRegQuery(result.stdout) };
}

function prettyName(version: string, w: WindowsFacts): string {
  const isServer = w.installationType.toLowerCase().startsWith('server');
  const edition = EDITION_LABELS[w.edition] ?? w.edition;
  const build = w.ubr === null ? `${w.build}` : `${w.build}.${w.ubr}`;
  const name = isServer ? `Windows ${edition}` : `Windows ${version} ${edition}`;
  return `${name} (build ${build}${w.displayVersion ? `, ${w.displayVersion}` : ''})`;
}

/** Build from os.release() ("10.0.22631") when the registry cannot be read. */
function buildFromRelease(release: string): number | undefined {
  const m = /^\d+\.\d+\.(\d+)/.exec(release);
  return m ? Number(m[1]) : undefined;
}

async function osFacts(deps: HostProbeDeps): Promise<OsFacts> {
  const q = await regQuery(deps, WINDOWS_KEYS.currentVersion).catch((error: unknown) => ({ ok: false as const, why: String((error as Error).message ?? error) }));
  const build = q.ok ? Number(regString(q.values, 'CurrentBuildNumber') ?? regString(q.values, 'CurrentBuild') ?? NaN) : NaN;
  if (!q.ok || !Number.isSafeInteger(build)) {
    const fallback = buildFromRelease(deps.os.release);
    const why = q.ok ? 'CurrentBuildNumber is missing from the registry' : `reg query failed: ${q.why}`;
    if (fallback === undefined) return { kind: 'windows', id: 'windows', idLike: [], version: 'unknown', prettyName: 'Windows', source: 'registry', reason: why };
    const version = windowsVersionFromBuild(fallback);
    return { kind: 'windows', id: 'windows', idLike: [], version, prettyName: `Windows ${version} (build ${fallback})`, source: 'os.release()', reason: `${why}; edition unknown` };
  }
  const values = q.values;
  const windows: WindowsFacts = {
    build,
    ubr: regDword(values, 'UBR') ?? null,
    edition: regString(values, 'EditionID') ?? 'unknown',
    displayVersion: regString(values, 'DisplayVersion') ?? regString(values, 'ReleaseId') ?? null,
    installationType: regString(values, 'InstallationType') ?? 'Client',
  };
  const version = windowsVersionFromBuild(build, regString(values, 'CurrentVersion'));
  return { kind: 'windows', id: 'windows', idLike: [], version, prettyName: prettyName(version, windows), source: 'registry', windows };
}

async function fips(deps: HostProbeDeps): Promise<HostFacts['fips']> {
  const source = `${WINDOWS_KEYS.fips}\\Enabled`;
  const q = await regQuery(deps, WINDOWS_KEYS.fips, 'Enabled');
  // reg exits 1 when the value does not exist; the policy is then at its default, off.
  if (!q.ok) return { state: 'off', source, reason: `not set (${q.why}); the default is off` };
  const enabled = regDword(q.values, 'Enabled');
  if (enabled === undefined) return { state: 'unknown', source, reason: 'Enabled is not a DWORD' };
  return { state: enabled !== 0 ? 'on' : 'off', source };
}

async function longPaths(deps: HostProbeDeps): Promise<HostFacts['longPaths']> {
  const q = await regQuery(deps, WINDOWS_KEYS.fileSystem, 'LongPathsEnabled');
  if (!q.ok) return { state: 'disabled', reason: `LongPathsEnabled is not set (${q.why}); the default is off` };
  const enabled = regDword(q.values, 'LongPathsEnabled');
  if (enabled === undefined) return { state: 'unknown', reason: 'LongPathsEnabled is not a DWORD' };
  return { state: enabled === 1 ? 'enabled' : 'disabled' };
}

async function defaultRoute(deps: HostProbeDeps): Promise<HostFacts['defaultRoute']> {
  const result = await deps.runner.run('route', ['print']);
  if (result.exitCode !== 0) return { state: 'unknown', reason: `route print failed: ${failureText(result)}` };
  const route = defaultRouteFromRoutePrint(result.stdout);
  if (route === null) return { state: 'unknown', reason: 'route print printed no route table' };
  if (!route.present) return { state: 'absent' };
  return route.via === undefined ? { state: 'present' } : { state: 'present', via: route.via };
}

async function fileSystemOf(deps: HostProbeDeps, p: string): Promise<{ fsType: string; mountPoint: string | null; reason?: string }> {
  const drive = /^([A-Za-z]):/.exec(p)?.[1];
  if (drive === undefined) return { fsType: 'unknown', mountPoint: null, reason: `${p} is not on a drive letter (a network share?)` };
  const root = `${drive.toUpperCase()}:\\`;
  // The drive letter is checked above, so it is safe inside the command text.
  const script = `[System.IO.DriveInfo]::new('${root}').DriveFormat`;
  const result = await deps.runner.run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script]);
  const format = result.stdout.trim();
  if (result.exitCode !== 0 || format === '') return { fsType: 'unknown', mountPoint: root, reason: `DriveInfo failed: ${failureText(result)}` };
  return { fsType: format.toLowerCase(), mountPoint: root };
}

export function windowsPlatformProbe(deps: HostProbeDeps): PlatformProbe {
  return {
    os: () => osFacts(deps),
    fips: () => fips(deps),
    selinux: async () => ({ state: 'not-applicable' }),
    cryptoPolicy: async () => ({ state: 'not-applicable' }),
    defaultRoute: () => defaultRoute(deps),
    longPaths: () => longPaths(deps),
    fileSystemOf: (p) => fileSystemOf(deps, p),
  };
}
