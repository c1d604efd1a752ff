import { AirlockError } from '../../../shared/airlock-error.ts';
import { formatBytes } from '../../../shared/format.ts';
import type { PreflightCheck, PreflightReport } from '../../../shared/preflight.ts';
import type { KitManifest } from '../../../shared/kit-manifest.ts';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CATALOG_FILE } from '../../core/data-dir.ts';
import { openAuditLog } from '../../core/evidence/audit-catalog.ts';
import { parseKitManifest } from '../../core/kit/kit-manifest-parser.ts';
import { readKitManifest, verifyKit } from '../../core/kit/kit-verifier.ts';
import { hexOf } from '../../core/registry/blob-store.ts';
import { Registry } from '../../core/registry/registry.ts';
import { SignatureVerifier } from '../../core/trust/signature-verifier.ts';
import { resolveTrustPolicy } from '../../core/trust/trust-policy.ts';
import { createHostProbe } from '../../core/preflight/host-probe.ts';
import { createNodeHostProbeDeps } from '../../core/preflight/node-host-deps.ts';
import type { HostProbeDeps } from '../../core/preflight/probe-deps.ts';
import { PreflightService } from '../../core/preflight/preflight-service.ts';
import type { CommandContext, CommandSpec } from '../cli-types.ts';
import { TRUST_OPTIONS, TRUST_USAGE, hasTrustOptions, trustInputFromOptions } from '../trust-flags.ts';
import { parseReleaseRef } from '../release-ref.ts';

export const UNVERIFIED_MANIFEST_NOTICE = 'kit.json read without signature check — give trust flags, or run airlock kit verify first';

/**
 * With trust flags the kit is verified in full before its requirements are
 * believed; without them only kit.json is read, and the report says so.
 */
async function kitManifestFor(ctx: CommandContext, kitPath: string): Promise<{ manifest: KitManifest; verified: boolean }> {
  if (!hasTrustOptions(ctx)) return { manifest: await readKitManifest(kitPath, { signal: ctx.signal }), verified: false };
  const policy = await resolveTrustPolicy(trustInputFromOptions(ctx));
  const { summary } = await verifyKit(kitPath, { signature: new SignatureVerifier(policy), onProgress: ctx.progress, signal: ctx.signal });
  return { manifest: summary.manifest, verified: true };
}

const OBSERVED_WIDTH = 44;
const EXPECTED_WIDTH = 48;

/** Splits text into lines of at most width characters, at spaces where possible. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let w = word;
    while (w.length > width) {
      if (line !== '') {
        lines.push(line);
        line = '';
      }
      lines.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (line === '') line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      lines.push(line);
      line = w;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

function table(checks: readonly PreflightCheck[]): string[] {
  const titleWidth = Math.max('CHECK'.length, ...checks.map((c) => c.title.length));
  const out = [`${'STATUS'.padEnd(6)}  ${'CHECK'.padEnd(titleWidth)}  ${'OBSERVED'.padEnd(OBSERVED_WIDTH)}  EXPECTED`];
  for (const c of checks) {
    const observed = wrap(c.observed, OBSERVED_WIDTH);
    const expected = wrap(c.expected, EXPECTED_WIDTH);
    const height = Math.max(observed.length, expected.length);
    for (let i = 0; i < height; i++) {
      const status = i === 0 ? c.status.toUpperCase() : '';
      const title = i === 0 ? c.title : '';
      out.push(`${status.padEnd(6)}  ${title.padEnd(titleWidth)}  ${(observed[i] ?? '').padEnd(OBSERVED_WIDTH)}  ${expected[i] ?? ''}`.trimEnd());
    }
  }
  return out;
}

function verdictLine(report: PreflightReport): string {
  const count = (s: PreflightCheck['status']): number => report.checks.filter((c) => c.status === s).length;
  if (report.verdict === 'fail') return `Verdict: FAIL — ${count('fail')} check(s) block the install; fix them and run preflight again.`;
  if (report.verdict === 'warn') return `Verdict: WARN — ${count('warn')} warning(s) to acknowledge before installing; nothing blocks.`;
  return 'Verdict: PASS — this host meets every requirement.';
}

export function preflightText(report: PreflightReport): string {
  const h = report.host;
  const lines = [`Preflight of ${h.os.prettyName}, ${h.arch}, ${h.cpus} CPUs, ${formatBytes(h.memoryBytes)} memory`];
  if (report.kit) {
    lines.push(`Against kit ${report.kit.name} ${report.kit.version} (created ${report.kit.created})`);
    if (!report.kit.manifestVerified) lines.push(`  ${UNVERIFIED_MANIFEST_NOTICE}`);
  } else {
    lines.push('Against every OS Airlock supports (no kit given)');
  }
  lines.push('', ...table(report.checks));
  const toFix = report.checks.filter((c) => (c.status === 'fail' || c.status === 'warn') && c.remedy !== '');
  if (toFix.length > 0) {
    lines.push('', 'What to do:');
    for (const c of toFix) lines.push(`  ${c.status.toUpperCase()} ${c.title}: ${c.remedy}`);
  }
  const notes = report.checks.filter((c) => c.note !== undefined);
  if (notes.length > 0) {
    lines.push('', 'Notes:');
    for (const c of notes) lines.push(`  ${c.title}: ${c.note}`);
  }
  lines.push('', verdictLine(report));
  return lines.join('\n');
}

/** kit.json of an imported release: verified at import, re-checked against its digest here. */
async function registryManifest(ctx: CommandContext, ref: string): Promise<KitManifest> {
  const { name, version } = parseReleaseRef(ref);
  // Never create a catalog just to say the release is not there.
  if (!fs.existsSync(path.join(ctx.dataDir, CATALOG_FILE))) {
    throw new AirlockError('RELEASE_NOT_FOUND', `${name}@${version} is not in the registry at ${ctx.dataDir} (nothing has been imported there)`, { field: 'NAME@VERSION' });
  }
  const registry = await Registry.open(ctx.dataDir);
  try {
    const detail = registry.show(name, version);
    const bytes = await registry.store.read(detail.manifestDigest);
    if (createHash('sha256').update(bytes).digest('hex') !== hexOf(detail.manifestDigest)) {
      throw new AirlockError('KIT_DIGEST_MISMATCH', `the registry's copy of kit.json for ${name}@${version} does not match its digest`, { path: registry.store.blobPath(detail.manifestDigest) });
    }
    return parseKitManifest(bytes);
  } finally {
    registry.close();
  }
}

/** Issue 6: a preflight is an audited event wherever a catalog already exists (none is created for it). */
function auditPreflight(dataDir: string, report: PreflightReport): void {
  if (!fs.existsSync(path.join(dataDir, CATALOG_FILE))) return;
  const audit = openAuditLog(dataDir);
  try {
    audit.log.append({
      type: 'preflight.run',
      data: {
        scope: report.scope,
        kit: report.kit ?? null,
        verdict: report.verdict,
        notPassing: report.checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => ({ id: c.id, status: c.status, observed: c.observed })),
        generatedAt: report.generatedAt,
      },
    });
  } finally {
    audit.close();
  }
}

export interface PreflightCommandOptions {
  /** The host's side effects; tests pass a fixture host. */
  makeDeps?: () => HostProbeDeps;
  buildDate?: Date;
}

export function createPreflightCommand(options: PreflightCommandOptions = {}): CommandSpec {
  const makeDeps = options.makeDeps ?? (() => createNodeHostProbeDeps());
  return {
    words: ['preflight'],
    summary: "check this host against a kit's requirements, or against every OS Airlock supports; changes nothing",
    usage: `preflight [NAME@VERSION | --kit KIT [${TRUST_USAGE}]] [--root DIR] [--json]`,
    help: [
      'NAME@VERSION is a release already imported into the registry (its kit.json was verified at import).',
      'KIT is a .kit.tar[.gz|.zst] file, a split kit (.parts.json or any .partNNN), or an unpacked kit directory.',
      'With trust flags the kit is verified in full first; without them only its kit.json is read and the report is marked unverified.',
      'DIR is the install root to check for space and write access.',
      'Exit code 0 when every check passes or only warns (warnings need acknowledging before an install), 1 when a check fails.',
    ].join('\n'),
    options: { kit: { type: 'string' }, root: { type: 'string' }, ...TRUST_OPTIONS },
    positionals: { min: 0, max: 1 },
    async run(ctx) {
      const kitOption = ctx.options.kit as string | undefined;
      const rootOption = ctx.options.root as string | undefined;
      const kitPath = kitOption === undefined ? undefined : ctx.resolvePath(kitOption);
      const release = ctx.positionals[0];
      if (release !== undefined && kitPath !== undefined) {
        throw new AirlockError('USAGE', 'give either NAME@VERSION (an imported release) or --kit KIT, not both', { field: '--kit' });
      }
      if (kitPath === undefined && hasTrustOptions(ctx)) {
        throw new AirlockError('USAGE', 'trust flags only mean something with --kit KIT', { field: '--kit' });
      }
      const kit = kitPath !== undefined
        ? await kitManifestFor(ctx, kitPath)
        : release !== undefined
          ? { manifest: await registryManifest(ctx, release), verified: true }
          : undefined;
      const deps = makeDeps();
      const service = new PreflightService({ probe: createHostProbe(deps), clock: deps.clock, ...(options.buildDate ? { buildDate: options.buildDate } : {}) });
      const report = await service.run({
        ...(kit ? { manifest: kit.manifest, manifestVerified: kit.verified, ...(kitPath !== undefined ? { kitMediumPath: kitPath } : {}) } : {}),
        ...(rootOption !== undefined ? { installRoot: ctx.resolvePath(rootOption) } : {}),
        dataDir: ctx.dataDir,
      });
      auditPreflight(ctx.dataDir, report);
      const json: Record<string, unknown> = { report };
      if (report.kit && !report.kit.manifestVerified) json.notice = UNVERIFIED_MANIFEST_NOTICE;
      return { json, text: preflightText(report), exitCode: report.verdict === 'fail' ? 1 : 0 };
    },
  };
}

export const preflightCommand = createPreflightCommand();
