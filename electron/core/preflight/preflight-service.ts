// Preflight: probe the host, check it against a kit's requires (or, without a
// kit, against everything Airlock supports) and give a verdict. The CLI and the
// UI both call this; the report is stored with the operation for the evidence.
import type { KitManifest } from '../../../shared/kit-manifest.ts';
import { PREFLIGHT_SCHEMA, verdictOf, type PreflightReport } from '../../../shared/preflight.ts';
import type { HostProbe } from './host-probe.ts';
import { evaluateHost } from './preflight-checks.ts';
import type { Clock } from './probe-deps.ts';

/**
 * When this Airlock was built. A host clock before it is certainly wrong.
 * The packaging step may pass the real build time to the service instead.
 */
export const AIRLOCK_BUILD_DATE = new Date('2026-11-01T00:00:00Z');

export interface PreflightServiceDeps {
  probe: HostProbe;
  clock: Clock;
  buildDate?: Date;
}

export interface PreflightInput {
  manifest?: KitManifest;
  /** True only when kit.json came from a kit whose signature was verified. */
  manifestVerified?: boolean;
  installRoot?: string;
  dataDir: string;
  /** The kit file, split index or directory, to judge the medium it sits on. */
  kitMediumPath?: string;
  /** Longest payload path in the kit, in bytes, when known (for Windows long paths). */
  longestKitPathBytes?: number;
}

export class PreflightService {
  readonly #probe: HostProbe;
  readonly #clock: Clock;
  readonly #buildDate: Date;

  constructor(deps: PreflightServiceDeps) {
    this.#probe = deps.probe;
    this.#clock = deps.clock;
    this.#buildDate = deps.buildDate ?? AIRLOCK_BUILD_DATE;
  }

  async run(input: PreflightInput): Promise<PreflightReport> {
    const targets: Parameters<HostProbe['collect']>[0] = { dataDir: input.dataDir };
    if (input.installRoot !== undefined) targets.installRoot = input.installRoot;
    if (input.kitMediumPath !== undefined) targets.kitMediumPath = input.kitMediumPath;
    const host = await this.#probe.collect(targets);
    const checks = evaluateHost(host, {
      ...(input.manifest ? { manifest: input.manifest } : {}),
      ...(input.longestKitPathBytes !== undefined ? { longestKitPathBytes: input.longestKitPathBytes } : {}),
      buildDate: this.#buildDate,
    });
    const report: PreflightReport = {
      schema: PREFLIGHT_SCHEMA,
      generatedAt: this.#clock.now().toISOString(),
      scope: input.manifest ? 'kit' : 'matrix',
      host,
      checks,
      verdict: verdictOf(checks),
    };
    if (input.manifest) {
      report.kit = { name: input.manifest.name, version: input.manifest.version, created: input.manifest.created, manifestVerified: input.manifestVerified ?? false };
    }
    return report;
  }
}
