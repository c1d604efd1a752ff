// The digest of what an admin confirms in a plan. The window shows a plan made
// on the main side; the install runs in a worker, which makes the plan again
// under the install root's lock. Both sides compute this digest, and the
// worker goes ahead only when they agree, so what runs is what was read.
// Only facts the admin decides on go in: not free bytes or timestamps, which
// move between two looks without changing the decision.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/evidence/canonical-json.ts';
import type { InstallPlan, RollbackPlan } from '../core/install/install-types.ts';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export function installPlanDigest(plan: InstallPlan): string {
  return sha256(canonicalJson({
    type: 'install',
    root: plan.root,
    name: plan.name,
    kind: plan.kind,
    from: plan.from,
    to: { version: plan.to.version, sumsSha256: plan.to.sumsSha256, trustPublisher: plan.to.trustPublisher },
    files: { added: plan.files.added.length, changed: plan.files.changed.length, removed: plan.files.removed.length, reuse: plan.files.reuse },
    migrations: plan.migrations.map((m) => ({ id: m.id, database: m.database, sha256: m.sha256, action: m.action, marked: m.markedDestructive, findings: m.findings.length })),
    destructive: plan.destructive,
    preflight: { verdict: plan.preflight.verdict, checks: plan.preflight.report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}:${c.status}`) },
    warnings: plan.warnings.map((w) => w.code),
    blockers: plan.blockers.map((b) => b.code),
    prune: plan.retention.wouldPrune,
  }));
}

export function rollbackPlanDigest(plan: RollbackPlan): string {
  return sha256(canonicalJson({
    type: 'rollback',
    root: plan.root,
    name: plan.name,
    from: plan.from,
    to: plan.to,
    restore: plan.restore ? { operationId: plan.restore.operationId, databases: plan.restore.databases.map((d) => ({ id: d.id, state: d.state, sha256: d.sha256 })) } : null,
    backUp: plan.backUp.map((d) => d.id),
    blockers: plan.blockers.map((b) => b.code),
    prune: plan.retention.wouldPrune,
  }));
}
