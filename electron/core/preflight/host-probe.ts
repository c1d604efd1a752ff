// The host as preflight sees it. Every side effect a probe has is injected
// (probe-deps.ts), so tests point the Linux probe at fixture trees of /etc and
// /proc and feed the Windows probe recorded `reg query` output, and the real
// probe is the same code with Node's fs, os and child_process behind it
// (node-host-deps.ts).
import path from 'node:path';
import type { HostFacts, MediumFacts } from '../../../shared/preflight.ts';
import { linuxPlatformProbe } from './linux-probe.ts';
import { probeMedium, probePath } from './path-probe.ts';
import { safely, type HostProbeDeps, type PlatformProbe } from './probe-deps.ts';
import { windowsPlatformProbe } from './windows-probe.ts';

export interface ProbeTargets {
  installRoot?: string;
  dataDir: string;
  kitMediumPath?: string;
}

export interface HostProbe {
  /** Never throws for a missing fact: it is recorded as unknown with a reason. */
  collect(targets: ProbeTargets): Promise<HostFacts>;
}

function otherPlatformProbe(platform: string, release: string): PlatformProbe {
  const why = `${platform} is not a platform Airlock probes`;
  return {
    os: async () => ({ kind: 'other', id: platform, idLike: [], version: release || 'unknown', prettyName: `${platform} ${release}`.trim(), source: 'os.platform()' }),
    fips: async () => ({ state: 'unknown', source: 'none', reason: why }),
    selinux: async () => ({ state: 'not-applicable' }),
    cryptoPolicy: async () => ({ state: 'not-applicable' }),
    defaultRoute: async () => ({ state: 'unknown', reason: why }),
    longPaths: async () => ({ state: 'not-applicable' }),
    fileSystemOf: async () => ({ fsType: 'unknown', mountPoint: null, reason: why }),
  };
}

export function platformProbeFor(deps: HostProbeDeps): PlatformProbe {
  if (deps.os.platform === 'linux') return linuxPlatformProbe(deps);
  if (deps.os.platform === 'win32') return windowsPlatformProbe(deps);
  return otherPlatformProbe(deps.os.platform, deps.os.release);
}

export function createHostProbe(deps: HostProbeDeps): HostProbe {
  const platform = platformProbeFor(deps);
  const pathApi = deps.os.platform === 'win32' ? path.win32 : path.posix;
  return {
    async collect(targets) {
      const time = deps.clock.now();
      const [os, fips, selinux, cryptoPolicy, defaultRoute, longPaths, installRoot, dataDir, medium] = await Promise.all([
        safely(() => platform.os(), (reason) => ({ kind: 'other' as const, id: 'unknown', idLike: [], version: 'unknown', prettyName: 'unknown', source: 'none', reason })),
        safely(() => platform.fips(), (reason) => ({ state: 'unknown' as const, source: 'none', reason })),
        safely(() => platform.selinux(), (reason) => ({ state: 'unknown' as const, reason })),
        safely(() => platform.cryptoPolicy(), (reason) => ({ state: 'unknown' as const, reason })),
        safely(() => platform.defaultRoute(), (reason) => ({ state: 'unknown' as const, reason })),
        safely(() => platform.longPaths(), (reason) => ({ state: 'unknown' as const, reason })),
        targets.installRoot === undefined ? undefined : probePath(targets.installRoot, deps.paths, pathApi),
        probePath(targets.dataDir, deps.paths, pathApi),
        targets.kitMediumPath === undefined ? undefined : probeMediumWithFs(targets.kitMediumPath, deps, platform, pathApi),
      ]);
      const facts: HostFacts = {
        platform: deps.os.platform,
        os,
        arch: deps.os.arch,
        machine: deps.os.machine,
        cpus: deps.os.cpus,
        memoryBytes: deps.os.totalMemoryBytes,
        time: time.toISOString(),
        fips,
        selinux,
        cryptoPolicy,
        defaultRoute,
        longPaths,
        dataDir,
      };
      if (installRoot) facts.installRoot = installRoot;
      if (medium) facts.medium = medium;
      return facts;
    },
  };
}

async function probeMediumWithFs(kitPath: string, deps: HostProbeDeps, platform: PlatformProbe, pathApi: path.PlatformPath): Promise<MediumFacts> {
  const medium = await probeMedium(kitPath, deps.paths, pathApi);
  if (medium.kind === 'unknown') return medium;
  const real = await safely(() => deps.paths.realpath(kitPath), () => kitPath);
  const fs = await safely(() => platform.fileSystemOf(real), (reason) => ({ fsType: 'unknown', mountPoint: null, reason }));
  const out: MediumFacts = { ...medium, fsType: fs.fsType, mountPoint: fs.mountPoint };
  if (fs.reason !== undefined && out.reason === undefined) out.reason = fs.reason;
  return out;
}
