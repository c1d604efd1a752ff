import { describe, expect, it } from 'vitest';
import { createHostProbe } from '../../../electron/core/preflight/host-probe.ts';
import { windowsVersionFromBuild } from '../../../electron/core/preflight/windows-probe.ts';
import { parseRegQuery, regDword, regString } from '../../../electron/core/preflight/windows-registry.ts';
import { hostFactsSchema } from '../../../shared/preflight.ts';
import { windowsFixture, windowsHost } from './fixture-host.ts';

const targets = { installRoot: 'C:\\Program Files\\App', dataDir: 'C:\\Users\\admin\\AppData\\Roaming\\Airlock' };

describe('reg query output', () => {
  it('reads string and DWORD values, empty ones, and stops at subkeys', () => {
    const values = parseRegQuery(windowsFixture('win11-22631-pro', 'reg-currentversion.txt'));
    expect(regString(values, 'CurrentBuildNumber')).toBe('22631');
    expect(regString(values, 'ProductName')).toBe('Windows 10 Pro');
    expect(regDword(values, 'UBR')).toBe(3880);
    expect(regDword(values, 'CurrentMajorVersionNumber')).toBe(10);
    expect(values.get('EditionSubManufacturer')).toEqual({ type: 'REG_SZ', data: '' });
    expect(regString(values, 'EditionSubManufacturer')).toBeUndefined();
    expect(regDword(values, 'ProductName')).toBeUndefined();
    expect(values.has('Accessibility')).toBe(false);
  });
});

describe('Windows version from the build number', () => {
  it.each([
    [19045, '10'],
    [10240, '10'],
    [21999, '10'],
    [22000, '11'],
    [22631, '11'],
    [26100, '11'],
  ])('build %i is Windows %s', (build, version) => {
    expect(windowsVersionFromBuild(build)).toBe(version);
  });

  it('keeps the NT version for builds before Windows 10', () => {
    expect(windowsVersionFromBuild(9600, '6.3')).toBe('6.3');
  });
});

describe('Windows host probe with recorded command output', () => {
  it('identifies Windows 10 22H2 Enterprise (build 19045) with FIPS on, long paths off, no default route', async () => {
    const deps = windowsHost('win10-19045-enterprise');
    const facts = await createHostProbe(deps).collect(targets);
    expect(hostFactsSchema.parse(facts)).toEqual(facts);
    expect(facts.os).toMatchObject({ kind: 'windows', id: 'windows', version: '10', source: 'registry' });
    expect(facts.os.windows).toEqual({ build: 19045, ubr: 4529, edition: 'Enterprise', displayVersion: '22H2', installationType: 'Client' });
    expect(facts.os.prettyName).toBe('Windows 10 Enterprise (build 19045.4529, 22H2)');
    expect(facts.fips).toMatchObject({ state: 'on' });
    expect(facts.longPaths).toEqual({ state: 'disabled' });
    expect(facts.defaultRoute).toEqual({ state: 'absent' });
    expect(facts.selinux.state).toBe('not-applicable');
    expect(facts.cryptoPolicy.state).toBe('not-applicable');
    expect(deps.runner.calls.every(([file]) => file === 'reg' || file === 'route')).toBe(true);
  });

  it('identifies Windows 11 23H2 Pro (build 22631) although ProductName says Windows 10', async () => {
    const facts = await createHostProbe(windowsHost('win11-22631-pro', { os: { arch: 'arm64', machine: 'ARM64' } })).collect(targets);
    expect(facts.os.version).toBe('11');
    expect(facts.os.prettyName).toBe('Windows 11 Pro (build 22631.3880, 23H2)');
    expect(facts.arch).toBe('arm64');
    expect(facts.fips.state).toBe('off');
    expect(facts.longPaths.state).toBe('enabled');
    expect(facts.defaultRoute).toEqual({ state: 'present', via: '192.168.1.1 on 192.168.1.50' });
  });

  it('identifies Windows Server by its installation type', async () => {
    const facts = await createHostProbe(windowsHost('server2022-20348', { fips: null, longPaths: null })).collect(targets);
    expect(facts.os.windows).toMatchObject({ build: 20348, installationType: 'Server', edition: 'ServerStandard' });
    expect(facts.os.prettyName).toBe('Windows Server Standard (build 20348.2527, 21H2)');
  });

  it('treats absent FIPS and long-path values as their defaults (off)', async () => {
    const facts = await createHostProbe(windowsHost('win11-22631-pro', { fips: null, longPaths: null })).collect(targets);
    expect(facts.fips.state).toBe('off');
    expect(facts.fips.reason).toMatch(/default is off/);
    expect(facts.longPaths.state).toBe('disabled');
  });

  it('falls back to os.release() for the build when reg.exe cannot run, and records the rest as unknown', async () => {
    const facts = await createHostProbe(windowsHost('win11-22631-pro', { unavailable: ['reg', 'route'], os: { release: '10.0.22631' } })).collect(targets);
    expect(facts.os).toMatchObject({ version: '11', source: 'os.release()' });
    expect(facts.os.reason).toMatch(/reg query failed/);
    expect(facts.fips.state).toBe('unknown');
    expect(facts.longPaths.state).toBe('unknown');
    expect(facts.defaultRoute.state).toBe('unknown');
  });

  it('reads the medium file system through DriveInfo for a drive letter, and not for a share', async () => {
    const deps = windowsHost('win10-19045-enterprise', { drives: { E: 'FAT32' } });
    const facts = await createHostProbe(deps).collect({ ...targets, kitMediumPath: 'E:\\app-1.2.0.kit.tar' });
    expect(facts.medium).toMatchObject({ kind: 'file', fsType: 'fat32', mountPoint: 'E:\\', sizeBytes: 50 * 1024 * 1024 });
    const ps = deps.runner.calls.find(([file]) => file === 'powershell.exe');
    expect(ps?.at(-1)).toBe("[System.IO.DriveInfo]::new('E:\\').DriveFormat");

    const share = windowsHost('win10-19045-enterprise');
    const shareFacts = await createHostProbe(share).collect({ ...targets, kitMediumPath: '\\\\fileserver\\kits\\app.kit.tar' });
    expect(shareFacts.medium?.fsType).toBe('unknown');
    expect(share.runner.calls.some(([file]) => file === 'powershell.exe')).toBe(false);
  });

  it('measures Windows paths with Windows path rules', async () => {
    const facts = await createHostProbe(windowsHost('win10-19045-enterprise')).collect({ installRoot: 'C:\\Program Files\\Vendor\\App', dataDir: 'C:\\Users\\admin\\AppData\\Roaming\\Airlock' });
    expect(facts.installRoot).toMatchObject({ exists: false, probedPath: 'C:\\Program Files', writable: 'yes' });
  });
});
