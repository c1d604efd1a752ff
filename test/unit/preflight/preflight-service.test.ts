import { describe, expect, it } from 'vitest';
import { createHostProbe } from '../../../electron/core/preflight/host-probe.ts';
import { PreflightService, type PreflightInput } from '../../../electron/core/preflight/preflight-service.ts';
import type { HostProbeDeps } from '../../../electron/core/preflight/probe-deps.ts';
import { CHECK_IDS, preflightReportSchema, type PreflightCheckId, type PreflightReport } from '../../../shared/preflight.ts';
import { BUILD_DATE, fakePaths, GiB, LINUX_HOSTS, linuxHost, manifest, NOW, windowsHost, type LinuxHostName } from './fixture-host.ts';

const LINUX_INPUT: PreflightInput = { installRoot: '/opt/app', dataDir: '/var/lib/airlock' };
const WINDOWS_INPUT: PreflightInput = { installRoot: 'C:\\Program Files\\App', dataDir: 'C:\\Users\\admin\\AppData\\Roaming\\Airlock' };

async function run(deps: HostProbeDeps, input: PreflightInput): Promise<PreflightReport> {
  const report = await new PreflightService({ probe: createHostProbe(deps), clock: deps.clock, buildDate: BUILD_DATE }).run(input);
  // Every report crosses IPC and goes into the evidence: it must satisfy the shared schema.
  expect(preflightReportSchema.parse(report)).toEqual(report);
  expect(report.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
  return report;
}

function check(report: PreflightReport, id: PreflightCheckId) {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

function linux(name: LinuxHostName, options: Parameters<typeof linuxHost>[1] = {}) {
  return linuxHost(name, options);
}

describe('every supported Linux host against the whole matrix', () => {
  const cases = Object.keys(LINUX_HOSTS).flatMap((name) => (['x64', 'arm64'] as const).map((arch) => [name, arch] as const));
  it.each(cases)('%s on %s passes', async (name, arch) => {
    const report = await run(linux(name as LinuxHostName, { os: { arch, machine: arch === 'x64' ? 'x86_64' : 'aarch64' } }), LINUX_INPUT);
    expect(report.scope).toBe('matrix');
    expect(report.kit).toBeUndefined();
    expect(check(report, 'os').status).toBe('pass');
    expect(check(report, 'os-version').status).toBe('pass');
    expect(check(report, 'arch')).toMatchObject({ status: 'pass', observed: arch });
    expect(report.checks.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
    expect(report.verdict).toBe('pass');
  });
});

describe('Windows hosts against the whole matrix', () => {
  it.each(['x64', 'arm64'] as const)('Windows 10 build 19045 on %s: supported; long paths off warns', async (arch) => {
    const report = await run(windowsHost('win10-19045-enterprise', { os: { arch } }), WINDOWS_INPUT);
    expect(check(report, 'os').status).toBe('pass');
    expect(check(report, 'os-version')).toMatchObject({ status: 'pass', observed: 'Windows 10 Enterprise (build 19045.4529, 22H2)' });
    expect(check(report, 'arch')).toMatchObject({ status: 'pass', observed: arch });
    expect(check(report, 'fips')).toMatchObject({ status: 'pass' });
    expect(check(report, 'long-paths').status).toBe('warn');
    expect(check(report, 'long-paths').remedy).toMatch(/LongPathsEnabled/);
    expect(check(report, 'selinux').status).toBe('skip');
    expect(check(report, 'crypto-policy').status).toBe('skip');
    expect(report.verdict).toBe('warn');
  });

  it.each(['x64', 'arm64'] as const)('Windows 11 build 22631 on %s: supported; a default route warns', async (arch) => {
    const report = await run(windowsHost('win11-22631-pro', { os: { arch } }), WINDOWS_INPUT);
    expect(check(report, 'os-version')).toMatchObject({ status: 'pass', expected: 'Windows 10, 11' });
    expect(check(report, 'os-version').observed).toContain('Windows 11 Pro');
    expect(check(report, 'long-paths').status).toBe('pass');
    expect(check(report, 'network-isolation')).toMatchObject({ status: 'warn', observed: 'default route via 192.168.1.1 on 192.168.1.50' });
    expect(check(report, 'network-isolation').remedy).toMatch(/This host looks connected/);
    expect(report.verdict).toBe('warn');
  });

  it('Windows Server passes the version line but warns that it is outside the tested matrix', async () => {
    const report = await run(windowsHost('server2022-20348', { fips: null, longPaths: '\r\nHKEY_LOCAL_MACHINE\\X\r\n    LongPathsEnabled    REG_DWORD    0x1\r\n' }), WINDOWS_INPUT);
    expect(check(report, 'os-version').status).toBe('warn');
    expect(check(report, 'os-version').remedy).toMatch(/Windows Server/);
  });
});

describe('unsupported hosts', () => {
  it('an unknown distribution (Fedora) fails against the matrix with a remedy naming the supported OSes', async () => {
    const report = await run(linux('fedora-40'), LINUX_INPUT);
    const os = check(report, 'os');
    expect(os.status).toBe('fail');
    expect(os.observed).toContain('Fedora Linux 40');
    expect(os.remedy).toMatch(/Red Hat Enterprise Linux 8, 9/);
    expect(os.remedy).toMatch(/Ubuntu 20\.04, 22\.04, 24\.04/);
    expect(os.remedy).toMatch(/Windows 10, 11/);
    expect(check(report, 'os-version').status).toBe('skip');
    expect(report.verdict).toBe('fail');
  });

  it('an old release of a supported OS fails the version check', async () => {
    const report = await run(linux('ubuntu-20.04', { files: { '/etc/os-release': 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="18.04"\nPRETTY_NAME="Ubuntu 18.04.6 LTS"\n' } }), LINUX_INPUT);
    expect(check(report, 'os').status).toBe('pass');
    expect(check(report, 'os-version')).toMatchObject({ status: 'fail', observed: 'Ubuntu 18.04', expected: 'Ubuntu 20.04, 22.04, 24.04' });
    expect(report.verdict).toBe('fail');
  });

  it('a derivative named only through ID_LIKE warns (CentOS Stream 9 is like RHEL)', async () => {
    const stream = 'NAME="CentOS Stream"\nVERSION="9"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="9"\nPRETTY_NAME="CentOS Stream 9"\n';
    const report = await run(linux('rhel-9.4', { files: { '/etc/os-release': stream } }), LINUX_INPUT);
    expect(check(report, 'os')).toMatchObject({ status: 'warn' });
    expect(check(report, 'os').observed).toContain('like Red Hat Enterprise Linux');
    expect(check(report, 'os-version').status).toBe('pass');
    expect(report.verdict).toBe('warn');
  });

  it('an unidentifiable OS warns rather than guessing', async () => {
    const report = await run(linux('debian-12', { files: { '/etc/os-release': null, '/usr/lib/os-release': null } }), LINUX_INPUT);
    expect(check(report, 'os').status).toBe('warn');
    expect(check(report, 'os-version').status).toBe('skip');
  });

  it('a host without a VERSION_ID warns on the version', async () => {
    const report = await run(linux('debian-12', { files: { '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nID=debian\n' } }), LINUX_INPUT);
    expect(check(report, 'os-version').status).toBe('warn');
  });

  it('an architecture other than x64 and arm64 fails even without a kit', async () => {
    const report = await run(linux('debian-12', { os: { arch: 'ppc64', machine: 'ppc64le' } }), LINUX_INPUT);
    expect(check(report, 'arch')).toMatchObject({ status: 'fail', observed: 'ppc64' });
    expect(report.verdict).toBe('fail');
  });
});

describe('a kit requirements become checks', () => {
  const rhel9 = manifest({ platforms: [{ os: 'rhel', versions: ['9'] }, { os: 'rocky', versions: ['9'] }], arch: ['x64'] });

  it('passes on the named OS and version, marks the report as kit-scoped and unverified by default', async () => {
    const report = await run(linux('rocky-9.4'), { ...LINUX_INPUT, manifest: rhel9 });
    expect(report.scope).toBe('kit');
    expect(report.kit).toEqual({ name: 'app', version: '1.2.0', created: '2026-10-01T12:00:00Z', manifestVerified: false });
    expect(check(report, 'os').expected).toBe('an OS this kit names: Red Hat Enterprise Linux 9; Rocky Linux 9');
    expect(report.verdict).toBe('pass');
  });

  it('records a verified manifest as verified', async () => {
    const report = await run(linux('rhel-9.4'), { ...LINUX_INPUT, manifest: rhel9, manifestVerified: true });
    expect(report.kit?.manifestVerified).toBe(true);
  });

  it('fails a host on another major version', async () => {
    const report = await run(linux('rhel-8.10'), { ...LINUX_INPUT, manifest: rhel9 });
    expect(check(report, 'os-version')).toMatchObject({ status: 'fail', observed: 'Red Hat Enterprise Linux 8.10', expected: 'Red Hat Enterprise Linux 9' });
    expect(check(report, 'os-version').remedy).toMatch(/ask the publisher/);
  });

  it('fails an OS the kit does not name, even one Airlock supports', async () => {
    const report = await run(linux('ubuntu-22.04'), { ...LINUX_INPUT, manifest: rhel9 });
    expect(check(report, 'os').status).toBe('fail');
    expect(check(report, 'os').remedy).toMatch(/This kit is built for Red Hat Enterprise Linux 9; Rocky Linux 9/);
  });

  it('warns for a RHEL rebuild the kit does not name (AlmaLinux 9 against rhel 9)', async () => {
    const report = await run(linux('almalinux-9.4'), { ...LINUX_INPUT, manifest: rhel9 });
    expect(check(report, 'os').status).toBe('warn');
    expect(check(report, 'os-version').status).toBe('pass');
  });

  it('matches an Ubuntu release line exactly', async () => {
    const jammy = manifest({ platforms: [{ os: 'ubuntu', versions: ['22.04'] }] });
    expect(check(await run(linux('ubuntu-22.04'), { ...LINUX_INPUT, manifest: jammy }), 'os-version').status).toBe('pass');
    expect(check(await run(linux('ubuntu-24.04'), { ...LINUX_INPUT, manifest: jammy }), 'os-version').status).toBe('fail');
  });

  it('matches Windows 11 by build and fails Windows 10 for a kit that names only 11', async () => {
    const win11 = manifest({ platforms: [{ os: 'windows', versions: ['11'] }] });
    expect(check(await run(windowsHost('win11-22631-pro'), { ...WINDOWS_INPUT, manifest: win11 }), 'os-version').status).toBe('pass');
    const on10 = await run(windowsHost('win10-19045-enterprise'), { ...WINDOWS_INPUT, manifest: win11 });
    expect(check(on10, 'os-version')).toMatchObject({ status: 'fail', expected: 'Windows 11' });
  });

  it('fails the wrong architecture', async () => {
    const report = await run(linux('rhel-9.4', { os: { arch: 'arm64', machine: 'aarch64' } }), { ...LINUX_INPUT, manifest: rhel9 });
    expect(check(report, 'arch')).toMatchObject({ status: 'fail', observed: 'arm64', expected: 'x64' });
    expect(check(report, 'arch').remedy).toMatch(/arm64 kit/);
  });

  it('notes a process running under emulation', async () => {
    const report = await run(windowsHost('win11-22631-pro', { os: { arch: 'x64', machine: 'ARM64' } }), { ...WINDOWS_INPUT, manifest: manifest({ arch: ['x64'] }) });
    expect(check(report, 'arch').status).toBe('pass');
    expect(check(report, 'arch').note).toMatch(/emulation on an arm64 machine/);
  });

  it('fails too few CPUs and too little memory', async () => {
    const big = manifest({ cpus: 8, memoryBytes: 8 * GiB });
    const report = await run(linux('ubuntu-24.04', { os: { cpus: 2, totalMemoryBytes: 4 * GiB } }), { ...LINUX_INPUT, manifest: big });
    expect(check(report, 'cpus')).toMatchObject({ status: 'fail', observed: '2', expected: 'at least 8 (kit)' });
    expect(check(report, 'memory')).toMatchObject({ status: 'fail', observed: '4.0 GiB', expected: 'at least 8.0 GiB (kit)' });
    expect(report.verdict).toBe('fail');
  });

  it('warns on little memory when the kit states no minimum', async () => {
    const report = await run(linux('ubuntu-24.04', { os: { totalMemoryBytes: 1 * GiB } }), LINUX_INPUT);
    expect(check(report, 'memory').status).toBe('warn');
  });

  it('fails low disk at the install root against requires.diskBytes, and only warns against the default', async () => {
    const tight = () => fakePaths({ '/': { free: 100 * GiB, dev: 1 }, '/opt': { free: 512 * 1024 * 1024, dev: 2 }, '/var/lib/airlock': { free: 100 * GiB, dev: 1 } });
    const withKit = await run(linux('rhel-9.4', { paths: tight() }), { ...LINUX_INPUT, manifest: manifest({ diskBytes: 2 * GiB }) });
    expect(check(withKit, 'disk-root')).toMatchObject({ status: 'fail', expected: 'at least 2.0 GiB free (kit requires.diskBytes)' });
    expect(check(withKit, 'disk-root').observed).toBe('512 MiB free at /opt/app (to be created in /opt)');
    expect(check(withKit, 'disk-root').remedy).toMatch(/1\.5 GiB more is needed/);
    const noKit = await run(linux('rhel-9.4', { paths: tight() }), LINUX_INPUT);
    expect(check(noKit, 'disk-root').status).toBe('warn');
  });

  it('counts the kit against the data dir, and both needs when they share a volume', async () => {
    const paths = fakePaths({
      '/': { free: 3 * GiB, dev: 1 },
      '/var/lib/airlock': { free: 3 * GiB, dev: 1 },
      '/media/kit.tar': { file: 2 * GiB, dev: 7 },
    });
    const report = await run(linux('debian-12', { paths }), { installRoot: '/srv/app', dataDir: '/var/lib/airlock', kitMediumPath: '/media/kit.tar', manifest: manifest({ diskBytes: 2 * GiB }) });
    expect(check(report, 'disk-root').status).toBe('pass');
    const data = check(report, 'disk-data');
    expect(data.status).toBe('fail');
    expect(data.expected).toMatch(/at least 4\.0 GiB free .*same volume/);
  });

  it('skips the install-root checks when no root is given', async () => {
    const report = await run(linux('debian-12'), { dataDir: '/var/lib/airlock' });
    expect(check(report, 'disk-root').status).toBe('skip');
    expect(check(report, 'write-root').status).toBe('skip');
    expect(check(report, 'disk-data').status).toBe('pass');
  });

  it('fails an install root that cannot be written, with a remedy for the OS', async () => {
    const paths = fakePaths({ '/': { free: 100 * GiB }, '/opt': { free: 100 * GiB, writable: false }, '/var/lib/airlock': { free: 100 * GiB } });
    const report = await run(linux('rhel-9.4', { paths }), LINUX_INPUT);
    expect(check(report, 'write-root')).toMatchObject({ status: 'fail' });
    expect(check(report, 'write-root').remedy).toMatch(/as root \(sudo\)/);
    const winPaths = fakePaths({ 'C:\\': { free: 100 * GiB }, 'C:\\Program Files': { free: 100 * GiB, writable: false }, 'C:\\Users\\admin\\AppData\\Roaming\\Airlock': { free: 100 * GiB } });
    const win = await run(windowsHost('win11-22631-pro', { paths: winPaths }), WINDOWS_INPUT);
    expect(check(win, 'write-root').remedy).toMatch(/as Administrator/);
  });
});

describe('FIPS', () => {
  const on = { '/proc/sys/crypto/fips_enabled': '1\n', '/etc/crypto-policies/config': 'FIPS\n' };

  it('required: passes with FIPS on, fails with it off and says how to enable it', async () => {
    const required = manifest({ fips: 'required' });
    const pass = await run(linux('rhel-9.4', { files: on }), { ...LINUX_INPUT, manifest: required });
    expect(check(pass, 'fips')).toMatchObject({ status: 'pass', observed: 'on (/proc/sys/crypto/fips_enabled)' });
    expect(check(pass, 'crypto-policy').status).toBe('pass');
    const fail = await run(linux('rhel-9.4'), { ...LINUX_INPUT, manifest: required });
    expect(check(fail, 'fips').status).toBe('fail');
    expect(check(fail, 'fips').remedy).toMatch(/fips-mode-setup --enable/);
    const ubuntu = await run(linux('ubuntu-22.04'), { ...LINUX_INPUT, manifest: required });
    expect(check(ubuntu, 'fips').remedy).toMatch(/pro enable fips-updates/);
    const windows = await run(windowsHost('win11-22631-pro'), { ...WINDOWS_INPUT, manifest: required });
    expect(check(windows, 'fips').remedy).toMatch(/Use FIPS compliant algorithms/);
  });

  it('required: warns when FIPS mode cannot be read', async () => {
    const report = await run(linux('rhel-9.4', { files: { '/proc/sys/crypto/fips_enabled': null } }), { ...LINUX_INPUT, manifest: manifest({ fips: 'required' }) });
    expect(check(report, 'fips').status).toBe('warn');
  });

  it('forbidden: fails with FIPS on, passes with it off', async () => {
    const forbidden = manifest({ fips: 'forbidden' });
    expect(check(await run(windowsHost('win10-19045-enterprise'), { ...WINDOWS_INPUT, manifest: forbidden }), 'fips').status).toBe('fail');
    expect(check(await run(windowsHost('win11-22631-pro'), { ...WINDOWS_INPUT, manifest: forbidden }), 'fips').status).toBe('pass');
  });

  it('any: FIPS on or off passes, unknown is skipped', async () => {
    expect(check(await run(linux('rhel-9.4', { files: on }), LINUX_INPUT), 'fips').status).toBe('pass');
    expect(check(await run(linux('rhel-9.4'), LINUX_INPUT), 'fips').status).toBe('pass');
    expect(check(await run(linux('rhel-9.4', { files: { '/proc/sys/crypto/fips_enabled': null } }), LINUX_INPUT), 'fips').status).toBe('skip');
  });

  it('warns when FIPS mode and the crypto policy disagree', async () => {
    const kernelOnly = await run(linux('rhel-9.4', { files: { '/proc/sys/crypto/fips_enabled': '1' } }), LINUX_INPUT);
    expect(check(kernelOnly, 'crypto-policy')).toMatchObject({ status: 'warn', observed: 'DEFAULT while FIPS mode is on' });
    const policyOnly = await run(linux('rhel-9.4', { files: { '/etc/crypto-policies/config': 'FIPS' } }), LINUX_INPUT);
    expect(check(policyOnly, 'crypto-policy').status).toBe('warn');
  });
});

describe('SELinux and the crypto policy', () => {
  it('enforcing passes with a note about file contexts', async () => {
    const report = await run(linux('almalinux-8.10'), LINUX_INPUT);
    expect(check(report, 'selinux')).toMatchObject({ status: 'pass', observed: 'enforcing' });
    expect(check(report, 'selinux').note).toMatch(/semanage fcontext/);
  });

  it('permissive warns', async () => {
    const report = await run(linux('rocky-8.9', { files: { '/sys/fs/selinux/enforce': '0' } }), LINUX_INPUT);
    expect(check(report, 'selinux')).toMatchObject({ status: 'warn', observed: 'permissive' });
    expect(check(report, 'selinux').remedy).toMatch(/setenforce 1/);
    expect(report.verdict).toBe('warn');
  });

  it('disabled warns about relabelling', async () => {
    const report = await run(linux('rocky-9.4', { files: { '/sys/fs/selinux/enforce': null, '/etc/selinux/config': 'SELINUX=disabled\n' } }), LINUX_INPUT);
    expect(check(report, 'selinux').status).toBe('warn');
    expect(check(report, 'selinux').remedy).toMatch(/autorelabel/);
  });

  it('is skipped where SELinux is not part of the OS', async () => {
    expect(check(await run(linux('debian-12'), LINUX_INPUT), 'selinux').status).toBe('skip');
  });

  it('LEGACY warns, FUTURE passes', async () => {
    expect(check(await run(linux('rhel-8.10', { files: { '/etc/crypto-policies/config': 'LEGACY\n' } }), LINUX_INPUT), 'crypto-policy').status).toBe('warn');
    expect(check(await run(linux('rhel-8.10', { files: { '/etc/crypto-policies/config': 'FUTURE\n' } }), LINUX_INPUT), 'crypto-policy').status).toBe('pass');
  });
});

describe('clock', () => {
  const kit = manifest(); // created 2026-10-01

  it('fails when the host clock is before the kit was created', async () => {
    const report = await run(linux('debian-12', { now: new Date('2026-09-30T23:00:00Z') }), { ...LINUX_INPUT, manifest: kit });
    expect(check(report, 'clock').status).toBe('fail');
    expect(check(report, 'clock').remedy).toMatch(/timedatectl set-time/);
  });

  it('warns when the clock is more than five years after the kit was created', async () => {
    const report = await run(linux('debian-12', { now: new Date('2032-01-01T00:00:00Z') }), { ...LINUX_INPUT, manifest: kit });
    expect(check(report, 'clock').status).toBe('warn');
  });

  it('warns when the clock is before this Airlock was built, with or without a kit', async () => {
    const early = new Date('2024-01-01T00:00:00Z');
    const old = manifest({}, { created: '2023-06-01T00:00:00Z' });
    expect(check(await run(linux('debian-12', { now: early }), LINUX_INPUT), 'clock').status).toBe('warn');
    expect(check(await run(linux('debian-12', { now: early }), { ...LINUX_INPUT, manifest: old }), 'clock').status).toBe('warn');
  });

  it('warns without a kit when the clock is absurdly far ahead', async () => {
    const report = await run(linux('debian-12', { now: new Date('2040-01-01T00:00:00Z') }), LINUX_INPUT);
    expect(check(report, 'clock').status).toBe('warn');
  });

  it('passes a sane clock', async () => {
    expect(check(await run(linux('debian-12', { now: NOW }), { ...LINUX_INPUT, manifest: kit }), 'clock').status).toBe('pass');
  });
});

describe('kit medium, long paths and network isolation', () => {
  it('a single kit file on FAT32 warns with the split advice', async () => {
    const report = await run(linux('rhel-9.4'), { ...LINUX_INPUT, manifest: manifest(), kitMediumPath: '/run/media/admin/KITS/app-1.2.0.kit.tar' });
    const medium = check(report, 'medium-fs');
    expect(medium).toMatchObject({ status: 'warn', observed: 'vfat at /run/media/admin/KITS, single kit file' });
    expect(medium.remedy).toContain('--split-size fat32');
  });

  it('a split kit on FAT32 passes; exFAT passes with a note', async () => {
    const paths = fakePaths({ '/var/lib/airlock': { free: 100 * GiB }, '/run/media/admin/KITS/app.kit.tar.part001': { file: 4_294_901_760 } });
    const split = await run(linux('rhel-9.4', { paths }), { dataDir: '/var/lib/airlock', kitMediumPath: '/run/media/admin/KITS/app.kit.tar.part001', manifest: manifest() });
    expect(check(split, 'medium-fs').status).toBe('pass');
    const exPaths = fakePaths({ '/var/lib/airlock': { free: 100 * GiB }, '/media/admin/KIT STICK/app.kit.tar': { file: 6 * GiB } });
    const exfat = await run(linux('ubuntu-22.04', { paths: exPaths }), { dataDir: '/var/lib/airlock', kitMediumPath: '/media/admin/KIT STICK/app.kit.tar', manifest: manifest() });
    expect(check(exfat, 'medium-fs')).toMatchObject({ status: 'pass' });
    expect(check(exfat, 'medium-fs').note).toMatch(/no 4 GiB file limit/);
  });

  it('FAT32 on Windows (DriveInfo) warns the same way', async () => {
    const report = await run(windowsHost('win11-22631-pro', { drives: { E: 'FAT32' } }), { ...WINDOWS_INPUT, manifest: manifest(), kitMediumPath: 'E:\\app-1.2.0.kit.tar' });
    expect(check(report, 'medium-fs')).toMatchObject({ status: 'warn', observed: 'fat32 at E:\\, single kit file' });
  });

  it('long paths disabled pass when the deepest installed path fits, and warn when it does not', async () => {
    const fits = await run(windowsHost('win10-19045-enterprise'), { ...WINDOWS_INPUT, manifest: manifest(), longestKitPathBytes: 80 });
    expect(check(fits, 'long-paths').status).toBe('pass');
    const deep = await run(windowsHost('win10-19045-enterprise'), { ...WINDOWS_INPUT, manifest: manifest(), longestKitPathBytes: 239 });
    expect(check(deep, 'long-paths').status).toBe('warn');
    expect(check(deep, 'long-paths').remedy).toMatch(/would be 260 characters/);
  });

  it('a default route warns that the host looks connected', async () => {
    const route = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n';
    const report = await run(linux('ubuntu-22.04', { files: { '/proc/net/route': route } }), LINUX_INPUT);
    expect(check(report, 'network-isolation')).toMatchObject({ status: 'warn', observed: 'default route via 192.0.2.1 on eth0' });
    expect(check(report, 'network-isolation').remedy).toMatch(/looks connected; an enclave host normally has no default route/);
    expect(report.verdict).toBe('warn');
  });
});

describe('report', () => {
  it('stamps generatedAt from the service clock, apart from the host time', async () => {
    const deps = linux('debian-12', { now: new Date('2026-11-20T10:00:00Z') });
    const report = await new PreflightService({ probe: createHostProbe(deps), clock: { now: () => new Date('2026-11-20T10:00:05Z') }, buildDate: BUILD_DATE }).run(LINUX_INPUT);
    expect(report.generatedAt).toBe('2026-11-20T10:00:05.000Z');
    expect(report.host.time).toBe('2026-11-20T10:00:00.000Z');
  });

  it('honours an injected build date', async () => {
    const deps = linux('debian-12');
    const report = await new PreflightService({ probe: createHostProbe(deps), clock: deps.clock, buildDate: new Date('2027-01-01T00:00:00Z') }).run(LINUX_INPUT);
    expect(report.checks.find((c) => c.id === 'clock')?.status).toBe('warn');
  });

  it('gives every non-pass row something to do, and pass rows an empty remedy', async () => {
    const reports = await Promise.all([
      run(linux('fedora-40', { os: { arch: 'ppc64', totalMemoryBytes: 1 * GiB } }), { ...LINUX_INPUT, manifest: manifest({ fips: 'required', cpus: 64 }) }),
      run(windowsHost('win10-19045-enterprise'), WINDOWS_INPUT),
    ]);
    for (const report of reports) {
      for (const c of report.checks) {
        if (c.status === 'warn' || c.status === 'fail') expect(c.remedy, c.id).not.toBe('');
        if (c.status === 'pass') expect(c.remedy, c.id).toBe('');
      }
    }
  });
});
