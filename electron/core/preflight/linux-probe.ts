// Linux facts from the files the kernel and the distribution expose. Each file
// is read through the injected SystemFiles, so a fixture tree stands in for /.
import type { HostFacts, OsFacts } from '../../../shared/preflight.ts';
import { fsTypeFromMagic, mountFor, parseMountInfo } from './mountinfo.ts';
import { defaultRouteFromIpv6Route, defaultRouteFromProcNetRoute } from './net-route.ts';
import { parseOsRelease } from './os-release.ts';
import { reasonOf, type HostProbeDeps, type PlatformProbe } from './probe-deps.ts';

export const LINUX_FILES = {
  osRelease: '/etc/os-release',
  osReleaseFallback: '/usr/lib/os-release',
  fipsEnabled: '/proc/sys/crypto/fips_enabled',
  selinuxEnforce: '/sys/fs/selinux/enforce',
  selinuxConfig: '/etc/selinux/config',
  cryptoPolicy: '/etc/crypto-policies/config',
  route: '/proc/net/route',
  ipv6Route: '/proc/net/ipv6_route',
  mountinfo: '/proc/self/mountinfo',
} as const;

async function osFacts(deps: HostProbeDeps): Promise<OsFacts> {
  let source: string = LINUX_FILES.osRelease;
  let text = await deps.files.readText(LINUX_FILES.osRelease);
  if (text === null) {
    source = LINUX_FILES.osReleaseFallback;
    text = await deps.files.readText(LINUX_FILES.osReleaseFallback);
  }
  if (text === null) {
    return { kind: 'linux', id: 'unknown', idLike: [], version: 'unknown', prettyName: `Linux ${deps.os.release}`.trim(), source: 'none', reason: `neither ${LINUX_FILES.osRelease} nor ${LINUX_FILES.osReleaseFallback} exists` };
  }
  const release = parseOsRelease(text);
  const facts: OsFacts = { kind: 'linux', id: release.id, idLike: release.idLike, version: release.versionId ?? 'unknown', prettyName: release.prettyName, source };
  if (release.versionId === undefined) facts.reason = `${source} has no VERSION_ID (a rolling or testing release?)`;
  return facts;
}

async function fips(deps: HostProbeDeps): Promise<HostFacts['fips']> {
  const text = await deps.files.readText(LINUX_FILES.fipsEnabled);
  const source = LINUX_FILES.fipsEnabled;
  if (text === null) return { state: 'unknown', source, reason: `${source} is absent: a container, or a kernel without FIPS support` };
  const value = text.trim();
  if (value === '1') return { state: 'on', source };
  if (value === '0') return { state: 'off', source };
  return { state: 'unknown', source, reason: `${source} holds "${value}"` };
}

/** SELINUX= from /etc/selinux/config, lower case. */
function configuredSelinux(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = /^\s*SELINUX\s*=\s*"?([A-Za-z]+)"?\s*(#.*)?$/.exec(line);
    if (m) return m[1]!.toLowerCase();
  }
  return undefined;
}

async function selinux(deps: HostProbeDeps): Promise<HostFacts['selinux']> {
  const enforce = await deps.files.readText(LINUX_FILES.selinuxEnforce);
  if (enforce !== null) {
    const value = enforce.trim();
    if (value === '1') return { state: 'enforcing' };
    if (value === '0') return { state: 'permissive' };
    return { state: 'unknown', reason: `${LINUX_FILES.selinuxEnforce} holds "${value}"` };
  }
  // No selinuxfs: SELinux is off in the kernel, or hidden from this container.
  const config = await deps.files.readText(LINUX_FILES.selinuxConfig);
  if (config === null) return { state: 'not-present' };
  const configured = configuredSelinux(config);
  if (configured === 'disabled' || configured === undefined) return { state: 'disabled', reason: `selinuxfs is not mounted and ${LINUX_FILES.selinuxConfig} says SELINUX=${configured ?? '(unset)'}` };
  return { state: 'unknown', reason: `${LINUX_FILES.selinuxConfig} says SELINUX=${configured} but selinuxfs is not mounted (a container?)` };
}

async function cryptoPolicy(deps: HostProbeDeps): Promise<HostFacts['cryptoPolicy']> {
  const text = await deps.files.readText(LINUX_FILES.cryptoPolicy);
  if (text === null) return { state: 'not-present' };
  const policy = text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .find((l) => l !== '');
  if (policy === undefined) return { state: 'unknown', reason: `${LINUX_FILES.cryptoPolicy} is empty` };
  return { state: 'set', policy };
}

async function defaultRoute(deps: HostProbeDeps): Promise<HostFacts['defaultRoute']> {
  const [v4, v6] = await Promise.all([deps.files.readText(LINUX_FILES.route), deps.files.readText(LINUX_FILES.ipv6Route).catch(() => null)]);
  const r4 = v4 === null ? null : defaultRouteFromProcNetRoute(v4);
  const r6 = v6 === null ? null : defaultRouteFromIpv6Route(v6);
  const present = [r4, r6].find((r) => r?.present);
  if (present) return present.via === undefined ? { state: 'present' } : { state: 'present', via: present.via };
  if (r4 === null && r6 === null) return { state: 'unknown', reason: `${LINUX_FILES.route} is not readable` };
  return { state: 'absent' };
}

async function fileSystemOf(deps: HostProbeDeps, absPath: string): Promise<{ fsType: string; mountPoint: string | null; reason?: string }> {
  let why: string;
  try {
    const text = await deps.files.readText(LINUX_FILES.mountinfo);
    const mount = text === null ? undefined : mountFor(parseMountInfo(text), absPath);
    if (mount) return { fsType: mount.fsType.toLowerCase(), mountPoint: mount.mountPoint };
    why = text === null ? `${LINUX_FILES.mountinfo} is absent` : `no mount in ${LINUX_FILES.mountinfo} holds ${absPath}`;
  } catch (error) {
    why = `${LINUX_FILES.mountinfo}: ${reasonOf(error)}`;
  }
  try {
    const { type } = await deps.paths.statfs(absPath);
    const name = fsTypeFromMagic(type);
    if (name) return { fsType: name, mountPoint: null };
    return { fsType: 'unknown', mountPoint: null, reason: `${why}; statfs type 0x${type.toString(16)} is not one Airlock knows` };
  } catch (error) {
    return { fsType: 'unknown', mountPoint: null, reason: `${why}; statfs: ${reasonOf(error)}` };
  }
}

export function linuxPlatformProbe(deps: HostProbeDeps): PlatformProbe {
  return {
    os: () => osFacts(deps),
    fips: () => fips(deps),
    selinux: () => selinux(deps),
    cryptoPolicy: () => cryptoPolicy(deps),
    defaultRoute: () => defaultRoute(deps),
    longPaths: async () => ({ state: 'not-applicable' }),
    fileSystemOf: (p) => fileSystemOf(deps, p),
  };
}
