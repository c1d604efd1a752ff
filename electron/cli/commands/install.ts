// `airlock install NAME@VERSION --root DIR`: prints the plan, asks for
// confirmation (or takes --yes), then backs up, materializes, migrates,
// switches, health-checks and commits, or rolls back. Also the shared pieces
// of `rollback` and `status`: opening the service and asking on a terminal.
import { createInterface } from 'node:readline/promises';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { formatBytes } from '../../../shared/format.ts';
import { InstallService } from '../../core/install/install-service.ts';
import { crashHookFromEnv } from '../../core/install/install-crash-points.ts';
import type { InstallConfirmation, InstallPlan, InstallResult, RecoveryReport } from '../../core/install/install-types.ts';
import { describeFinding } from '../../core/install/migration-analysis.ts';
import { createHostProbe } from '../../core/preflight/host-probe.ts';
import { createNodeHostProbeDeps } from '../../core/preflight/node-host-deps.ts';
import { PreflightService } from '../../core/preflight/preflight-service.ts';
import { Registry } from '../../core/registry/registry.ts';
import { resolveTrustPolicy } from '../../core/trust/trust-policy.ts';
import { parseReleaseRef } from '../release-ref.ts';
import type { CommandContext, CommandSpec } from '../cli-types.ts';
import { TRUST_OPTIONS, TRUST_USAGE, hasTrustOptions, trustInputFromOptions } from '../trust-flags.ts';

/** Asks the person at the terminal; tests pass their own. */
export interface Prompter {
  /** True when there is a person to ask (stdin and stderr are terminals). */
  interactive: boolean;
  ask(question: string): Promise<string>;
}

export function processPrompter(): Prompter {
  return {
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    async ask(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}

export interface InstallCommandOptions {
  prompter?: () => Prompter;
}

/** The service with the real host preflight; AIRLOCK_CRASH_AT arms the crash-test hook. */
export async function openInstallService(ctx: CommandContext): Promise<{ service: InstallService; registry: Registry }> {
  const registry = await Registry.open(ctx.dataDir);
  const hostDeps = createNodeHostProbeDeps();
  const preflight = new PreflightService({ probe: createHostProbe(hostDeps), clock: hostDeps.clock });
  const crash = crashHookFromEnv(ctx.io.env);
  const service = new InstallService({
    registry,
    preflight: (r) => preflight.run({ manifest: r.manifest, manifestVerified: true, installRoot: r.installRoot, dataDir: r.dataDir }),
    ...(crash ? { crash } : {}),
  });
  return { service, registry };
}

export function rootOption(ctx: CommandContext): string {
  const root = ctx.options.root as string | undefined;
  if (root === undefined || root === '') throw new AirlockError('USAGE', 'say which install root with --root DIR', { field: '--root' });
  return ctx.resolvePath(root);
}

export function keepOption(ctx: CommandContext): number | undefined {
  const v = ctx.options.keep as string | undefined;
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new AirlockError('USAGE', `--keep takes a whole number of releases, at least 1 (got "${v}")`, { field: '--keep' });
  return Number(v);
}

export function recoveryText(r: RecoveryReport | null): string[] {
  return r ? [`Recovered an interrupted operation first: ${r.message}.`, ''] : [];
}

const list = (items: string[], max = 8): string => (items.length === 0 ? '-' : items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} … (+${items.length - max})`);

export function planText(plan: InstallPlan): string {
  const lines: string[] = [];
  const what = plan.kind === 'fresh' ? 'fresh install' : plan.kind === 'repair' ? 'repair (same version: files re-checked and re-written, no migration)' : plan.kind;
  lines.push(`Plan: ${plan.name} ${plan.from ? `${plan.from.version} → ` : ''}${plan.to.version} into ${plan.root} (${what})`);
  lines.push(`  signed by:   ${plan.to.trustPublisher} (SHA256SUMS sha256:${plan.to.sumsSha256})`);
  lines.push(`  files:       ${plan.files.total} (${formatBytes(plan.files.bytes)}); added ${plan.files.added.length}, changed ${plan.files.changed.length}, removed ${plan.files.removed.length}, unchanged ${plan.files.unchanged}${plan.files.reuse ? '; the release folder is already present and verified' : ''}`);
  if (plan.files.added.length) lines.push(`    added:     ${list(plan.files.added)}`);
  if (plan.files.changed.length) lines.push(`    changed:   ${list(plan.files.changed)}`);
  if (plan.files.removed.length) lines.push(`    removed:   ${list(plan.files.removed)}`);
  lines.push(`  images:      ${plan.images.length === 0 ? 'none' : plan.images.map((i) => i.ref).join(', ')}${plan.images.length ? ' (push them with "airlock registry push")' : ''}`);
  lines.push(`  databases:   ${plan.databases.length === 0 ? 'none' : plan.databases.map((d) => `${d.id} (${d.path}, ${d.exists ? formatBytes(d.sizeBytes) : 'new'})`).join(', ')}`);
  if (plan.migrations.length === 0) lines.push('  migrations:  none');
  for (const m of plan.migrations) {
    const destructive = m.markedDestructive || m.findings.length > 0;
    lines.push(`  migration:   ${m.id} on ${m.database}: ${m.action === 'skip' ? 'already applied (same sha256), skipped' : `apply (${m.statements} statement(s))`}${destructive ? ' — DESTRUCTIVE' : ''}`);
    for (const f of m.findings) lines.push(`                 ${describeFinding(f)}`);
  }
  lines.push(`  health:      ${plan.health.length} check(s) after the switch`);
  lines.push(`  disk:        needs ${formatBytes(plan.disk.neededBytes)} (${plan.disk.basis}), ${plan.disk.freeBytes === null ? 'free space unknown' : `${formatBytes(plan.disk.freeBytes)} free`} at ${plan.disk.path}`);
  lines.push(`  preflight:   ${plan.preflight.verdict.toUpperCase()}`);
  lines.push(`  retention:   keep ${plan.retention.keep}; ${plan.retention.wouldPrune.length ? `would remove ${plan.retention.wouldPrune.join(', ')}` : 'nothing to remove'}`);
  if (plan.warnings.length) {
    lines.push('', 'Needs your acknowledgement (--yes counts as the acknowledgement in scripts):');
    for (const w of plan.warnings) lines.push(`  WARN ${w.message}`);
  }
  if (plan.blockers.length) {
    lines.push('', 'Refused:');
    for (const b of plan.blockers) lines.push(`  ${b.code}: ${b.message}`);
  }
  return lines.join('\n');
}

export function installText(r: InstallResult): string {
  const applied = r.migrations.filter((m) => m.outcome === 'applied');
  return [
    `OK  ${r.plan.name} ${r.from ? `${r.from} → ` : ''}${r.to} is active (operation ${r.operationId})`,
    `  backups:     ${r.backups.length === 0 ? 'none' : r.backups.map((b) => `${b.id} ${b.state === 'absent' ? '(did not exist)' : `sha256 ${b.sha256}`}`).join(', ')}`,
    `  migrations:  ${applied.length} applied${applied.length ? ` (${applied.map((m) => m.id).join(', ')})` : ''}, ${r.migrations.length - applied.length} skipped`,
    `  health:      ${r.health.filter((h) => h.ok).length} of ${r.health.length} passed`,
    `  pruned:      ${r.pruned.length ? r.pruned.join(', ') : 'nothing'}`,
  ].join('\n');
}

/**
 * Confirmation for an install: --yes in scripts; otherwise the person at the
 * terminal reads the plan and answers, typing the word "destructive" when the
 * plan runs destructive migrations.
 */
async function confirmOnTerminal(ctx: CommandContext, prompter: Prompter, plan: InstallPlan): Promise<InstallConfirmation> {
  ctx.io.stdout.write(planText(plan) + '\n\n');
  if (plan.blockers.length > 0) return { proceed: false };
  if (plan.destructive.needsConfirmation) {
    const answer = (await prompter.ask('This runs DESTRUCTIVE migrations on existing data (a backup is taken first). Type "destructive" to go ahead: ')).trim();
    const ok = answer === 'destructive';
    return { proceed: ok, acknowledgeWarnings: ok, allowDestructive: ok, how: 'interactive' };
  }
  const answer = (await prompter.ask(`Install ${plan.name} ${plan.to.version}${plan.warnings.length ? ' and acknowledge the warnings above' : ''}? [y/N] `)).trim().toLowerCase();
  const ok = answer === 'y' || answer === 'yes';
  return { proceed: ok, acknowledgeWarnings: ok, allowDestructive: false, how: 'interactive' };
}

export function createInstallCommand(options: InstallCommandOptions = {}): CommandSpec {
  const makePrompter = options.prompter ?? processPrompter;
  return {
    words: ['install'],
    recoversItself: true,
    summary: 'install or upgrade a release into an install root: plan, back up, migrate, switch, health-check, commit or roll back',
    usage: `install NAME@VERSION --root DIR [--yes] [--allow-destructive] [--plan-only] [--keep N] [${TRUST_USAGE}] [--json]`,
    help: [
      'Prints the plan (files added/changed/removed, images, migrations and whether any is destructive, disk, the preflight',
      'verdict) and asks for confirmation; --yes confirms in scripts and counts as acknowledging preflight warnings.',
      'Destructive migrations run only when kit.json marks them, the major version goes up, and you confirm:',
      'type "destructive" at the prompt, or pass --allow-destructive with --yes. --json needs --yes or --plan-only.',
      'Re-installing the installed version repairs it (files re-checked and re-written, no migration). A downgrade is',
      'refused unless the trust policy given (--policy FILE) sets allowDowngrade for the publisher that signed it.',
      '--keep N retains N releases (default: .airlock/config.json "keep", else 3). The release must be imported first.',
    ].join('\n'),
    options: {
      root: { type: 'string' },
      yes: { type: 'boolean' },
      'allow-destructive': { type: 'boolean' },
      'plan-only': { type: 'boolean' },
      keep: { type: 'string' },
      ...TRUST_OPTIONS,
    },
    positionals: { min: 1, max: 1 },
    async run(ctx) {
      const { name, version } = parseReleaseRef(ctx.positionals[0]!);
      const root = rootOption(ctx);
      const keep = keepOption(ctx);
      const yes = ctx.options.yes === true;
      const planOnly = ctx.options['plan-only'] === true;
      const allowDestructive = ctx.options['allow-destructive'] === true;
      if (!planOnly && !yes) {
        if (ctx.json) throw new AirlockError('USAGE', '--json cannot ask for confirmation: read the plan with --plan-only, then run again with --yes', { field: '--yes' });
        if (!makePrompter().interactive) {
          throw new AirlockError('USAGE', 'no terminal to confirm the plan on: review it with --plan-only, then run again with --yes (which also acknowledges preflight warnings)', { field: '--yes' });
        }
      }
      const trustPolicy = hasTrustOptions(ctx) ? await resolveTrustPolicy(trustInputFromOptions(ctx)) : undefined;
      const { service, registry } = await openInstallService(ctx);
      try {
        const recovery = await service.recover(root);
        const head = recoveryText(recovery);
        if (planOnly) {
          const plan = await service.plan(name, version, root, { ...(keep !== undefined ? { keep } : {}), ...(trustPolicy ? { trustPolicy } : {}) });
          return { json: { plan, recovery }, text: [...head, planText(plan)].join('\n'), exitCode: plan.blockers.length > 0 ? 1 : 0 };
        }
        let printed = false;
        const result = await service.install(name, version, root, {
          ...(keep !== undefined ? { keep } : {}),
          ...(trustPolicy ? { trustPolicy } : {}),
          signal: ctx.signal,
          command: `airlock install ${name}@${version}`,
          confirm: async (plan) => {
            if (yes) return { proceed: true, acknowledgeWarnings: true, allowDestructive, how: allowDestructive ? '--yes --allow-destructive' : '--yes' };
            if (head.length > 0) ctx.io.stdout.write(head.join('\n') + '\n');
            printed = true;
            return confirmOnTerminal(ctx, makePrompter(), plan);
          },
        });
        const text = printed ? installText(result) : [...head, planText(result.plan), '', installText(result)].join('\n');
        return { json: { install: result, recovery }, text };
      } finally {
        registry.close();
      }
    },
  };
}

export const installCommand = createInstallCommand();
