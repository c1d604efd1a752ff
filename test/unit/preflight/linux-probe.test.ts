import { describe, expect, it } from 'vitest';
import { createHostProbe } from '../../../electron/core/preflight/host-probe.ts';
import { hostFactsSchema } from '../../../shared/preflight.ts';
import { fakePaths, GiB, LINUX_HOSTS, linuxHost, NOW } from './fixture-host.ts';

const targets = { installRoot: '/opt/app', dataDir: '/var/lib/airlock' };

describe('Linux host probe over fixture trees', () => {
  it.each(Object.entries(LINUX_HOSTS))('identifies %s from its os-release', async (name, want) => {
    const facts = await createHostProbe(linuxHost(name as keyof typeof LINUX_HOSTS)).collect(targets);
    expect(hostFactsSchema.parse(facts)).toEqual(facts);
    expect(facts.os).toMatchObject({ kind: 'linux', id: want.id, version: want.version, source: '/etc/os-release' });
    expect(facts.time).toBe(NOW.toISOString());
  });

  it('reads the RHEL-family facts: FIPS off, SELinux enforcing, DEFAULT policy, no default route', async () => {
    const facts = await createHostProbe(linuxHost('rhel-9.4')).collect(targets);
    expect(facts.fips).toEqual({ state: 'off', source: '/proc/sys/crypto/fips_enabled' });
    expect(facts.selinux).toEqual({ state: 'enforcing' });
    expect(facts.cryptoPolicy).toEqual({ state: 'set', policy: 'DEFAULT' });
    expect(facts.defaultRoute).toEqual({ state: 'absent' });
    expect(facts.longPaths).toEqual({ state: 'not-applicable' });
  });

  it('reads FIPS mode on', async () => {
    const facts = await createHostProbe(linuxHost('rhel-8.10', { files: { '/proc/sys/crypto/fips_enabled': '1\n', '/etc/crypto-policies/config': 'FIPS\n' } })).collect(targets);
    expect(facts.fips.state).toBe('on');
    expect(facts.cryptoPolicy).toEqual({ state: 'set', policy: 'FIPS' });
  });

  it('records FIPS as unknown, with the reason, when the kernel file is absent', async () => {
    const facts = await createHostProbe(linuxHost('debian-12', { files: { '/proc/sys/crypto/fips_enabled': null } })).collect(targets);
    expect(facts.fips.state).toBe('unknown');
    expect(facts.fips.reason).toMatch(/absent/);
  });

  it.each([
    ['enforcing', { '/sys/fs/selinux/enforce': '1' }],
    ['permissive', { '/sys/fs/selinux/enforce': '0' }],
    ['disabled', { '/sys/fs/selinux/enforce': null, '/etc/selinux/config': 'SELINUX=disabled\nSELINUXTYPE=targeted\n' }],
    ['unknown', { '/sys/fs/selinux/enforce': null, '/etc/selinux/config': 'SELINUX=enforcing\n' }],
    ['not-present', { '/sys/fs/selinux/enforce': null, '/etc/selinux/config': null }],
  ] as const)('reads SELinux %s', async (state, files) => {
    const facts = await createHostProbe(linuxHost('rocky-9.4', { files: { ...files } })).collect(targets);
    expect(facts.selinux.state).toBe(state);
  });

  it('reports SELinux not present on Ubuntu and no crypto policy', async () => {
    const facts = await createHostProbe(linuxHost('ubuntu-22.04')).collect(targets);
    expect(facts.selinux.state).toBe('not-present');
    expect(facts.cryptoPolicy.state).toBe('not-present');
  });

  it('reads a policy with a subpolicy and skips comments', async () => {
    const facts = await createHostProbe(linuxHost('almalinux-9.4', { files: { '/etc/crypto-policies/config': '# set by admin\nDEFAULT:SHA1\n' } })).collect(targets);
    expect(facts.cryptoPolicy).toEqual({ state: 'set', policy: 'DEFAULT:SHA1' });
  });

  it('sees a default route', async () => {
    const route = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\nens192\t00000000\t0110A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n';
    const facts = await createHostProbe(linuxHost('ubuntu-24.04', { files: { '/proc/net/route': route } })).collect(targets);
    expect(facts.defaultRoute).toEqual({ state: 'present', via: '192.168.16.1 on ens192' });
  });

  it('records the route state as unknown when /proc/net is hidden', async () => {
    const facts = await createHostProbe(linuxHost('ubuntu-24.04', { files: { '/proc/net/route': null, '/proc/net/ipv6_route': null } })).collect(targets);
    expect(facts.defaultRoute.state).toBe('unknown');
  });

  it('falls back to /usr/lib/os-release and then to unknown', async () => {
    const text = 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
    const fallback = await createHostProbe(linuxHost('debian-12', { files: { '/etc/os-release': null, '/usr/lib/os-release': text } })).collect(targets);
    expect(fallback.os).toMatchObject({ id: 'debian', version: '12', source: '/usr/lib/os-release' });
    const none = await createHostProbe(linuxHost('debian-12', { files: { '/etc/os-release': null, '/usr/lib/os-release': null } })).collect(targets);
    expect(none.os.id).toBe('unknown');
    expect(none.os.reason).toMatch(/os-release/);
  });

  it('identifies the file system of the kit medium: FAT32 on RHEL, exFAT with a space in the mount point on Ubuntu', async () => {
    const rhel = await createHostProbe(linuxHost('rhel-9.4')).collect({ ...targets, kitMediumPath: '/run/media/admin/KITS/app-1.2.0.kit.tar' });
    expect(rhel.medium).toMatchObject({ kind: 'file', fsType: 'vfat', mountPoint: '/run/media/admin/KITS', sizeBytes: 50 * 1024 * 1024 });
    const paths = fakePaths({ '/var/lib/airlock': { free: 10 * GiB }, '/media/admin/KIT STICK/app.kit.tar.parts.json': { file: 400 } }, { '/media/admin/KIT STICK/app.kit.tar.parts.json': JSON.stringify({ size: 9 * GiB }) });
    const ubuntu = await createHostProbe(linuxHost('ubuntu-22.04', { paths })).collect({ dataDir: '/var/lib/airlock', kitMediumPath: '/media/admin/KIT STICK/app.kit.tar.parts.json' });
    expect(ubuntu.medium).toMatchObject({ kind: 'split', fsType: 'exfat', mountPoint: '/media/admin/KIT STICK', sizeBytes: 9 * GiB });
  });

  it('falls back to the statfs magic number when mountinfo is unreadable', async () => {
    const paths = fakePaths({ '/var/lib/airlock': { free: 10 * GiB }, '/mnt/usb/kit.tar': { file: 10, fsType: 0x4d44, free: 1 } });
    const facts = await createHostProbe(linuxHost('debian-12', { paths, files: { '/proc/self/mountinfo': null } })).collect({ dataDir: '/var/lib/airlock', kitMediumPath: '/mnt/usb/kit.tar' });
    expect(facts.medium).toMatchObject({ fsType: 'vfat', mountPoint: null });
  });

  it('measures a root that does not exist yet at its nearest existing ancestor, and probes writes there', async () => {
    const paths = fakePaths({ '/': { free: 50 * GiB, dev: 1 }, '/opt': { free: 7 * GiB, dev: 2 }, '/var/lib/airlock': { free: 50 * GiB, dev: 1 } });
    const facts = await createHostProbe(linuxHost('rhel-9.4', { paths })).collect({ installRoot: '/opt/vendor/app', dataDir: '/var/lib/airlock' });
    expect(facts.installRoot).toMatchObject({ path: '/opt/vendor/app', exists: false, probedPath: '/opt', freeBytes: 7 * GiB, device: 2, writable: 'yes' });
    expect(facts.dataDir).toMatchObject({ exists: true, probedPath: '/var/lib/airlock', writable: 'yes' });
    expect(paths.writesProbed.sort()).toEqual(['/opt', '/var/lib/airlock']);
  });

  it('records a path under a file as not writable, and unknown space without throwing', async () => {
    const paths = fakePaths({ '/': { dev: 1 }, '/srv': { file: 10, dev: 1 } });
    const facts = await createHostProbe(linuxHost('debian-12', { paths })).collect({ installRoot: '/srv/app', dataDir: '/data' });
    expect(facts.installRoot).toMatchObject({ probedPath: '/srv', writable: 'no', freeBytes: null });
    expect(facts.installRoot?.reason).toMatch(/not a directory/);
    expect(facts.dataDir).toMatchObject({ probedPath: '/', freeBytes: null, writable: 'yes' });
  });

  it('never throws when a system file cannot be read: the fact becomes unknown', async () => {
    const deps = linuxHost('rhel-9.4');
    deps.files = {
      async readText(p) {
        throw Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES' });
      },
    };
    const facts = await createHostProbe(deps).collect(targets);
    expect(facts.os.id).toBe('unknown');
    expect(facts.fips.state).toBe('unknown');
    expect(facts.selinux.state).toBe('unknown');
    expect(facts.cryptoPolicy.state).toBe('unknown');
    expect(facts.defaultRoute.state).toBe('unknown');
    expect(facts.fips.reason).toMatch(/EACCES/);
  });

  it('reports a non-Linux, non-Windows platform as other', async () => {
    const deps = linuxHost('debian-12', { os: { platform: 'darwin', release: '24.1.0' } });
    const facts = await createHostProbe(deps).collect(targets);
    expect(facts.os).toMatchObject({ kind: 'other', id: 'darwin' });
    expect(facts.fips.state).toBe('unknown');
  });
});
