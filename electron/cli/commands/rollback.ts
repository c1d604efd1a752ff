// `airlock rollback [--to VERSION] --root DIR`: back to a retained release
// and the database backup taken when it was left.
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { RollbackPlan, RollbackResult } from '../../core/install/install-types.ts';
import type { CommandSpec } from '../cli-types.ts';
import { keepOption, openInstallService, processPrompter, recoveryText, rootOption, type Prompter } from './install.ts';

export function rollbackPlanText(plan: RollbackPlan): string {
  const lines = [`Plan: roll ${plan.name} back from ${plan.from || '(nothing)'} to ${plan.to || '(none)'} in ${plan.root}`];
  if (plan.restore) {
    lines.push(`  restore:     the backup taken when ${plan.to} was left (operation ${plan.restore.operationId}, ${plan.restore.takenAt})`);
    for (const d of plan.restore.databases) lines.push(`                 ${d.id}: ${d.state === 'absent' ? 'did not exist then, will be removed' : `sha256 ${d.sha256}`}`);
  }
  lines.push(`  backup:      ${plan.backUp.length ? plan.backUp.map((d) => d.id).join(', ') : 'no databases'} (kept as the data of ${plan.from || 'the current release'})`);
  lines.push(`  health:      ${plan.health.length} check(s) after the switch`);
  lines.push(`  retention:   keep ${plan.retention.keep}; ${plan.retention.wouldPrune.length ? `would remove ${plan.retention.wouldPrune.join(', ')}` : 'nothing to remove'}`);
  if (plan.blockers.length) {
    lines.push('', 'Not possible:');
    for (const b of plan.blockers) lines.push(`  ${b.code}: ${b.message}`);
  }
  return lines.join('\n');
}

function resultText(r: RollbackResult): string {
  return [
    `OK  ${r.plan.name} ${r.from} → ${r.to} is active again (operation ${r.operationId})`,
    `  restored:    ${r.restored.length ? r.restored.map((d) => `${d.id} ${d.sha256 === null ? '(removed)' : `sha256 ${d.sha256}`}`).join(', ') : 'no databases'}`,
    `  health:      ${r.health.filter((h) => h.ok).length} of ${r.health.length} passed`,
    `  pruned:      ${r.pruned.length ? r.pruned.join(', ') : 'nothing'}`,
  ].join('\n');
}

export function createRollbackCommand(options: { prompter?: () => Prompter } = {}): CommandSpec {
  const makePrompter = options.prompter ?? processPrompter;
  return {
    words: ['rollback'],
    recoversItself: true,
    summary: 'return to a retained release and the database backup taken when it was left',
    usage: 'rollback [--to VERSION] --root DIR [--yes] [--plan-only] [--keep N] [--json]',
    help: [
      'Without --to, goes back to the release that was active before the current one. The release folder is re-checked',
      'against the signed release and the backup against its recorded sha256 first; if either is missing or damaged the',
      'rollback is refused (ROLLBACK_UNAVAILABLE) with the reason. The current databases are backed up first, so the',
      'release being left can itself be returned to later. --json needs --yes or --plan-only.',
    ].join('\n'),
    options: { to: { type: 'string' }, root: { type: 'string' }, yes: { type: 'boolean' }, 'plan-only': { type: 'boolean' }, keep: { type: 'string' } },
    positionals: { min: 0, max: 0 },
    async run(ctx) {
      const root = rootOption(ctx);
      const keep = keepOption(ctx);
      const to = ctx.options.to as string | undefined;
      const yes = ctx.options.yes === true;
      const planOnly = ctx.options['plan-only'] === true;
      if (!planOnly && !yes) {
        if (ctx.json) throw new AirlockError('USAGE', '--json cannot ask for confirmation: read the plan with --plan-only, then run again with --yes', { field: '--yes' });
        if (!makePrompter().interactive) throw new AirlockError('USAGE', 'no terminal to confirm the rollback on: review it with --plan-only, then run again with --yes', { field: '--yes' });
      }
      const { service, registry } = await openInstallService(ctx);
      try {
        const recovery = await service.recover(root);
        const head = recoveryText(recovery);
        const opts = { ...(to !== undefined ? { to } : {}), ...(keep !== undefined ? { keep } : {}) };
        if (planOnly) {
          const plan = await service.planRollback(root, opts);
          return { json: { plan, recovery }, text: [...head, rollbackPlanText(plan)].join('\n'), exitCode: plan.blockers.length > 0 ? 1 : 0 };
        }
        let printed = false;
        const result = await service.rollback(root, {
          ...opts,
          command: 'airlock rollback',
          confirm: async (plan) => {
            if (yes) return { proceed: true, how: '--yes' };
            printed = true;
            ctx.io.stdout.write([...head, rollbackPlanText(plan), '', ''].join('\n'));
            const answer = (await makePrompter().ask(`Roll back to ${plan.to}? [y/N] `)).trim().toLowerCase();
            return { proceed: answer === 'y' || answer === 'yes', how: 'interactive' };
          },
        });
        const text = printed ? resultText(result) : [...head, rollbackPlanText(result.plan), '', resultText(result)].join('\n');
        return { json: { rollback: result, recovery }, text };
      } finally {
        registry.close();
      }
    },
  };
}

export const rollbackCommand = createRollbackCommand();
